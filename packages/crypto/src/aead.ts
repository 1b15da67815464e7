import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError } from './errors';

export { CryptoError } from './errors';
export type { CryptoErrorCode } from './errors';

/** Format version written as the first byte of every sealed value. */
export const AEAD_VERSION = 0x01;
/** AES-256 key length in bytes. */
export const AEAD_KEY_BYTES = 32;
/** Random GCM nonce length in bytes (96 bits, the size GCM is designed for). */
export const AEAD_NONCE_BYTES = 12;
/** GCM authentication tag length in bytes (full 128 bits; never truncated). */
export const AEAD_TAG_BYTES = 16;
/** Bytes a sealed value adds on top of the plaintext: version + nonce + tag. */
export const AEAD_OVERHEAD = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES;

const ALGORITHM = 'aes-256-gcm';
const HEADER = Buffer.from([AEAD_VERSION]);

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
    throw new CryptoError('bad_key', `AES-256-GCM key must be ${AEAD_KEY_BYTES} bytes`);
  }
}

/**
 * The AAD actually fed to GCM: the version byte followed by the caller's AAD (UTF-8).
 * Binding the header means a future format can never be confused with this one by
 * flipping the version byte.
 */
function gcmAad(aad: string): Buffer {
  return Buffer.concat([HEADER, Buffer.from(aad, 'utf8')]);
}

/**
 * Encrypts with AES-256-GCM under a fresh random 96-bit nonce.
 *
 * Output: `0x01 | nonce (12) | ciphertext | tag (16)`. The caller's `aad` is not stored:
 * the same string must be given to {@link decrypt}. Use it to bind the ciphertext to where
 * it belongs (e.g. `msg:<conversationId>:<messageId>`) so that a ciphertext copied to a
 * different row fails to decrypt.
 *
 * Random nonces are safe for up to ~2^32 encryptions per key; per-scope data keys keep
 * every key far below that.
 *
 * @throws CryptoError `bad_key` if `key` is not 32 bytes.
 */
export function encrypt(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  checkKey(key);
  const nonce = randomBytes(AEAD_NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(gcmAad(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([HEADER, nonce, body, cipher.getAuthTag()]);
}

/**
 * Decrypts a value produced by {@link encrypt}, verifying the tag before returning.
 *
 * @throws CryptoError `decrypt_failed` on a wrong key, wrong `aad`, any modified byte,
 *   truncated input or an unknown version; `bad_key` if `key` is not 32 bytes.
 */
export function decrypt(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  checkKey(key);
  if (!(sealed instanceof Uint8Array) || sealed.length < AEAD_OVERHEAD) {
    throw new CryptoError('decrypt_failed', 'sealed data is truncated');
  }
  if (sealed[0] !== AEAD_VERSION) {
    throw new CryptoError('decrypt_failed', 'sealed data has an unknown format version');
  }
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = data.subarray(1, 1 + AEAD_NONCE_BYTES);
  const body = data.subarray(1 + AEAD_NONCE_BYTES, data.length - AEAD_TAG_BYTES);
  const tag = data.subarray(data.length - AEAD_TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: AEAD_TAG_BYTES });
    decipher.setAAD(gcmAad(aad));
    decipher.setAuthTag(tag);
    // final() throws when the tag does not verify, so unauthenticated bytes never escape.
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new CryptoError(
      'decrypt_failed',
      'decryption failed: wrong key, wrong associated data, or data was altered',
      { cause },
    );
  }
}

// fatal: reject invalid UTF-8 instead of inventing U+FFFD; ignoreBOM: keep a leading BOM
// so the text round-trips exactly.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * {@link encrypt} for text (UTF-8).
 *
 * @throws CryptoError `bad_input` if `text` has lone surrogates (it would not round-trip:
 *   UTF-8 encoding silently replaces them); `bad_key` as for {@link encrypt}.
 */
export function encryptText(key: Uint8Array, text: string, aad: string): Buffer {
  if (!text.isWellFormed()) {
    throw new CryptoError('bad_input', 'text is not well-formed Unicode (lone surrogate)');
  }
  return encrypt(key, Buffer.from(text, 'utf8'), aad);
}

/**
 * {@link decrypt} for text produced by {@link encryptText}.
 *
 * @throws CryptoError as {@link decrypt}; `bad_input` if the plaintext is not valid UTF-8
 *   (it was sealed as bytes, not text).
 */
export function decryptText(key: Uint8Array, sealed: Uint8Array, aad: string): string {
  const plain = decrypt(key, sealed, aad);
  try {
    return utf8.decode(plain);
  } catch (cause) {
    throw new CryptoError('bad_input', 'decrypted data is not valid UTF-8 text', { cause });
  }
}
