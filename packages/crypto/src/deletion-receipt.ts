/**
 * Deletion receipts (GOV-2): the signed statement a retention run or an erasure issues — which
 * key ids it destroyed, how many items it removed, which legal holds it respected, and the
 * audit chain head it followed. The signature is Ed25519 by the audit key over the canonical
 * JSON of the receipt; the receipt's SHA-256 is also written into the audit row of the action
 * that issued it, which links the receipt into the tamper-evident chain. Checked offline by
 * `conclave governance verify-receipt` (format: docs/GOVERNANCE.md).
 */
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hash';
import { publicKeyFingerprint, sign, verify } from './signing';

/** Value of `type` in every receipt: binds the signature to this purpose. */
export const DELETION_RECEIPT_TYPE = 'conclave.deletion-receipt';

/** A receipt as issued: the statement, its hash, the signature and the signing key's fingerprint. */
export interface SignedReceipt {
  receipt: Record<string, unknown>;
  hash: string;
  signature: string;
  keyFingerprint: string;
}

/** Signs `receipt` (which must carry `type: conclave.deletion-receipt` and `v: 1`). */
export function signDeletionReceipt(privateKeyPem: string, publicKeyPem: string, receipt: Record<string, unknown>): SignedReceipt {
  if (receipt.type !== DELETION_RECEIPT_TYPE || receipt.v !== 1) throw new Error(`a deletion receipt needs type ${DELETION_RECEIPT_TYPE} and v 1`);
  const payload = canonicalJson(receipt);
  return { receipt, hash: sha256Hex(payload), signature: sign(privateKeyPem, payload), keyFingerprint: publicKeyFingerprint(publicKeyPem) };
}

/** The result of checking a receipt: `ok`, or every problem found, in words. */
export interface ReceiptCheck { ok: boolean; problems: string[]; keyFingerprint?: string }

/** `details.receiptHash` of an audit row: details are an object (API) or canonical JSON text (exports). */
function receiptHashOf(details: unknown): unknown {
  if (typeof details === 'string') {
    try {
      details = JSON.parse(details);
    } catch {
      return undefined;
    }
  }
  return details && typeof details === 'object' ? (details as { receiptHash?: unknown }).receiptHash : undefined;
}

/**
 * Checks a receipt read from an untrusted file against trusted audit public keys. Never throws.
 * Optionally checks its link into an audit export: the export must hold a row whose details
 * carry `receiptHash` equal to the receipt's hash.
 */
export function verifyDeletionReceipt(input: unknown, publicKeyPems: readonly string[], auditRows?: Iterable<{ details?: unknown }>): ReceiptCheck {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: ['not a receipt: expected a JSON object with receipt, hash, signature'] };
  const r = input as Partial<SignedReceipt>;
  if (!r.receipt || typeof r.receipt !== 'object' || Array.isArray(r.receipt)) return { ok: false, problems: ['missing "receipt" object'] };
  if (typeof r.signature !== 'string' || typeof r.hash !== 'string') return { ok: false, problems: ['missing "hash" or "signature"'] };
  if (r.receipt.type !== DELETION_RECEIPT_TYPE) problems.push(`receipt.type is not ${DELETION_RECEIPT_TYPE}`);
  let payload: string;
  try {
    payload = canonicalJson(r.receipt);
  } catch {
    return { ok: false, problems: ['receipt is not canonicalisable JSON'] };
  }
  if (sha256Hex(payload) !== r.hash) problems.push('hash does not match the receipt (the receipt was altered)');
  const signer = publicKeyPems.find((pem) => verify(pem, payload, r.signature!));
  if (!signer) problems.push('signature does not verify with any of the given audit public keys');
  if (auditRows) {
    let linked = false;
    for (const row of auditRows) {
      if (receiptHashOf(row.details) === r.hash) { linked = true; break; }
    }
    if (!linked) problems.push('no audit record in the given export carries this receipt\'s hash');
  }
  return { ok: problems.length === 0, problems, keyFingerprint: signer ? publicKeyFingerprint(signer) : undefined };
}
