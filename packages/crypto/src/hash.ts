import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// One-shot `crypto.hash` (Node ≥ 20.12) is 2–3× faster than createHash for short inputs, which
// is what audit verification spends its time on; older Node falls back to createHash.
const oneShot: ((algorithm: string, data: string | Uint8Array, encoding: 'hex') => string) | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? (nodeCrypto as unknown as { hash: (a: string, d: string | Uint8Array, e: 'hex') => string }).hash : undefined;

/** SHA-256 of `data` (strings are hashed as UTF-8), as 64 lowercase hex characters. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** Smallest token {@link randomToken} will make: 128 bits, the floor for a guessable secret. */
export const MIN_TOKEN_BYTES = 16;

/**
 * A random secret token (session token, invite code, API key, …), base64url without padding.
 *
 * @param bytes - entropy in bytes (default 32 → 43 characters); integer, 16…1024.
 * @throws RangeError if `bytes` is out of range (a programming error, not user input).
 */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_TOKEN_BYTES || bytes > 1024) {
    throw new RangeError(`randomToken: bytes must be an integer from ${MIN_TOKEN_BYTES} to 1024`);
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * The form in which a token is stored: SHA-256 hex of the token's UTF-8.
 *
 * A leaked database then yields no usable tokens. No salt or slow hash is needed because
 * tokens from {@link randomToken} carry ≥128 bits of entropy (unlike passwords).
 */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Compares two hex strings (e.g. a stored {@link hashToken} and a freshly computed one) in
 * time that does not depend on where they differ. Case-insensitive.
 *
 * Returns `false` (never throws) if either is empty, not even-length hex, or the lengths
 * differ. Length is not secret here: both sides are fixed-size digests.
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (a.length === 0 || a.length !== b.length) return false;
  if (!HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
