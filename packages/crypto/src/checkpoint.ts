import { isChainHash } from './audit-chain';
import { canonicalJson } from './canonical-json';
import { CryptoError } from './errors';
import { publicKeyFingerprint, sign, verify } from './signing';

/**
 * A signed audit checkpoint: "the chain of organisation `org` had `count` rows and its last
 * row's hash was `headHash`, at time `at`". Signed with the server's Ed25519 audit key, so
 * rows cut off the end of the chain, or a chain rewritten with recomputed hashes, no longer
 * match a checkpoint the server signed earlier. Format: docs/AUDIT-FORMAT.md.
 */
export interface AuditCheckpoint {
  /** Organisation id the chain belongs to. */
  org: string;
  /** Rows in the chain at signing time; equals the seq of the head row. */
  count: number;
  /** `hash` of the row with seq `count`. */
  headHash: string;
  /** Signing time, integer milliseconds since the Unix epoch (UTC). */
  at: number;
  /** {@link publicKeyFingerprint} of the signing key (not signed; tells which key to try). */
  keyFingerprint: string;
  /** Ed25519 signature (standard base64) over {@link checkpointPayload}. */
  signature: string;
}

/** The fields a checkpoint signature covers. */
export type CheckpointFields = Pick<AuditCheckpoint, 'org' | 'count' | 'headHash' | 'at'>;

/** Value of `type` in the signed payload: binds the signature to this purpose. */
export const CHECKPOINT_TYPE = 'conclave.audit.checkpoint';

/**
 * The exact bytes (UTF-8) a checkpoint signature covers:
 * `canonicalJson({ type: "conclave.audit.checkpoint", v: 1, org, count, head, at })`.
 */
export function checkpointPayload(c: CheckpointFields): string {
  return canonicalJson({ type: CHECKPOINT_TYPE, v: 1, org: c.org, count: c.count, head: c.headHash, at: c.at });
}

function checkFields(c: CheckpointFields): void {
  if (typeof c.org !== 'string' || c.org === '') throw new CryptoError('bad_input', 'checkpoint org must be a non-empty string');
  if (!Number.isSafeInteger(c.count) || c.count < 0) throw new CryptoError('bad_input', 'checkpoint count must be a non-negative integer');
  if (!isChainHash(c.headHash)) throw new CryptoError('bad_input', 'checkpoint headHash must be 64 lowercase hex characters');
  if (!Number.isSafeInteger(c.at) || c.at < 0) throw new CryptoError('bad_input', 'checkpoint at must be integer milliseconds');
}

/**
 * Signs a checkpoint with an Ed25519 private key (PKCS#8 PEM).
 *
 * @throws CryptoError `bad_input` on malformed fields, `bad_key` on a bad key.
 */
export function signCheckpoint(privateKeyPem: string, publicKeyPem: string, c: CheckpointFields): AuditCheckpoint {
  checkFields(c);
  return {
    org: c.org, count: c.count, headHash: c.headHash, at: c.at,
    keyFingerprint: publicKeyFingerprint(publicKeyPem),
    signature: sign(privateKeyPem, checkpointPayload(c)),
  };
}

/**
 * Whether `c` carries a valid signature by one of `publicKeyPems`. Never throws: a
 * malformed checkpoint (from an untrusted file) is simply not valid.
 */
export function verifyCheckpoint(publicKeyPems: readonly string[], c: unknown): boolean {
  const cp = parseCheckpoint(c);
  if (!cp) return false;
  let payload: string;
  try {
    payload = checkpointPayload(cp);
  } catch {
    return false;
  }
  return publicKeyPems.some((pem) => verify(pem, payload, cp.signature));
}

/** `c` as an {@link AuditCheckpoint} when it has that shape, else undefined (never throws). */
export function parseCheckpoint(c: unknown): AuditCheckpoint | undefined {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const r = c as Record<string, unknown>;
  const cp = { org: r.org, count: r.count, headHash: r.headHash, at: r.at, keyFingerprint: r.keyFingerprint, signature: r.signature };
  try {
    checkFields(cp as CheckpointFields);
  } catch {
    return undefined;
  }
  if (typeof cp.signature !== 'string' || typeof cp.keyFingerprint !== 'string') return undefined;
  return cp as AuditCheckpoint;
}
