/** Rows → wire shapes for governance (GOV-1, GOV-2). */
import type { DeletionCounts, HoldQuery, LegalHold, RetentionPolicy, RetentionRun } from '@conclave/protocol';
import type { HoldRow, PolicyRow, ReceiptRow, RunRow } from './governance.store';
import { DeletionTally } from './purge';

export function presentPolicy(r: PolicyRow): RetentionPolicy {
  return {
    id: r.id, scope: r.scope as RetentionPolicy['scope'], target: r.target, deleteAfterDays: r.delete_after_days === null ? null : Number(r.delete_after_days),
    createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export function presentHold(h: HoldRow): LegalHold {
  return {
    id: h.id, name: h.name, kind: h.kind as LegalHold['kind'], custodianId: h.custodian_id, conversationId: h.conversation_id,
    query: h.query ? (JSON.parse(h.query) as HoldQuery) : null, reason: h.reason, createdBy: h.created_by, createdAt: Number(h.created_at),
    active: h.released_at === null, releasedBy: h.released_by, releasedAt: h.released_at === null ? null : Number(h.released_at), releaseReason: h.release_reason,
  };
}

export function presentRun(r: RunRow): RetentionRun {
  return {
    id: r.id, trigger: r.trigger as RetentionRun['trigger'], status: r.status as RetentionRun['status'], startedBy: r.started_by,
    startedAt: Number(r.started_at), finishedAt: r.finished_at === null ? null : Number(r.finished_at), counts: DeletionTally.from(r.progress).counts, receiptId: r.receipt_id,
  };
}

export function receiptCounts(r: ReceiptRow): DeletionCounts {
  return (JSON.parse(r.body) as { counts: DeletionCounts }).counts;
}
