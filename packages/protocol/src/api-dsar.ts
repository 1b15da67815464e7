/**
 * Data-subject requests (GOV-3, GDPR/CCPA/PIPL): any user asks for an export of their own data
 * or for its erasure; compliance officers (`dsar.decide`) see every request of the organisation
 * and approve or refuse it with a reason. Each request carries its deadline (org setting,
 * 30 days by default) and its history. The export is a zip the requester downloads
 * (`downloadDsarExport`, raw bytes): manifest.json with a SHA-256 per file, profile.json,
 * messages.jsonl, files/ and logins.jsonl. Behaviour and formats: docs/GOVERNANCE.md.
 */
import * as z from 'zod';
import { Id, Millis, cleanText, queryInt } from './common';
import type { Endpoint } from './api';
import { BinaryResponse } from './api-files';

const ep = <E extends Endpoint & { rawResponse?: true }>(e: E) => e;
const IdParams = z.object({ id: Id });

/** Longest deadline an organisation may set (GDPR: one month, extendable by two more). */
export const DSAR_MAX_DEADLINE_DAYS = 90;
/** Open requests due within this many days raise a `due_soon` alert. */
export const DSAR_DUE_SOON_DAYS = 7;

export const DsarKind = z.enum(['export', 'erasure']);
export type DsarKind = z.infer<typeof DsarKind>;
/** open → completed | refused | cancelled. Approval and completion happen in one step. */
export const DsarStatus = z.enum(['open', 'completed', 'refused', 'cancelled']);
export type DsarStatus = z.infer<typeof DsarStatus>;
/** Where an open request stands against its deadline (null once it is closed). */
export const DsarDeadlineState = z.enum(['on_track', 'due_soon', 'overdue']);

/** One step of a request's life, as the requester and officers see it. */
export const DsarHistoryEntry = z.object({
  event: z.enum(['opened', 'approved', 'refused', 'completed', 'cancelled']),
  at: Millis,
  /** Who did it; null for the server (an automatic self-service approval). */
  by: Id.nullable(),
  /** The decision's reason, or the cancellation's; null otherwise. */
  reason: z.string().nullable(),
});
export type DsarHistoryEntry = z.infer<typeof DsarHistoryEntry>;

export const DsarRequest = z.object({
  id: Id,
  kind: DsarKind,
  status: DsarStatus,
  requesterId: Id,
  /** The requester's own note to the officers. */
  note: z.string().nullable(),
  openedAt: Millis,
  /** Deadline fixed when the request was opened (later setting changes do not move it). */
  dueAt: Millis,
  deadline: DsarDeadlineState.nullable(),
  decision: z.object({
    outcome: z.enum(['approved', 'refused']),
    by: Id.nullable(),
    at: Millis,
    reason: z.string(),
    /** Approved by the server under the self-service rule (identity verified by MFA). */
    automatic: z.boolean(),
  }).nullable(),
  completedAt: Millis.nullable(),
  cancelledAt: Millis.nullable(),
  history: z.array(DsarHistoryEntry),
  /** Export requests once completed: the download window. */
  export: z.object({ availableUntil: Millis, expired: z.boolean(), downloads: z.number().int(), lastDownloadedAt: Millis.nullable() }).nullable(),
  /** Erasure requests once completed: what was erased (the signed receipt holds the same figures). */
  erasure: z.object({
    receiptId: z.string(), messagesErased: z.number().int(), filesErased: z.number().int(), keysDestroyed: z.number().int(), heldItemsKept: z.number().int(),
  }).nullable(),
});
export type DsarRequest = z.infer<typeof DsarRequest>;

/** Organisation-level settings of the request process. */
export const DsarSettings = z.object({
  /** Days from opening to the deadline (default 30). */
  deadlineDays: z.number().int().min(1).max(DSAR_MAX_DEADLINE_DAYS),
  /**
   * `self_service` (default): an export opened from an MFA-verified session is approved at
   * once by the server, officers still see it; otherwise it waits for an officer.
   * `officer`: every export waits for an officer.
   */
  exportApproval: z.enum(['self_service', 'officer']),
  /** Days a completed export stays downloadable (default 7). */
  exportTtlDays: z.number().int().min(1).max(30),
  updatedAt: Millis.nullable(),
  updatedBy: Id.nullable(),
});
export type DsarSettings = z.infer<typeof DsarSettings>;

/** A deadline alert for the compliance officers, raised once per request and kind. */
export const DsarAlert = z.object({
  id: Id,
  requestId: Id,
  requestKind: DsarKind,
  requesterId: Id,
  kind: z.enum(['due_soon', 'overdue']),
  dueAt: Millis,
  createdAt: Millis,
});
export type DsarAlert = z.infer<typeof DsarAlert>;

/** One file of an export zip, as listed in its manifest.json. */
export const DsarManifestFile = z.object({ path: z.string(), size: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
/** manifest.json of an export zip (format `conclave-dsar-export/1`). */
export const DsarExportManifest = z.object({
  format: z.literal('conclave-dsar-export/1'),
  requestId: Id,
  userId: Id,
  orgId: Id,
  generatedAt: Millis,
  files: z.array(DsarManifestFile),
  counts: z.object({ messages: z.number().int(), files: z.number().int(), logins: z.number().int() }),
  /** Items of the requester left out, by reason (e.g. a conversation they can no longer see). */
  withheld: z.record(z.string(), z.number().int()),
});
export type DsarExportManifest = z.infer<typeof DsarExportManifest>;

/** A decision's reason: required, shown to the requester (e.g. "legal hold", "retention obligation"). */
const Reason = cleanText(2000).refine((s) => s.trim().length > 0, 'a reason is required');
const One = z.object({ request: DsarRequest });

export const dsarEndpoints = {
  openDsarRequest: ep({
    method: 'POST', path: '/api/v1/dsar/requests', summary: 'Open a data-subject request about yourself: an export of your data or its erasure (GOV-3).',
    body: z.object({ kind: DsarKind, note: cleanText(2000).optional() }).strict(),
    response: One,
  }),
  listMyDsarRequests: ep({
    method: 'GET', path: '/api/v1/dsar/requests/mine', summary: 'Your own data-subject requests with their history, newest first.',
    response: z.object({ requests: z.array(DsarRequest) }),
  }),
  listDsarRequests: ep({
    method: 'GET', path: '/api/v1/dsar/requests', summary: 'Every data-subject request of the organisation, newest first (dsar.decide). Audited.',
    query: z.object({ status: DsarStatus.optional(), kind: DsarKind.optional(), cursor: Id.optional(), limit: queryInt(1, 500).optional() }).strict(),
    response: z.object({ requests: z.array(DsarRequest), nextCursor: Id.nullable() }),
  }),
  getDsarRequest: ep({
    method: 'GET', path: '/api/v1/dsar/requests/:id', summary: 'One request: your own, or any with dsar.decide.',
    params: IdParams, response: One,
  }),
  cancelDsarRequest: ep({
    method: 'POST', path: '/api/v1/dsar/requests/:id/cancel', summary: 'Cancel your own open request.',
    params: IdParams, body: z.object({ reason: cleanText(2000).optional() }).strict().optional(), response: One,
  }),
  decideDsarRequest: ep({
    method: 'POST', path: '/api/v1/dsar/requests/:id/decision',
    summary: 'Approve or refuse an open request with a reason (dsar.decide, MFA session). Approving an erasure erases the person at once; refused while a legal hold names them.',
    params: IdParams, body: z.object({ decision: z.enum(['approve', 'refuse']), reason: Reason }).strict(), response: One,
  }),
  downloadDsarExport: ep({
    method: 'GET', path: '/api/v1/dsar/requests/:id/export', summary: 'Your completed export as a zip, generated on download, until it expires. Audited.',
    params: IdParams, rawResponse: true, response: BinaryResponse,
  }),
  getDsarSettings: ep({
    method: 'GET', path: '/api/v1/dsar/settings', summary: 'Deadline, export approval and export lifetime (dsar.decide).',
    response: z.object({ settings: DsarSettings }),
  }),
  updateDsarSettings: ep({
    method: 'PATCH', path: '/api/v1/dsar/settings', summary: 'Change the request settings (dsar.decide). Open requests keep their deadline.',
    body: z.object({
      deadlineDays: z.number().int().min(1).max(DSAR_MAX_DEADLINE_DAYS).optional(),
      exportApproval: z.enum(['self_service', 'officer']).optional(),
      exportTtlDays: z.number().int().min(1).max(30).optional(),
    }).strict().refine((b) => Object.keys(b).length > 0, { message: 'give at least one setting to change' }),
    response: z.object({ settings: DsarSettings }),
  }),
  listDsarAlerts: ep({
    method: 'GET', path: '/api/v1/dsar/alerts', summary: 'Deadline alerts (due within 7 days, overdue), newest first (dsar.decide).',
    query: z.object({ cursor: Id.optional(), limit: queryInt(1, 500).optional() }).strict(),
    response: z.object({ alerts: z.array(DsarAlert), nextCursor: Id.nullable() }),
  }),
} as const;
