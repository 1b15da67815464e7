/**
 * File content at rest (ENC-1): every uploaded chunk is one AES-256-GCM part under the file's
 * own data key (scope `file:<id>`). The AAD binds file, part index and byte offset, so parts
 * cannot be reordered, swapped between files or replayed. The name is sealed with the same key.
 */
import { decrypt, decryptText, encrypt, encryptText } from '@conclave/crypto';

export function sealPart(key: Uint8Array, blobId: string, index: number, offset: number, data: Uint8Array): Buffer {
  return encrypt(key, data, `conclave-file:${blobId}:${index}:${offset}`);
}

export function openPart(key: Uint8Array, blobId: string, index: number, offset: number, sealed: Uint8Array): Buffer {
  return decrypt(key, sealed, `conclave-file:${blobId}:${index}:${offset}`);
}

/** The thumbnail of an image file: one part under the same key, bound to the blob. */
export function sealThumb(key: Uint8Array, blobId: string, data: Uint8Array): Buffer {
  return encrypt(key, data, `conclave-file-thumb:${blobId}`);
}

export function openThumb(key: Uint8Array, blobId: string, sealed: Uint8Array): Buffer {
  return decrypt(key, sealed, `conclave-file-thumb:${blobId}`);
}

export function sealName(key: Uint8Array, fileId: string, name: string): Buffer {
  return encryptText(key, name, `conclave-file-name:${fileId}`);
}

export function openName(key: Uint8Array, fileId: string, sealed: Uint8Array): string {
  return decryptText(key, sealed, `conclave-file-name:${fileId}`);
}
