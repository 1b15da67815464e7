/**
 * Files on S3-compatible storage (OPS-1), against s3rver: upload/download through the SDK,
 * and the bucket holds ciphertext only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, uploadFile } from '@conclave/sdk';
import { S3BlobStore } from '@conclave/server';
import { expectCode, startTestServer, type TestServer } from '@conclave/testkit';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('files on S3 (s3rver)', () => {
  let s3: S3rver;
  let bucketDir: string;
  let endpoint: string;
  let t: TestServer;
  beforeAll(async () => {
    bucketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-s3-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: bucketDir, configureBuckets: [{ name: 'conclave-test' }] });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    t = await startTestServer({
      config: { s3: { endpoint, bucket: 'conclave-test', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix: 'blobs/' } },
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    fs.rmSync(bucketDir, { recursive: true, force: true });
  });

  it('uploads and downloads through the SDK; the bucket holds no plaintext; nothing in the data dir', async () => {
    const bob = await t.createUser();
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: 'S3', memberIds: [bob.user.id] });
    const data = Buffer.from('WOMBAT-s3-plaintext 机密文件内容 '.repeat(3000));
    const file = await uploadFile(t.admin.client, conversation.id, 'report.txt', data, { chunkBytes: 40_000 });
    await t.admin.client.messages.send(conversation.id, { text: 'report', fileIds: [file.id] });
    expect(Buffer.from((await downloadFile(bob.client, file.id)).bytes).equals(data)).toBe(true);
    const stored = filesUnder(bucketDir);
    expect(stored.length).toBeGreaterThan(2);
    for (const f of stored) {
      const bytes = fs.readFileSync(f);
      for (const needle of ['WOMBAT-s3', '机密文件', 'report.txt']) expect(bytes.includes(Buffer.from(needle)), `${f} holds "${needle}"`).toBe(false);
    }
    expect(fs.existsSync(path.join(t.dataDir, 'blobs'))).toBe(false);
    // Deleting the message erases the objects.
    const { message } = await t.admin.client.messages.send(conversation.id, { text: 'tmp', fileIds: [(await uploadFile(t.admin.client, conversation.id, 'tmp.txt', Buffer.from('temporary'))).id] });
    const before = filesUnder(bucketDir).length;
    await t.admin.client.messages.delete(conversation.id, message.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(filesUnder(bucketDir).length).toBeLessThan(before);
    await expectCode(downloadFile(t.admin.client, message.files![0]!.id), 'not_found');
  });

  it('the S3 store reports missing objects and a missing bucket clearly', async () => {
    const store = new S3BlobStore({ endpoint, bucket: 'conclave-test', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await store.put('probe/a', Buffer.from('x'));
    expect((await store.get('probe/a')).toString()).toBe('x');
    await store.delete(['probe/a', 'probe/never']);
    await expect(store.get('probe/a')).rejects.toThrow(/not found/);
    const bad = new S3BlobStore({ endpoint, bucket: 'no-such-bucket', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await expect(bad.put('probe/b', Buffer.from('x'))).rejects.toThrow(/S3 PUT probe\/b failed: NoSuchBucket/);
  });
});
