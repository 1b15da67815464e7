import {
  createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { CryptoError } from './errors';
import { sha256Hex } from './hash';

// Ed25519 signatures for audit checkpoints, deletion reports and receipts. Keys travel as
// PEM (public: SPKI, private: PKCS#8) so they can be published, stored and checked with
// standard tools (`openssl pkey -pubin -in key.pem`).

/** An Ed25519 key pair as PEM. Keep the private key wrapped/encrypted at rest. */
export interface SigningKeyPair {
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). Safe to publish. */
  publicKeyPem: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted. Secret. */
  privateKeyPem: string;
}

/** A fresh Ed25519 key pair. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

function ed25519Private(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CryptoError('bad_key', 'signing key is not a valid PEM private key', { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CryptoError('bad_key', 'signing key is not Ed25519');
  return key;
}

// Public-key parsing accepts a private PEM too (Node derives the public half); harmless.
function ed25519Public(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CryptoError('bad_key', 'public key is not a valid PEM key', { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CryptoError('bad_key', 'public key is not Ed25519');
  return key;
}

const toBytes = (data: string | Uint8Array): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/**
 * Signs `data` (strings as UTF-8) and returns the 64-byte signature as standard base64.
 * Sign a canonical form (e.g. {@link canonicalJson} of the checkpoint) so verifiers
 * rebuild the exact bytes.
 *
 * @throws CryptoError `bad_key` if `privateKeyPem` is not an Ed25519 private key.
 */
export function sign(privateKeyPem: string, data: string | Uint8Array): string {
  return nodeSign(null, toBytes(data), ed25519Private(privateKeyPem)).toString('base64');
}

/**
 * Checks an Ed25519 signature from {@link sign}. Returns false — never throws — for a bad
 * signature, a malformed or non-canonical base64 signature, or a key that is not an Ed25519
 * PEM key, so an attacker-controlled checkpoint cannot crash the verifier.
 */
export function verify(publicKeyPem: string, data: string | Uint8Array, signatureB64: string): boolean {
  try {
    if (typeof signatureB64 !== 'string') return false;
    const sig = Buffer.from(signatureB64, 'base64');
    // Buffer's base64 decoder skips junk; demand the one canonical encoding of 64 bytes.
    if (sig.length !== 64 || sig.toString('base64') !== signatureB64) return false;
    return nodeVerify(null, toBytes(data), ed25519Public(publicKeyPem), sig);
  } catch {
    return false;
  }
}

/** The public key (SPKI PEM) belonging to an Ed25519 private key PEM. */
export function publicKeyPemFromPrivate(privateKeyPem: string): string {
  return createPublicKey(ed25519Private(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Fingerprint of an Ed25519 public key: SHA-256 of its DER SPKI encoding, as 64 lowercase
 * hex characters with no grouping or separators (group it for display if wanted).
 * Independent check: `openssl pkey -pubin -in pub.pem -outform DER | sha256sum`.
 *
 * @throws CryptoError `bad_key` if `publicKeyPem` is not an Ed25519 key.
 */
export function publicKeyFingerprint(publicKeyPem: string): string {
  return sha256Hex(ed25519Public(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The Ed25519 public keys in a PEM text (a `conclave audit pubkey` file may hold several,
 * e.g. the current and a retired audit key), as SPKI PEM strings. Private-key blocks are
 * refused so that a private key is never passed around as a "public key file".
 *
 * @throws CryptoError `bad_key` if there is no block, a block is not an Ed25519 public key,
 *   or a block holds a private key.
 */
export function parsePublicKeys(pemText: string): string[] {
  const blocks = [...String(pemText).matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new CryptoError('bad_key', 'no PEM public key found');
  return blocks.map((m) => {
    if (m[1] !== 'PUBLIC KEY') throw new CryptoError('bad_key', `expected PUBLIC KEY blocks, found ${m[1]}`);
    return ed25519Public(m[0]).export({ type: 'spki', format: 'pem' }).toString();
  });
}
