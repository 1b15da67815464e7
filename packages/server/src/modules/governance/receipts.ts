/**
 * Issuing deletion receipts (GOV-2) inside the deleting action's transaction: the receipt
 * names the audit chain head it follows, is signed with the audit key, stored, and its hash
 * goes into that action's own audit row — so the chain vouches for the receipt and the
 * receipt for the chain. Format: docs/GOVERNANCE.md; offline check: crypto/deletion-receipt.ts.
 */
import { DELETION_RECEIPT_TYPE, signDeletionReceipt, type SignedReceipt } from '@conclave/crypto';
import type { ActionContext } from '../../kernel/action';
import { newId } from '../../kernel/ids';
import { auditHead } from '../audit/audit.store';
import type { AuditKeys } from '../audit/signing-key';
import { insertReceipt } from './governance.store';
import type { DeletionTally } from './purge';

export interface ReceiptFields {
  kind: 'retention' | 'erasure';
  tally: DeletionTally;
  /** Holds that kept items, with how many. */
  holds: Map<string, number>;
  /** Kind-specific facts (run id, subject, cut-off times); metadata only. */
  extra: Record<string, unknown>;
}

export async function issueReceipt(ctx: ActionContext, keys: AuditKeys, f: ReceiptFields): Promise<{ id: string; signed: SignedReceipt }> {
  const key = await keys.currentWithin(ctx);
  const id = newId(ctx.now);
  const head = await auditHead(ctx.trx, ctx.actor.orgId);
  const { counts, destroyedKeys } = f.tally.toJSON();
  const receipt = {
    type: DELETION_RECEIPT_TYPE, v: 1, id, org: ctx.actor.orgId, kind: f.kind, issuedAt: ctx.now,
    actor: { type: ctx.actor.kind, id: ctx.actor.userId },
    ...f.extra,
    counts,
    destroyedKeys: destroyedKeys.sort((a, b) => (a.id < b.id ? -1 : 1)),
    holdsRespected: [...f.holds].map(([holdId, itemsKept]) => ({ holdId, itemsKept })).sort((a, b) => (a.holdId < b.holdId ? -1 : 1)),
    auditHead: head ? { seq: Number(head.seq), hash: head.hash } : null,
  };
  const signed = signDeletionReceipt(key.privateKeyPem, key.publicKeyPem, receipt);
  await insertReceipt(ctx.trx, {
    id, org_id: ctx.actor.orgId, kind: f.kind, created_at: ctx.now, body: JSON.stringify(receipt), hash: signed.hash,
    key_fingerprint: signed.keyFingerprint, signature: signed.signature,
  });
  ctx.detail({ receiptId: id, receiptHash: signed.hash, ...counts });
  return { id, signed };
}
