/** Request rows → wire objects (GOV-3): the same view for the requester and the officers. */
import { DSAR_DUE_SOON_DAYS, type DsarAlert, type DsarHistoryEntry, type DsarRequest } from '@conclave/protocol';
import type { AlertRow, RequestRow } from './dsar.store';
import { DAY_MS } from './dsar.settings';

const num = (v: number | null) => (v === null ? null : Number(v));

/** Where an open request stands against its deadline at `now`. */
export function deadlineState(row: RequestRow, now: number): DsarRequest['deadline'] {
  if (row.status !== 'open') return null;
  const due = Number(row.due_at);
  if (now >= due) return 'overdue';
  return due - now <= DSAR_DUE_SOON_DAYS * DAY_MS ? 'due_soon' : 'on_track';
}

function history(r: RequestRow): DsarHistoryEntry[] {
  const out: DsarHistoryEntry[] = [{ event: 'opened', at: Number(r.opened_at), by: r.requester_id, reason: null }];
  if (r.decision && r.decided_at !== null) {
    out.push({ event: r.decision as 'approved' | 'refused', at: Number(r.decided_at), by: r.decided_by, reason: r.decision_reason });
  }
  if (r.completed_at !== null) out.push({ event: 'completed', at: Number(r.completed_at), by: r.decided_by, reason: null });
  if (r.cancelled_at !== null) out.push({ event: 'cancelled', at: Number(r.cancelled_at), by: r.requester_id, reason: r.cancel_reason });
  return out;
}

export function presentRequest(r: RequestRow, now: number): DsarRequest {
  const expires = num(r.export_expires_at);
  return {
    id: r.id, kind: r.kind as DsarRequest['kind'], status: r.status as DsarRequest['status'], requesterId: r.requester_id, note: r.note,
    openedAt: Number(r.opened_at), dueAt: Number(r.due_at), deadline: deadlineState(r, now),
    decision: r.decision && r.decided_at !== null
      ? { outcome: r.decision as 'approved' | 'refused', by: r.decided_by, at: Number(r.decided_at), reason: r.decision_reason ?? '', automatic: r.automatic === 1 }
      : null,
    completedAt: num(r.completed_at), cancelledAt: num(r.cancelled_at), history: history(r),
    export: r.kind === 'export' && r.status === 'completed' && expires !== null
      ? { availableUntil: expires, expired: now >= expires, downloads: Number(r.downloads), lastDownloadedAt: num(r.last_downloaded_at) }
      : null,
    erasure: r.erasure ? (JSON.parse(r.erasure) as DsarRequest['erasure']) : null,
  };
}

export function presentAlert(a: Omit<AlertRow, 'org_id'> & { request_kind: string; requester_id: string }): DsarAlert {
  return {
    id: a.id, requestId: a.request_id, requestKind: a.request_kind as DsarAlert['requestKind'], requesterId: a.requester_id,
    kind: a.kind as DsarAlert['kind'], dueAt: Number(a.due_at), createdAt: Number(a.created_at),
  };
}
