/**
 * Files (MSG-2, ENC-1, DLP-1, DLP-2): resumable upload and download through the SDK on both
 * dialects, per-request authorisation (404 for outsiders), no plaintext in the blob store,
 * sniffing and the block list, no-download levels with watermarked previews, forwarding rules,
 * and the bad inputs the issue lists.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { PNG as PNGImage } from 'pngjs';
import jpeg from 'jpeg-js';
import { downloadFile, previewFile, putChunk, resumeUpload, thumbnailFile, uploadFile } from '@conclave/sdk';
import { dialects, eventually, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e3e3b90000000049454e44ae426082', 'hex');

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every (inflated) content stream of a PDF, for finding the drawn watermark text (hex-encoded by pdf-lib). */
function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes);
  let out = '';
  for (let at = raw.indexOf('stream'); at >= 0; at = raw.indexOf('stream', at + 6)) {
    const start = raw[at + 6] === 0x0d ? at + 8 : at + 7;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    try { out += zlib.inflateSync(raw.subarray(start, end)).toString('latin1'); } catch { out += raw.subarray(start, end).toString('latin1'); }
    at = end;
  }
  return out;
}

/** A w × h opaque PNG with a gradient (pngjs), like a real image export. */
function gradientPng(w: number, h: number): Buffer {
  const src = new PNGImage({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    src.data[i] = x % 256; src.data[i + 1] = y % 256; src.data[i + 2] = 128; src.data[i + 3] = 255;
  }
  return PNGImage.sync.write(src);
}

async function tinyPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  return doc.save();
}

describe.each(dialects())('files (MSG-2) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let convId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect, config: { uploadChunkBytes: 64 * 1024, logLevel: 'error' } });
    [alice, bob, eve] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Eve' })]);
    convId = (await alice.client.conversations.create({ kind: 'group', name: 'Files', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });

  it('uploads in chunks and downloads the same bytes; the blob dir holds no plaintext (ENC-1)', async () => {
    const secret = 'QUOKKA-plaintext-marker 会议纪要 '.repeat(5000);
    const data = Buffer.from(secret, 'utf8');
    const progress: number[] = [];
    const file = await uploadFile(alice.client, convId, 'notes.txt', data, { chunkBytes: 50_000, onProgress: (n) => progress.push(n) });
    expect(file).toMatchObject({ name: 'notes.txt', size: data.length, contentType: 'text/plain', level: 'internal', messageId: null, preview: 'text' });
    expect(progress.at(-1)).toBe(data.length);
    expect(progress.length).toBeGreaterThan(3);
    const got = await downloadFile(alice.client, file.id);
    expect(Buffer.from(got.bytes).equals(data)).toBe(true);
    expect(got.fileName).toBe('notes.txt');
    expect(got.contentType).toBe('text/plain; charset=utf-8');
    const blobs = filesUnder(path.join(t.dataDir, 'blobs'));
    expect(blobs.length).toBeGreaterThan(3);
    for (const f of [...blobs, ...filesUnder(t.dataDir)]) {
      const bytes = fs.readFileSync(f);
      for (const needle of ['QUOKKA-plaintext', '会议纪要', 'notes.txt']) {
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${path.relative(t.dataDir, f)} contains "${needle}"`).toBe(false);
      }
    }
  });

  it('a file is its uploader\'s until sent; then members see it on the message; outsiders get 404', async () => {
    const file = await uploadFile(alice.client, convId, 'pixel.png', PNG);
    expect(file).toMatchObject({ contentType: 'image/png', preview: 'image' });
    await expectCode(bob.client.http.request('getFile', { params: { id: file.id } }), 'not_found');
    const { message } = await alice.client.messages.send(convId, { text: 'see attached', fileIds: [file.id] });
    expect(message.files?.map((f) => f.id)).toEqual([file.id]);
    expect(message.files?.[0]).toMatchObject({ messageId: message.id, restrictions: { noDownload: false, noForward: false, noCopy: false } });
    const listed = await bob.client.messages.list(convId);
    expect(listed.messages.find((m) => m.id === message.id)?.files?.[0]?.name).toBe('pixel.png');
    expect(Buffer.from((await downloadFile(bob.client, file.id)).bytes).equals(PNG)).toBe(true);
    expect((await bob.client.http.request('listFiles', { params: { id: convId } })).files.map((f) => f.id)).toContain(file.id);
    // Outsiders: not found, exactly like a missing id; the denial is audited.
    await expectCode(eve.client.http.request('getFile', { params: { id: file.id } }), 'not_found');
    await expectCode(downloadFile(eve.client, file.id), 'not_found');
    await expectCode(previewFile(eve.client, file.id), 'not_found');
    await expectCode(downloadFile(eve.client, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'not_found');
    await expectCode(eve.client.http.request('listFiles', { params: { id: convId } }), 'not_found');
    const denied = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('actor_id', '=', eve.user.id).where('outcome', '=', 'denied').execute();
    expect(denied.some((r) => r.target_id === file.id && r.action === 'files.download')).toBe(true);
    // A file cannot be attached twice, nor by someone else.
    await expectCode(alice.client.messages.send(convId, { text: 'again', fileIds: [file.id] }), 'validation_failed');
    // Deleting the message erases the file.
    await alice.client.messages.delete(convId, message.id);
    await expectCode(bob.client.http.request('getFile', { params: { id: file.id } }), 'not_found');
  });

  it('an interrupted upload resumes at the server\'s offset; wrong offsets are refused with it', async () => {
    const data = Buffer.from('resumable '.repeat(20_000));
    const { upload } = await alice.client.http.request('createUpload', { body: { conversationId: convId, name: 'big.txt', size: data.length } });
    expect(upload.maxChunkBytes).toBe(64 * 1024);
    await putChunk(alice.client, upload.id, 0, data.subarray(0, 30_000));
    // A client that lost track sends the wrong offset: told where to continue.
    const err = await expectCode(putChunk(alice.client, upload.id, 0, data.subarray(0, 30_000)), 'conflict');
    expect(err.details).toMatchObject({ receivedBytes: 30_000 });
    // A dropped connection mid-chunk stores nothing.
    const ctrl = new AbortController();
    const half = fetch(`${t.url}/api/v1/uploads/${upload.id}/content?offset=30000`, {
      method: 'PUT', headers: { authorization: `Bearer ${alice.client.token}`, 'content-type': 'application/octet-stream' },
      body: new ReadableStream({ start(c) { c.enqueue(data.subarray(30_000, 40_000)); setTimeout(() => ctrl.abort(), 50); } }), signal: ctrl.signal, duplex: 'half',
    } as RequestInit).catch(() => null);
    await half;
    expect((await alice.client.http.request('getUpload', { params: { id: upload.id } })).upload.receivedBytes).toBe(30_000);
    // Completing early is refused; someone else cannot see or feed the upload.
    await expectCode(alice.client.http.request('completeUpload', { params: { id: upload.id }, body: {} }), 'conflict');
    await expectCode(bob.client.http.request('getUpload', { params: { id: upload.id } }), 'not_found');
    await expectCode(putChunk(bob.client, upload.id, 30_000, data.subarray(30_000, 31_000)), 'not_found');
    const file = await resumeUpload(alice.client, upload.id, data, { chunkBytes: 100_000 });
    expect(file.size).toBe(data.length);
    expect(Buffer.from((await downloadFile(alice.client, file.id)).bytes).equals(data)).toBe(true);
  });

  it('bad input: zero bytes, oversized, mislabelled, programs, path tricks, wrong content types', async () => {
    const create = (name: string, size: number, contentType?: string) =>
      alice.client.http.request('createUpload', { body: { conversationId: convId, name, size, ...(contentType ? { contentType } : {}) } });
    await expectCode(create('empty.txt', 0), 'validation_failed');
    await expectCode(create('huge.dat', 200 * 1024 * 1024), 'payload_too_large');
    await expectCode(create('setup.exe', 10), 'file_rejected');
    await expectCode(create('invoice.pdf.exe', 10), 'file_rejected');
    await expectCode(create('\u202Efdp.exe', 10), 'file_rejected');
    // A chunk past the declared size, and one above the chunk limit.
    const { upload } = await create('small.txt', 5);
    await expectCode(putChunk(alice.client, upload.id, 0, Buffer.from('too long')), 'payload_too_large');
    const { upload: u2 } = await create('big.txt', 200_000);
    await expectCode(putChunk(alice.client, u2.id, 0, Buffer.alloc(65 * 1024, 0x61)), 'payload_too_large');
    // Path tricks keep only the last segment.
    const trick = await uploadFile(alice.client, convId, '../../etc/passwd', Buffer.from('root:x:0:0'));
    expect(trick.name).toBe('passwd');
    const win = await uploadFile(alice.client, convId, 'C:\\Windows\\..\\evil.txt', Buffer.from('hello'));
    expect(win.name).toBe('evil.txt');
    await expectCode(create('../', 5), 'validation_failed');
    // Content decides the type: a PDF named .png, a PNG declared as text, a program named .txt.
    await expectCode(uploadFile(alice.client, convId, 'photo.png', await tinyPdf()), 'file_rejected');
    await expectCode(uploadFile(alice.client, convId, 'pixel', PNG, { contentType: 'text/plain' }), 'file_rejected');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100, 0x90)]);
    const rejected = await expectCode(uploadFile(alice.client, convId, 'readme.txt', exe), 'file_rejected');
    expect(rejected.details).toMatchObject({ reason: 'blocked_type' });
    await expectCode(uploadFile(alice.client, convId, 'run.txt', Buffer.from('#!/bin/sh\nrm -rf /\n')), 'file_rejected');
    // Wrong content types: JSON to the chunk endpoint, bytes to a JSON endpoint.
    const auth = { authorization: `Bearer ${alice.client.token}` };
    const r1 = await fetch(`${t.url}/api/v1/uploads/${u2.id}/content?offset=0`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(r1.status).toBe(415);
    const r2 = await fetch(`${t.url}/api/v1/uploads`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: '{}' });
    expect(r2.status).toBe(415);
    const r3 = await fetch(`${t.url}/api/v1/uploads/${u2.id}/content?offset=-1`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: 'x' });
    expect(r3.status).toBe(400);
    // Cancelling erases the upload.
    await alice.client.http.request('cancelUpload', { params: { id: u2.id } });
    await expectCode(alice.client.http.request('getUpload', { params: { id: u2.id } }), 'not_found');
  });

  it('confidential level: no downloads (DLP-1), previews watermarked with the viewer (DLP-2), no forwarding', async () => {
    const carol = await t.createUser({ name: 'Carol Confidential' });
    await t.admin.client.users.update(carol.user.id, { clearance: 'confidential' });
    await t.admin.client.users.update(alice.user.id, { clearance: 'confidential' });
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Deal', level: 'confidential', memberIds: [carol.user.id] });
    expect(conversation.restrictions).toEqual({ noForward: true, noCopy: false, noDownload: true });
    const pdf = await uploadFile(alice.client, conversation.id, 'term-sheet.pdf', await tinyPdf());
    const img = await uploadFile(alice.client, conversation.id, 'chart.png', PNG);
    const txt = await uploadFile(alice.client, conversation.id, 'memo.txt', Buffer.from('merger memo'));
    const { message } = await alice.client.messages.send(conversation.id, { text: 'deal docs', fileIds: [pdf.id, img.id, txt.id] });
    expect(message.files?.[0]).toMatchObject({ level: 'confidential', restrictions: { noDownload: true, noForward: true }, watermarked: true });
    const denied = await expectCode(downloadFile(carol.client, pdf.id), 'forbidden');
    expect(denied.status).toBe(403);
    const p = await previewFile(carol.client, pdf.id);
    expect(p.contentType).toBe('application/pdf');
    const marked = await PDFDocument.load(p.bytes);
    expect(marked.getPageCount()).toBe(1);
    expect(pdfText(p.bytes)).toContain(Buffer.from(carol.user.id).toString('hex').toUpperCase());
    const i = await previewFile(carol.client, img.id);
    expect(i.contentType).toBe('image/svg+xml');
    const svg = Buffer.from(i.bytes).toString('utf8');
    expect(svg).toContain('Carol Confidential');
    expect(svg).toContain(carol.user.id);
    const photo = await uploadFile(alice.client, conversation.id, 'site.png', gradientPng(400, 300));
    await alice.client.messages.send(conversation.id, { text: 'site photo', fileIds: [photo.id] });
    const thumb = await thumbnailFile(carol.client, photo.id);
    expect(thumb.contentType).toBe('image/svg+xml');
    expect(Buffer.from(thumb.bytes).toString('utf8')).toContain(carol.user.id);
    const tx = await previewFile(carol.client, txt.id);
    expect(Buffer.from(tx.bytes).toString('utf8')).toMatch(new RegExp(`^\\[Carol Confidential · ${carol.user.id} · `));
    const audit = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'files.preview').where('actor_id', '=', carol.user.id).execute();
    expect(audit.length).toBe(3);
    expect(audit.every((r) => r.outcome === 'success' && !r.details.includes('merger'))).toBe(true);
    // Forwarding out of a confidential conversation is refused (DLP-1).
    const other = (await carol.client.conversations.create({ kind: 'group', name: 'Elsewhere', level: 'confidential' })).conversation.id;
    await expectCode(carol.client.http.request('forwardMessage', { params: { id: conversation.id, messageId: message.id }, body: { toConversationId: other } }), 'forbidden');
    // Internal files download; their previews are not watermarked.
    const plain = await uploadFile(alice.client, convId, 'plain.png', PNG);
    expect((await previewFile(alice.client, plain.id)).contentType).toBe('image/png');
  });

  it('image thumbnails: made once, sealed at rest, same access rules, watermarked at confidential levels; bombs get none', async () => {
    const bytes = gradientPng(1000, 600);
    const file = await uploadFile(alice.client, convId, 'photo.png', bytes);
    expect(file.thumbnail).toEqual({ width: 320, height: 192 });
    await alice.client.messages.send(convId, { text: 'photo', fileIds: [file.id] });
    const th = await thumbnailFile(bob.client, file.id);
    expect(th.contentType).toBe('image/jpeg');
    const decoded = jpeg.decode(Buffer.from(th.bytes));
    expect([decoded.width, decoded.height]).toEqual([320, 192]);
    await expectCode(thumbnailFile(eve.client, file.id), 'not_found');
    // At rest the thumbnail is a sealed part like the others: no JPEG/PNG in the blob dir.
    const blobs = filesUnder(path.join(t.dataDir, 'blobs')).filter((f) => f.includes(file.id) && f.includes('thumb'));
    if (dialect === 'sqlite' || blobs.length) {
      expect(blobs).toHaveLength(1);
      const sealed = fs.readFileSync(blobs[0]!);
      expect(sealed.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
      expect(sealed.includes(Buffer.from(th.bytes).subarray(0, 64))).toBe(false);
    }
    // A PNG whose header claims 60 000 × 60 000 pixels is stored but never decoded.
    const bomb = Buffer.from(PNG);
    bomb.writeUInt32BE(60_000, 16);
    bomb.writeUInt32BE(60_000, 20);
    const b = await uploadFile(alice.client, convId, 'bomb.png', bomb);
    expect(b.thumbnail).toBeNull();
    await expectCode(thumbnailFile(alice.client, b.id), 'not_found');
    // Deleting the file deletes its thumbnail part too.
    await alice.client.http.request('deleteFile', { params: { id: file.id } });
    await eventually(() => filesUnder(path.join(t.dataDir, 'blobs')).every((f) => !(f.includes(file.id) && f.includes('thumb'))), 5_000, 'thumbnail blob deleted');
  });

  it('forwarding: allowed at internal (text and files copied), refused to a lower level', async () => {
    const file = await uploadFile(alice.client, convId, 'fwd.txt', Buffer.from('forward me'));
    const { message } = await alice.client.messages.send(convId, { text: 'forward this', fileIds: [file.id] });
    const target = (await bob.client.conversations.create({ kind: 'group', name: 'Target' })).conversation.id;
    const fwd = await bob.client.http.request('forwardMessage', { params: { id: convId, messageId: message.id }, body: { toConversationId: target } });
    expect(fwd.message).toMatchObject({ conversationId: target, authorId: bob.user.id, text: 'forward this' });
    expect(fwd.message.files?.[0]).toMatchObject({ name: 'fwd.txt', conversationId: target });
    expect(Buffer.from((await downloadFile(bob.client, fwd.message.files![0]!.id)).bytes).toString()).toBe('forward me');
    const pub = (await bob.client.conversations.create({ kind: 'group', name: 'Public', level: 'public' })).conversation.id;
    await expectCode(bob.client.http.request('forwardMessage', { params: { id: convId, messageId: message.id }, body: { toConversationId: pub } }), 'forbidden');
    // Into a conversation the caller is not in: not found.
    const foreign = (await eve.client.conversations.create({ kind: 'group', name: 'Eve only' })).conversation.id;
    await expectCode(bob.client.http.request('forwardMessage', { params: { id: convId, messageId: message.id }, body: { toConversationId: foreign } }), 'not_found');
    // The original's file survives deletion of the forwarded copy (shared encrypted parts).
    await bob.client.http.request('deleteFile', { params: { id: fwd.message.files![0]!.id } });
    expect(Buffer.from((await downloadFile(alice.client, file.id)).bytes).toString()).toBe('forward me');
  });

  it('per-level size limits come from the org settings', async () => {
    await t.admin.client.org.updateSettings({ fileMaxBytesByLevel: { internal: 1000 } });
    try {
      await expectCode(alice.client.http.request('createUpload', { body: { conversationId: convId, name: 'a.txt', size: 1001 } }), 'payload_too_large');
      await alice.client.http.request('createUpload', { body: { conversationId: convId, name: 'a.txt', size: 1000 } });
    } finally {
      await t.admin.client.org.updateSettings({ fileMaxBytesByLevel: {} });
    }
  });
});

describe('files: clamd scanning hook', () => {
  let t: TestServer;
  let clamd: net.Server;
  beforeAll(async () => {
    // A fake clamd on loopback speaking INSTREAM: flags the EICAR marker.
    clamd = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (!buf.subarray(0, 10).equals(Buffer.from('zINSTREAM\0'))) return;
        const chunks: Buffer[] = [];
        for (let at = 10; at + 4 <= buf.length;) {
          const n = buf.readUInt32BE(at);
          if (n === 0) {
            const content = Buffer.concat(chunks).toString('latin1');
            sock.end(content.includes('EICAR-STANDARD-ANTIVIRUS-TEST-FILE') ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
            return;
          }
          if (at + 4 + n > buf.length) return;
          chunks.push(buf.subarray(at + 4, at + 4 + n));
          at += 4 + n;
        }
      });
    });
    await new Promise<void>((r) => clamd.listen(0, '127.0.0.1', r));
    const port = (clamd.address() as net.AddressInfo).port;
    t = await startTestServer({ config: { clamdUrl: `tcp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => clamd.close(r));
  });

  it('malware is refused and erased; clean files pass; an unreachable scanner fails closed', async () => {
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: 'Scan' });
    const eicar = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
    const err = await expectCode(uploadFile(t.admin.client, conversation.id, 'eicar.txt', eicar), 'file_rejected');
    expect(err.details).toMatchObject({ reason: 'malware', signature: 'Eicar-Test-Signature' });
    const ok = await uploadFile(t.admin.client, conversation.id, 'fine.txt', Buffer.from('all good'));
    expect(ok.size).toBe(8);
    const row = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'files.upload_complete').where('reason', '=', 'malware').executeTakeFirst();
    expect(row?.outcome).toBe('failed');
    expect(filesUnder(path.join(t.dataDir, 'blobs')).length).toBe(1);
    await new Promise((r) => clamd.close(r));
    await expectCode(uploadFile(t.admin.client, conversation.id, 'later.txt', Buffer.from('later')), 'unavailable');
  });
});
