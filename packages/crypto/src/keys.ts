import { createHash, randomBytes } from 'node:crypto';
import { AEAD_KEY_BYTES, decrypt, encrypt } from './aead';
import { CryptoError } from './errors';

/**
 * A fresh random data-encryption key (DEK): 32 bytes for AES-256-GCM.
 *
 * One DEK per scope (conversation, file, recording, export). Store it only wrapped by a
 * KEK ({@link KeyRing.wrap}); deleting the wrapped DEK crypto-shreds everything it sealed.
 */
export function generateDataKey(): Buffer {
  return randomBytes(AEAD_KEY_BYTES);
}

/**
 * A key-encryption key (KEK) that wraps and unwraps DEKs. Implementations: a local key
 * (file/env, {@link LocalKeyProvider}); later PKCS#11/HSM, where the KEK never leaves the
 * device — hence the async methods.
 */
export interface KeyProvider {
  /**
   * Stable, non-secret id of the master key, stored beside every wrapped DEK so the right
   * KEK can be found after rotation. Never the key itself.
   */
  readonly kekId: string;
  /** Seals `dek` under the KEK, bound to `aad` (which must be given again to unwrap). */
  wrap(dek: Uint8Array, aad: string): Promise<Buffer>;
  /**
   * Opens a value from {@link KeyProvider.wrap}.
   * @throws CryptoError `decrypt_failed` on a wrong KEK, wrong `aad` or tampering.
   */
  unwrap(wrapped: Uint8Array, aad: string): Promise<Buffer>;
}

/**
 * The id a local KEK is known by: `kek-` + first 16 hex chars of
 * SHA-256("conclave-kek-id:" ‖ key bytes). The prefix separates this use of the hash from
 * any other, and 64 bits of hash reveal nothing usable about a 256-bit random key.
 */
export function localKekId(key: Uint8Array): string {
  const digest = createHash('sha256').update('conclave-kek-id:').update(key).digest('hex');
  return `kek-${digest.slice(0, 16)}`;
}

/**
 * A KEK held in process memory (from a key file or `CONCLAVE_MASTER_KEY`). Wraps DEKs with
 * AES-256-GCM (format of {@link encrypt}), binding the caller's AAD.
 */
export class LocalKeyProvider implements KeyProvider {
  /** See {@link localKekId}. */
  readonly kekId: string;
  // #private so the key never shows up in util.inspect, JSON.stringify or logs.
  readonly #key: Buffer;

  /**
   * @param key - 32 raw key bytes; copied, so later changes to the caller's buffer don't
   *   affect the provider.
   * @throws CryptoError `bad_key` if not exactly 32 bytes.
   */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
      throw new CryptoError('bad_key', `master key must be ${AEAD_KEY_BYTES} bytes`);
    }
    this.#key = Buffer.from(key);
    this.kekId = localKekId(this.#key);
  }

  /** {@inheritDoc KeyProvider.wrap} */
  async wrap(dek: Uint8Array, aad: string): Promise<Buffer> {
    return encrypt(this.#key, dek, aad);
  }

  /** {@inheritDoc KeyProvider.unwrap} */
  async unwrap(wrapped: Uint8Array, aad: string): Promise<Buffer> {
    return decrypt(this.#key, wrapped, aad);
  }
}

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Human description of the accepted encodings, shared by every error message. */
export const MASTER_KEY_FORMAT = '32 bytes encoded as base64 (44 characters) or hex (64 characters)';

/**
 * Decodes a master key written as base64 (44 chars, padded) or hex (64 chars), ignoring
 * surrounding whitespace. Returns `undefined` rather than throwing so each caller can name
 * its own source (file path, env variable) without ever echoing the text.
 *
 * A key whose bytes are all equal (e.g. 64 zeros) is refused as an obvious placeholder.
 */
export function parseMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  let key: Buffer;
  if (HEX_KEY.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (BASE64_KEY.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  else return undefined;
  // Non-canonical base64 (stray low bits in the last char) decodes but isn't what was meant.
  if (key.length !== AEAD_KEY_BYTES) return undefined;
  if (key.every((b) => b === key[0])) return undefined;
  return key;
}

/**
 * Builds the KEK from the value of the `CONCLAVE_MASTER_KEY` environment variable.
 *
 * @throws CryptoError `bad_key` naming the variable, never its value.
 */
export function keyProviderFromEnv(value: string): LocalKeyProvider {
  const key = typeof value === 'string' ? parseMasterKey(value) : undefined;
  if (!key) {
    throw new CryptoError('bad_key', `CONCLAVE_MASTER_KEY must be ${MASTER_KEY_FORMAT}`);
  }
  return new LocalKeyProvider(key);
}
