/**
 * End-to-end encrypted attachments (E2E-1, MSG-2) in MLS conversations.
 *
 * The file is encrypted on this device with a fresh AES-256-GCM key before it is uploaded; the
 * server stores an opaque blob under a neutral name (`encrypted.e2ee`, application/octet-stream)
 * and never sees the key, the real name, the type or the plaintext digest: those travel only
 * inside the MLS application message (`MlsPayload.attachments`), like the text. Receivers take
 * the key from the decrypted message, download the blob, decrypt it and check the SHA-256 of the
 * plaintext. One key per file, so a server that swaps blobs between files only produces a
 * decryption failure, never someone else's file.
 *
 * Blob format: 1 version byte (1) ‖ 12-byte random IV ‖ AES-256-GCM ciphertext with its 16-byte
 * tag; the additional data is the ASCII string `conclave-e2ee-file:v1`. WebCrypto only, so the
 * same code runs in Node ≥ 20 and in browsers.
 *
 * What the server still enforces on these uploads: size limits, membership and level (it knows
 * the conversation), retention and deletion. What it cannot: type sniffing, virus scanning, DLP
 * on the content or the real name, thumbnails, previews and watermarks — see docs/E2EE.md.
 */
import type { FileInfo, Message } from '@conclave/protocol';
import { downloadFile, uploadFile, type UploadOptions } from '../files';
import type { MlsPayload } from './codec';
import type { DecryptedMessage, MlsClient } from './mls-client';

/** One attachment as it travels inside the MLS message. */
export type E2eeAttachment = NonNullable<MlsPayload['attachments']>[number];

/** Name and type the server sees for every encrypted upload (the real ones are in the message). */
export const E2EE_BLOB_NAME = 'encrypted.e2ee';
const BLOB_VERSION = 1;
const AAD = new TextEncoder().encode('conclave-e2ee-file:v1');
const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('E2EE files need WebCrypto (globalThis.crypto.subtle)');
  return s;
};

const toB64 = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const fromB64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
/** A copy backed by a plain ArrayBuffer (what WebCrypto's BufferSource type accepts). */
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
const hex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** A file to send: its bytes and what the recipients should see. */
export interface E2eeFileInput {
  name: string;
  data: Uint8Array;
  /** MIME type shown to recipients (the server only ever sees application/octet-stream). */
  type?: string;
}

/** Encrypts `file` with a fresh key: the blob to upload and the attachment entry (without its fileId). */
export async function encryptFile(file: E2eeFileInput): Promise<{ blob: Uint8Array; attachment: Omit<E2eeAttachment, 'fileId'> }> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const k = await subtle().importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, k, buf(file.data)));
  const blob = new Uint8Array(1 + iv.length + ct.length);
  blob[0] = BLOB_VERSION;
  blob.set(iv, 1);
  blob.set(ct, 1 + iv.length);
  const sha256 = hex(await subtle().digest('SHA-256', buf(file.data)));
  return { blob, attachment: { name: file.name, size: file.data.length, key: toB64(key), sha256, ...(file.type ? { type: file.type } : {}) } };
}

/**
 * Decrypts a blob downloaded for `attachment` and checks its size and SHA-256.
 * @throws Error when the blob is not this attachment's (wrong key, altered, truncated, swapped).
 */
export async function decryptFile(blob: Uint8Array, attachment: E2eeAttachment): Promise<Uint8Array> {
  if (blob.length < 1 + 12 + 16 || blob[0] !== BLOB_VERSION) throw new Error(`attachment ${attachment.fileId}: not an encrypted Conclave file`);
  const k = await subtle().importKey('raw', buf(fromB64(attachment.key)), 'AES-GCM', false, ['decrypt']);
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: buf(blob.subarray(1, 13)), additionalData: AAD }, k, buf(blob.subarray(13))));
  } catch {
    throw new Error(`attachment ${attachment.fileId}: does not decrypt with the key from the message (altered or replaced by the server)`);
  }
  if (plain.length !== attachment.size) throw new Error(`attachment ${attachment.fileId}: size differs from the message`);
  if (attachment.sha256 && hex(await subtle().digest('SHA-256', buf(plain))) !== attachment.sha256) {
    throw new Error(`attachment ${attachment.fileId}: digest differs from the message`);
  }
  return plain;
}

/**
 * Sends files end-to-end encrypted in an MLS conversation: each is encrypted and uploaded, then
 * one MLS message carries `text` and every file's key. The uploads are attached to that message
 * on the server (so retention and deletion take them with it).
 */
export async function sendEncryptedFiles(
  mls: MlsClient, conversationId: string, files: E2eeFileInput[], text = '', opts: { threadRootId?: string; upload?: UploadOptions } = {},
): Promise<{ message: Message; files: FileInfo[] }> {
  const uploaded: FileInfo[] = [];
  const attachments: E2eeAttachment[] = [];
  for (const f of files) {
    const { blob, attachment } = await encryptFile(f);
    const info = await uploadFile(mls.client, conversationId, E2EE_BLOB_NAME, blob, { ...opts.upload, contentType: 'application/octet-stream' });
    uploaded.push(info);
    attachments.push({ fileId: info.id, ...attachment });
  }
  const message = await mls.send(conversationId, text, { attachments, fileIds: uploaded.map((f) => f.id), ...(opts.threadRootId ? { threadRootId: opts.threadRootId } : {}) });
  // The files as the server now has them: attached to the message.
  const attached = await Promise.all(uploaded.map(async (f) => (await mls.client.http.request('getFile', { params: { id: f.id } })).file));
  return { message, files: attached };
}

/** Downloads and decrypts one attachment of a decrypted MLS message. */
export async function openEncryptedAttachment(mls: MlsClient, attachment: E2eeAttachment, signal?: AbortSignal): Promise<Uint8Array> {
  const { bytes } = await downloadFile(mls.client, attachment.fileId, signal);
  return decryptFile(bytes, attachment);
}

/** The attachments a decrypted message carries (empty when none or not decrypted). */
export function attachmentsOf(m: DecryptedMessage): E2eeAttachment[] {
  return m.status === 'ok' ? m.payload?.attachments ?? [] : [];
}
