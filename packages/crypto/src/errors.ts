/**
 * Why a crypto operation failed.
 *
 * - `decrypt_failed`: authentication failed or the sealed data is malformed (wrong key,
 *   wrong AAD, tampering, truncation, unknown format version). Deliberately not more
 *   specific about *which*, so callers cannot be used as a decryption oracle.
 * - `bad_key`: a key is the wrong size/type, or a key file / env value is not a valid key.
 * - `bad_input`: the input cannot be processed (e.g. a value that is not JSON, text that
 *   is not well-formed Unicode).
 * - `key_unavailable`: the key needed is not present (unknown KEK id, unreadable key file).
 */
export type CryptoErrorCode = 'decrypt_failed' | 'bad_key' | 'bad_input' | 'key_unavailable';

/**
 * The one error type thrown by `@conclave/crypto`.
 *
 * Messages never contain key material, plaintext or secret values; they may name a file
 * path, an environment variable, a KEK id or a JSON path, so they are safe to log. The
 * server should map these to its own `AppError` (normally an internal error, except
 * `bad_input` on user-supplied data).
 */
export class CryptoError extends Error {
  /** Machine-readable reason; see {@link CryptoErrorCode}. */
  readonly code: CryptoErrorCode;

  /**
   * @param code - machine-readable reason
   * @param message - human-readable, secret-free description
   * @param options - optional `cause` (an underlying error; must itself be secret-free)
   */
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CryptoError';
    this.code = code;
  }
}
