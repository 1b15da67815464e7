/**
 * Where an MLS client keeps its key state (E2E-1): device signing key, KeyPackage private keys,
 * group states and decrypted messages. It never leaves the device. {@link EncryptedStorage}
 * seals every value with AES-256-GCM (WebCrypto) under a key the application holds, bound to
 * the entry's name, so a copied or swapped file does not decrypt.
 */

/** A small async key-value store. Keys are short ASCII names (`group:<id>`, `kp:<hex>`…). */
export interface MlsStorage {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`. */
  keys(prefix: string): Promise<string[]>;
}

/** In-memory storage (tests, benchmarks, ephemeral clients). Nothing survives the process. */
export class MemoryStorage implements MlsStorage {
  private readonly map = new Map<string, Uint8Array>();
  async get(key: string) { return this.map.get(key); }
  async set(key: string, value: Uint8Array) { this.map.set(key, value); }
  async delete(key: string) { this.map.delete(key); }
  async keys(prefix: string) { return [...this.map.keys()].filter((k) => k.startsWith(prefix)); }
}

const VERSION = 1;
const enc = new TextEncoder();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is required for encrypted MLS storage');
  return s;
}

/**
 * Encrypts every value of an inner storage. Layout: `0x01 | 12-byte nonce | AES-GCM(ciphertext+tag)`,
 * with the entry name as associated data.
 */
export class EncryptedStorage implements MlsStorage {
  private constructor(private readonly inner: MlsStorage, private readonly key: CryptoKey) {}

  /**
   * @param secret a 32-byte key (from the OS keychain, a passphrase KDF, or a non-extractable
   *   CryptoKey kept in IndexedDB in browsers).
   */
  static async open(inner: MlsStorage, secret: Uint8Array | CryptoKey): Promise<EncryptedStorage> {
    if (secret instanceof Uint8Array) {
      if (secret.length !== 32) throw new Error('the storage key must be 32 bytes');
      const key = await subtle().importKey('raw', secret as BufferSource, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      return new EncryptedStorage(inner, key);
    }
    return new EncryptedStorage(inner, secret);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const sealed = await this.inner.get(name);
    if (!sealed) return undefined;
    if (sealed[0] !== VERSION || sealed.length < 1 + 12 + 16) throw new Error(`MLS storage entry ${name} is corrupt`);
    const plain = await subtle().decrypt({ name: 'AES-GCM', iv: sealed.subarray(1, 13) as BufferSource, additionalData: enc.encode(name) as BufferSource }, this.key, sealed.subarray(13) as BufferSource);
    return new Uint8Array(plain);
  }

  async set(name: string, value: Uint8Array): Promise<void> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(name) as BufferSource }, this.key, value as BufferSource));
    const out = new Uint8Array(1 + 12 + ct.length);
    out[0] = VERSION;
    out.set(iv, 1);
    out.set(ct, 13);
    await this.inner.set(name, out);
  }

  delete(name: string) { return this.inner.delete(name); }
  keys(prefix: string) { return this.inner.keys(prefix); }
}
