/**
 * End-to-end encrypted attachments (E2E-1, MSG-2): the file key travels only inside the MLS
 * message; the server stores an opaque blob under a neutral name, and nothing it holds — the
 * blob directory, the database — contains the plaintext, the real name or the key. A blob the
 * server swaps or alters does not open; a non-member cannot download it; deleting the message
 * takes the file with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentsOf, decryptFile, E2EE_BLOB_NAME, openEncryptedAttachment, sendEncryptedFiles } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { cleanupDirs, openDevice, type Device } from './mls-helpers';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe.each(dialects())('E2EE attachments (E2E-1, MSG-2) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, mallory: TestUser;
  let a: Device, b: Device;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, mallory] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Mallory' })]);
    [a, b] = await Promise.all([openDevice(t, alice), openDevice(t, bob)]);
  });
  afterAll(async () => {
    for (const d of [a, b]) d?.close();
    await t?.close();
    cleanupDirs();
  });

  it('sends a file whose key only the members hold; the server keeps ciphertext under a neutral name', async () => {
    const conv = await a.mls.createGroup({ name: 'Deal room', memberIds: [bob.user.id] });
    await b.mls.sync();
    const secret = `Q3 acquisition term sheet ${Math.random()} 会议纪要`;
    const data = new TextEncoder().encode(secret.repeat(200));
    const { message, files } = await sendEncryptedFiles(a.mls, conv.id, [{ name: 'term-sheet-final.txt', data, type: 'text/plain' }], 'see attached');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ name: E2EE_BLOB_NAME, contentType: 'application/octet-stream', messageId: message.id });

    // Bob reads the message, takes the key from it, downloads and decrypts the file.
    const seen = (await b.mls.messages(conv.id)).find((m) => m.message.id === message.id)!;
    expect(seen.text).toBe('see attached');
    const [att] = attachmentsOf(seen);
    expect(att).toMatchObject({ fileId: files[0]!.id, name: 'term-sheet-final.txt', size: data.length, type: 'text/plain' });
    expect(new TextDecoder().decode(await openEncryptedAttachment(b.mls, att!))).toBe(secret.repeat(200));

    // Nothing the server stores holds the plaintext, the real name or the key.
    const needles = [Buffer.from(secret.slice(0, 24)), Buffer.from('term-sheet-final'), Buffer.from(att!.key)];
    const blobs = filesUnder(path.join(t.dataDir, 'blobs'));
    const dbFiles = filesUnder(t.dataDir).filter((f) => !f.includes(`${path.sep}blobs${path.sep}`));
    expect(blobs.length).toBeGreaterThan(0);
    if (dialect === 'sqlite') expect(dbFiles.length).toBeGreaterThan(0);
    for (const file of [...blobs, ...dbFiles]) {
      const bytes = fs.readFileSync(file);
      for (const n of needles) expect(bytes.includes(n), `${path.basename(file)} contains ${n.toString().slice(0, 12)}…`).toBe(false);
    }

    // What the server itself can decrypt (its at-rest layer) is still only the E2EE ciphertext.
    const asServed = Buffer.from((await b.mls.client.files.download(files[0]!.id)).bytes);
    expect(asServed.includes(Buffer.from(secret.slice(0, 24)))).toBe(false);
    expect(asServed.length).toBe(data.length + 1 + 12 + 16);

    // A non-member cannot even see the blob (denied == not found).
    await expectCode(mallory.client.files.download(files[0]!.id), 'not_found');
  });

  it('a blob the server altered or swapped does not open', async () => {
    const conv = await a.mls.createGroup({ name: 'Swap test', memberIds: [bob.user.id] });
    await b.mls.sync();
    const one = await sendEncryptedFiles(a.mls, conv.id, [{ name: 'one.txt', data: new TextEncoder().encode('first file') }]);
    const two = await sendEncryptedFiles(a.mls, conv.id, [{ name: 'two.txt', data: new TextEncoder().encode('second file') }]);
    const msgs = await b.mls.messages(conv.id);
    const attOne = attachmentsOf(msgs.find((m) => m.message.id === one.message.id)!)[0]!;
    const attTwo = attachmentsOf(msgs.find((m) => m.message.id === two.message.id)!)[0]!;
    const blobTwo = (await b.mls.client.files.download(attTwo.fileId)).bytes;
    // Served the other file's blob: refused, never the other file's content.
    await expect(decryptFile(blobTwo, attOne)).rejects.toThrow(/does not decrypt/);
    const flipped = Uint8Array.from(blobTwo);
    flipped[flipped.length - 1]! ^= 1;
    await expect(decryptFile(flipped, attTwo)).rejects.toThrow(/does not decrypt/);
    await expect(decryptFile(blobTwo.subarray(0, 10), attTwo)).rejects.toThrow(/not an encrypted Conclave file/);
    expect(new TextDecoder().decode(await decryptFile(blobTwo, attTwo))).toBe('second file');
  });

  it('deleting the message deletes its encrypted file on the server', async () => {
    const conv = await a.mls.createGroup({ name: 'Delete test', memberIds: [bob.user.id] });
    await b.mls.sync();
    const sent = await sendEncryptedFiles(a.mls, conv.id, [{ name: 'gone.txt', data: new TextEncoder().encode('to be deleted') }]);
    await a.mls.delete(conv.id, sent.message.id);
    await expectCode(b.mls.client.files.download(sent.files[0]!.id), 'not_found');
  });
});
