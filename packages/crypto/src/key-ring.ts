import { CryptoError } from './errors';
import type { KeyProvider } from './keys';

/** A DEK sealed by a KEK, with the id of that KEK. Store both columns together. */
export interface WrappedKey {
  /** {@link KeyProvider.kekId} of the KEK that sealed it. */
  kekId: string;
  /** Sealed DEK (opaque bytes). */
  wrapped: Buffer;
}

/**
 * The set of KEKs the server knows: one current KEK for new wraps, plus older KEKs that
 * can still unwrap what they sealed. This is what makes rotation work without downtime:
 *
 * 1. deploy with the new key as current and the old one listed as older;
 * 2. new DEKs are wrapped with the new KEK; old rows keep unwrapping via their `kekId`;
 * 3. a background job calls {@link KeyRing.rewrap} on every stored DEK;
 * 4. once no row references the old `kekId`, remove the old key.
 *
 * Immutable: rotate by building a new ring ({@link KeyRing.withCurrent}).
 */
export class KeyRing {
  readonly #current: KeyProvider;
  readonly #byId: ReadonlyMap<string, KeyProvider>;

  /**
   * @param current - KEK used for every new wrap
   * @param older - KEKs kept for unwrapping only. Providers whose `kekId` is already
   *   present are skipped (the same key loaded twice); the first occurrence wins.
   */
  constructor(current: KeyProvider, older: Iterable<KeyProvider> = []) {
    const byId = new Map<string, KeyProvider>([[current.kekId, current]]);
    for (const p of older) if (!byId.has(p.kekId)) byId.set(p.kekId, p);
    this.#current = current;
    this.#byId = byId;
  }

  /** The KEK used for new wraps. */
  get current(): KeyProvider {
    return this.#current;
  }

  /** Ids of every KEK in the ring, current first. */
  get kekIds(): string[] {
    return [...this.#byId.keys()];
  }

  /** Whether a KEK with this id is in the ring (i.e. {@link KeyRing.unwrap} can use it). */
  has(kekId: string): boolean {
    return this.#byId.has(kekId);
  }

  /** Wraps `dek` with the current KEK; store the returned `kekId` beside `wrapped`. */
  async wrap(dek: Uint8Array, aad: string): Promise<WrappedKey> {
    return { kekId: this.#current.kekId, wrapped: await this.#current.wrap(dek, aad) };
  }

  /**
   * Unwraps with the KEK named by `kekId`.
   *
   * @throws CryptoError `key_unavailable` if no KEK in the ring has that id (message names
   *   the id, which is not secret); `decrypt_failed` as {@link KeyProvider.unwrap}.
   */
  async unwrap(kekId: string, wrapped: Uint8Array, aad: string): Promise<Buffer> {
    const provider = this.#byId.get(kekId);
    if (!provider) {
      throw new CryptoError('key_unavailable', `no key-encryption key with id ${kekId} is loaded`);
    }
    return provider.unwrap(wrapped, aad);
  }

  /**
   * Re-seals a stored DEK under the current KEK (rotation step 3). If it is already under
   * the current KEK it is returned as is, so the job is idempotent and can be re-run.
   *
   * @throws CryptoError as {@link KeyRing.unwrap}.
   */
  async rewrap(kekId: string, wrapped: Uint8Array, aad: string): Promise<WrappedKey> {
    if (kekId === this.#current.kekId) return { kekId, wrapped: Buffer.from(wrapped) };
    const dek = await this.unwrap(kekId, wrapped, aad);
    try {
      return await this.wrap(dek, aad);
    } finally {
      dek.fill(0);
    }
  }

  /** A new ring whose current KEK is `provider`; the present keys all stay as older keys. */
  withCurrent(provider: KeyProvider): KeyRing {
    return new KeyRing(provider, this.#byId.values());
  }
}
