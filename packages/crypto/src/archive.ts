/**
 * E2EE compliance archive crypto (GOV-5, ENC-2): HPKE (RFC 9180, DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, AES-256-GCM) from `@hpke/core` + `@hpke/dhkem-x25519`, and Shamir secret sharing
 * over GF(2^8) from `shamir-secret-sharing`. No primitive is implemented here: this file only
 * fixes the suite, the envelope layout and what each ciphertext is bound to.
 *
 * Runs unchanged in Node ≥ 20 and browsers (WebCrypto only, no `node:` imports), because the
 * SDK — and so the web client — performs every operation that touches a private key. The
 * server only ever calls {@link parseArchiveEnvelope} and {@link isArchivePublicKey}.
 *
 * Key lifecycle:
 * - the org archive key pair is derived from a 32-byte random seed (RFC 9180 DeriveKeyPair);
 *   the seed, not the X25519 scalar, is what gets split, so that a reconstruction can be
 *   checked by re-deriving the public key (the Shamir library itself cannot tell a wrong
 *   result from a right one);
 * - each share is sealed to one compliance officer's device key (`purpose: 'share'`);
 * - for a decryption request an officer opens their share locally and reseals it to the
 *   requester's one-off key (`purpose: 'release'`); k released shares rebuild the seed.
 *
 * @packageDocumentation
 */
import { Aes256Gcm, CipherSuite } from '@hpke/core';
import { DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/dhkem-x25519';
import { combine, split } from 'shamir-secret-sharing';
import { CryptoError } from './errors';

/** Envelope format version (first byte of every archive ciphertext). */
export const ARCHIVE_ENVELOPE_VERSION = 1;
/** Raw X25519 public/private key size. */
export const ARCHIVE_KEY_BYTES = 32;
/** Size of the archive key seed that is split into shares. */
export const ARCHIVE_SEED_BYTES = 32;
/** Size of one Shamir share of the seed (seed bytes + the share's x coordinate). */
export const ARCHIVE_SHARE_BYTES = ARCHIVE_SEED_BYTES + 1;
/** Bytes an envelope adds to its plaintext besides the key id: version, id length, enc (32), GCM tag (16). */
export const ARCHIVE_ENVELOPE_OVERHEAD = 2 + 32 + 16;
/** Human-readable suite name, shown in docs and status output. */
export const ARCHIVE_SUITE = 'HPKE base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM; Shamir over GF(2^8)';
/** Largest share count the Shamir library supports. */
export const ARCHIVE_MAX_SHARES = 255;

/** What an archive ciphertext is for; also its HPKE `info`, so a ciphertext of one kind never opens as another. */
export type ArchivePurpose = 'message' | 'share' | 'release';

/** An X25519 key pair as raw bytes (the private half stays on the device that made it). */
export interface ArchiveKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** The parsed header of an archive envelope; `keyId` names the recipient key. */
export interface ArchiveEnvelope {
  version: number;
  keyId: string;
  enc: Uint8Array;
  ct: Uint8Array;
}

/** What a message archive ciphertext is bound to (its AAD): the server cannot move it to another message. */
export interface MessageBinding { conversationId: string; authorId: string; clientId: string }
/** What a share sealed to an officer is bound to: the archive key it belongs to and its holder. */
export interface ShareBinding { archivePublicKey: Uint8Array; officerUserId: string; officerKeyId: string }
/** What a released share is bound to: the request, the archive key and the officer who released it. */
export interface ReleaseBinding { requestId: string; archiveKeyId: string; officerUserId: string }

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const utf8 = new TextEncoder();
const MAX_KEY_ID = 64;

/** A fresh X25519 key pair: an officer's device key, or a requester's one-off key. */
export async function generateArchiveRecipientKey(): Promise<ArchiveKeyPair> {
  const kp = await suite.kem.generateKeyPair();
  return exportPair(kp);
}

/** The archive key pair a seed stands for (RFC 9180 DeriveKeyPair; deterministic). */
export async function archiveKeyFromSeed(seed: Uint8Array): Promise<ArchiveKeyPair> {
  if (seed.length !== ARCHIVE_SEED_BYTES) throw new CryptoError('bad_key', `an archive seed is ${ARCHIVE_SEED_BYTES} bytes`);
  return exportPair(await suite.kem.deriveKeyPair(seed));
}

/**
 * The archive setup ceremony's key step: a random seed, its key pair, and `shareCount` Shamir
 * shares of the seed of which any `threshold` rebuild it. The seed is wiped before returning;
 * the caller gets the public key and the shares only.
 */
export async function createArchiveKey(shareCount: number, threshold: number): Promise<{ publicKey: Uint8Array; shares: Uint8Array[] }> {
  checkQuorum(shareCount, threshold);
  const seed = globalThis.crypto.getRandomValues(new Uint8Array(ARCHIVE_SEED_BYTES));
  try {
    const { publicKey, privateKey } = await archiveKeyFromSeed(seed);
    privateKey.fill(0);
    return { publicKey, shares: await split(seed, shareCount, threshold) };
  } finally {
    seed.fill(0);
  }
}

/**
 * Rebuilds the archive key from released shares and checks it against the archive's public
 * key. Too few shares, or shares of another ceremony, combine to some other value: that is
 * caught here (the Shamir library cannot tell) and reported as `decrypt_failed`.
 */
export async function recoverArchiveKey(shares: Uint8Array[], archivePublicKey: Uint8Array): Promise<ArchiveKeyPair> {
  if (shares.length < 2) throw new CryptoError('decrypt_failed', 'the shares do not rebuild the archive key (at least 2 are needed)');
  if (shares.some((s) => s.length !== ARCHIVE_SHARE_BYTES)) throw new CryptoError('bad_input', `an archive share is ${ARCHIVE_SHARE_BYTES} bytes`);
  let seed: Uint8Array;
  try {
    seed = await combine(shares);
  } catch (cause) {
    throw new CryptoError('bad_input', 'the shares cannot be combined (duplicates or malformed)', { cause });
  }
  try {
    const pair = await archiveKeyFromSeed(seed);
    if (!equalBytes(pair.publicKey, archivePublicKey)) {
      pair.privateKey.fill(0);
      throw new CryptoError('decrypt_failed', 'the shares do not rebuild the archive key (too few, or not from this archive key)');
    }
    return pair;
  } finally {
    seed.fill(0);
  }
}

/** Seals a message's plaintext to the archive key (what a client sends as `archiveCiphertext`). */
export function sealArchiveMessage(archivePublicKey: Uint8Array, archiveKeyId: string, plaintext: Uint8Array, b: MessageBinding): Promise<Uint8Array> {
  return sealEnvelope(archivePublicKey, 'message', archiveKeyId, plaintext, [b.conversationId, b.authorId, b.clientId]);
}
/** Opens an archived message with the rebuilt archive private key; fails unless the binding matches. */
export function openArchiveMessage(archivePrivateKey: Uint8Array, envelope: Uint8Array, b: MessageBinding): Promise<Uint8Array> {
  return openEnvelope(archivePrivateKey, 'message', envelope, [b.conversationId, b.authorId, b.clientId]);
}

/** Seals one Shamir share to an officer's device key (envelope key id: the officer key's id). */
export function sealOfficerShare(officerPublicKey: Uint8Array, share: Uint8Array, b: ShareBinding): Promise<Uint8Array> {
  return sealEnvelope(officerPublicKey, 'share', b.officerKeyId, share, [b64(b.archivePublicKey), b.officerUserId]);
}
/** Opens the share sealed to this officer's device key. */
export function openOfficerShare(officerPrivateKey: Uint8Array, envelope: Uint8Array, b: ShareBinding): Promise<Uint8Array> {
  return openEnvelope(officerPrivateKey, 'share', envelope, [b64(b.archivePublicKey), b.officerUserId], b.officerKeyId);
}

/** Reseals an opened share to a requester's one-off key (envelope key id: the request id). */
export function sealReleasedShare(requesterPublicKey: Uint8Array, share: Uint8Array, b: ReleaseBinding): Promise<Uint8Array> {
  return sealEnvelope(requesterPublicKey, 'release', b.requestId, share, [b.archiveKeyId, b.officerUserId]);
}
/** Opens a share released to this request's key. */
export function openReleasedShare(requesterPrivateKey: Uint8Array, envelope: Uint8Array, b: ReleaseBinding): Promise<Uint8Array> {
  return openEnvelope(requesterPrivateKey, 'release', envelope, [b.archiveKeyId, b.officerUserId], b.requestId);
}

/**
 * Reads an envelope's header without any key: what the server does to check which key a
 * ciphertext claims to be for. Throws `bad_input` on anything malformed.
 */
export function parseArchiveEnvelope(bytes: Uint8Array): ArchiveEnvelope {
  if (bytes.length < 2 || bytes[0] !== ARCHIVE_ENVELOPE_VERSION) throw new CryptoError('bad_input', 'not an archive envelope (unknown version)');
  const idLen = bytes[1]!;
  const encAt = 2 + idLen;
  if (idLen === 0 || idLen > MAX_KEY_ID || bytes.length < encAt + 32 + 16) throw new CryptoError('bad_input', 'not an archive envelope (truncated or bad key id)');
  const idBytes = bytes.subarray(2, encAt);
  if (idBytes.some((c) => c < 0x21 || c > 0x7e)) throw new CryptoError('bad_input', 'not an archive envelope (key id is not printable ASCII)');
  return { version: bytes[0]!, keyId: String.fromCharCode(...idBytes), enc: bytes.slice(encAt, encAt + 32), ct: bytes.slice(encAt + 32) };
}

/** True when `key` has the shape of an X25519 public key this suite accepts. */
export async function isArchivePublicKey(key: Uint8Array): Promise<boolean> {
  if (key.length !== ARCHIVE_KEY_BYTES) return false;
  try {
    await suite.kem.deserializePublicKey(key);
    return true;
  } catch {
    return false;
  }
}

/** SHA-256 of a public key in groups of four hex digits: what officers compare out of band. */
export async function archiveKeyFingerprint(publicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', publicKey as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('').match(/.{4}/g)!.join(' ');
}

/** Validates a k-of-n choice before anything is generated. */
export function checkQuorum(shareCount: number, threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 2) throw new CryptoError('bad_input', 'threshold: a quorum needs at least 2 officers');
  if (!Number.isInteger(shareCount) || shareCount < threshold) throw new CryptoError('bad_input', 'shares: there must be at least as many shares as the threshold');
  if (shareCount > ARCHIVE_MAX_SHARES) throw new CryptoError('bad_input', `shares: at most ${ARCHIVE_MAX_SHARES}`);
}

// ---------------------------------------------------------------- envelope

async function sealEnvelope(recipientPublicKey: Uint8Array, purpose: ArchivePurpose, keyId: string, plaintext: Uint8Array, context: string[]): Promise<Uint8Array> {
  const id = keyIdBytes(keyId);
  let recipient: CryptoKey;
  try {
    recipient = await suite.kem.deserializePublicKey(recipientPublicKey);
  } catch (cause) {
    throw new CryptoError('bad_key', 'not an X25519 public key', { cause });
  }
  const { enc, ct } = await suite.seal({ recipientPublicKey: recipient, info: info(purpose) }, plaintext, aad(purpose, keyId, context));
  const out = new Uint8Array(2 + id.length + enc.byteLength + ct.byteLength);
  out[0] = ARCHIVE_ENVELOPE_VERSION;
  out[1] = id.length;
  out.set(id, 2);
  out.set(new Uint8Array(enc), 2 + id.length);
  out.set(new Uint8Array(ct), 2 + id.length + enc.byteLength);
  return out;
}

async function openEnvelope(privateKey: Uint8Array, purpose: ArchivePurpose, bytes: Uint8Array, context: string[], expectKeyId?: string): Promise<Uint8Array> {
  let env: ArchiveEnvelope;
  try {
    env = parseArchiveEnvelope(bytes);
  } catch (cause) {
    throw new CryptoError('decrypt_failed', 'the archive ciphertext does not open', { cause });
  }
  if (expectKeyId !== undefined && env.keyId !== expectKeyId) throw new CryptoError('decrypt_failed', 'the archive ciphertext does not open');
  let key: CryptoKey;
  try {
    key = await suite.kem.deserializePrivateKey(privateKey);
  } catch (cause) {
    throw new CryptoError('bad_key', 'not an X25519 private key', { cause });
  }
  try {
    return new Uint8Array(await suite.open({ recipientKey: key, enc: env.enc, info: info(purpose) }, env.ct, aad(purpose, env.keyId, context)));
  } catch {
    // One answer for wrong key, wrong binding and tampering: no decryption oracle.
    throw new CryptoError('decrypt_failed', 'the archive ciphertext does not open');
  }
}

function info(purpose: ArchivePurpose): Uint8Array {
  return utf8.encode(`conclave/archive/v1/${purpose}`);
}

/** Length-prefixed fields, so no two different field lists encode alike. */
function aad(purpose: ArchivePurpose, keyId: string, context: string[]): Uint8Array {
  const parts = [purpose, keyId, ...context].map((s) => utf8.encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    new DataView(out.buffer).setUint32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

function keyIdBytes(keyId: string): Uint8Array {
  const id = utf8.encode(keyId);
  if (id.length === 0 || id.length > MAX_KEY_ID || id.some((c) => c < 0x21 || c > 0x7e)) throw new CryptoError('bad_input', 'a key id is 1-64 printable ASCII characters');
  return id;
}

async function exportPair(kp: CryptoKeyPair): Promise<ArchiveKeyPair> {
  return {
    publicKey: new Uint8Array(await suite.kem.serializePublicKey(kp.publicKey)),
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(kp.privateKey)),
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function b64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
