/**
 * Audit trail and security alerts (AUD-1..3, MON-1): search, trace, checkpoints and keys,
 * verifiable export (audit.read / audit.export), alerts (alerts.manage).
 * Formats and verification: docs/AUDIT-FORMAT.md.
 */
import * as z from 'zod';
import { Id, Millis, cleanText, queryInt } from './common';
import { Alert, AlertRule, AuditExportManifest, AuditKeyInfo, AuditOutcome, AuditRecord, SignedCheckpoint } from './models';
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;

/** Latest time accepted anywhere (year 2286): beyond it a range is absurd, not just empty. */
export const MAX_AUDIT_TIME = 9_999_999_999_999;

/** An object id as stored in target_id / actor_id (ULIDs, but also e.g. role names). */
const RefId = z.string().min(1).max(200).regex(/^[\w.:@-]+$/, 'must be an object id');
/** An action name (`auth.login`) or a prefix ending in `.*` (`auth.*`). */
const ActionFilter = z.string().max(100).regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, 'must be an action name such as auth.login, or a prefix such as auth.*');
/** A paging cursor from a previous answer (opaque to clients). */
const Cursor = z.string().regex(/^[1-9]\d{0,15}$/, 'must be a cursor returned by a previous page');
/** Time in a query string: integer milliseconds since the epoch, or an ISO-8601 date/time. */
const QueryTime = z.string()
  .regex(/^(\d{1,16}|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?)$/, 'must be milliseconds since the epoch or an ISO-8601 time')
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)))
  .pipe(z.number({ error: 'is not a valid date' }).int('is not a valid date').min(0).max(MAX_AUDIT_TIME, 'is too far in the future'));

const Page = z.object({ cursor: Cursor.optional(), limit: queryInt(1, 500).optional() });
const Records = z.object({ records: z.array(AuditRecord), nextCursor: z.string().nullable() });

const fromBeforeTo = (q: { from?: number; to?: number }) => q.from === undefined || q.to === undefined || q.from <= q.to;

export const auditEndpoints = {
  searchAudit: ep({
    method: 'GET', path: '/api/v1/audit', summary: 'Search the audit log, newest first (audit.read). Audited as a sensitive read.',
    query: Page.extend({
      actor: RefId.optional(),
      actorType: z.enum(['user', 'system', 'anonymous']).optional(),
      action: ActionFilter.optional(),
      target: RefId.optional(),
      outcome: AuditOutcome.optional(),
      from: QueryTime.optional(),
      to: QueryTime.optional(),
    }).strict().refine(fromBeforeTo, { message: 'must not be after `to`', path: ['from'] }),
    response: Records,
  }),
  traceAudit: ep({
    method: 'GET', path: '/api/v1/audit/trace/:id', summary: 'Every operation on record X: rows targeting it, done by it, or referring to it (audit.read).',
    params: z.object({ id: RefId }), query: Page.strict(), response: Records,
  }),
  listAuditCheckpoints: ep({
    method: 'GET', path: '/api/v1/audit/checkpoints', summary: 'Signed checkpoints, newest first, and the current head (audit.read).',
    query: Page.strict(),
    response: z.object({ checkpoints: z.array(SignedCheckpoint), head: z.object({ count: z.number().int(), hash: z.string() }), nextCursor: z.string().nullable() }),
  }),
  listAuditKeys: ep({
    method: 'GET', path: '/api/v1/audit/keys', summary: 'Public audit signing keys and their fingerprints (audit.read).',
    response: z.object({ keys: z.array(AuditKeyInfo) }),
  }),
  exportAudit: ep({
    method: 'POST', path: '/api/v1/audit/exports', summary: 'Export a range as signed JSON Lines for `conclave audit verify --export` (audit.export). Audited.',
    body: z.object({
      fromSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      toSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      from: Millis.max(MAX_AUDIT_TIME).optional(),
      to: Millis.max(MAX_AUDIT_TIME).optional(),
    }).strict()
      .refine((b) => b.fromSeq === undefined || b.toSeq === undefined || b.fromSeq <= b.toSeq, { message: 'must not be after toSeq', path: ['fromSeq'] })
      .refine(fromBeforeTo, { message: 'must not be after `to`', path: ['from'] })
      .refine((b) => (b.fromSeq === undefined && b.toSeq === undefined) || (b.from === undefined && b.to === undefined), { message: 'give a seq range or a time range, not both', path: ['from'] })
      .optional(),
    response: z.object({ manifest: AuditExportManifest, jsonl: z.string(), filename: z.string() }),
  }),

  listAlerts: ep({
    method: 'GET', path: '/api/v1/alerts', summary: 'Security alerts, newest first (alerts.manage). `scannedThrough` is the last audit seq the rules have read.',
    query: z.object({ cursor: Id.optional(), limit: queryInt(1, 500).optional(), status: z.enum(['open', 'acknowledged']).optional(), rule: AlertRule.optional() }).strict(),
    response: z.object({ alerts: z.array(Alert), nextCursor: z.string().nullable(), scannedThrough: z.number().int(), head: z.number().int() }),
  }),
  getAlert: ep({
    method: 'GET', path: '/api/v1/alerts/:id', summary: 'One alert with the audit rows that triggered it (alerts.manage).',
    params: z.object({ id: Id }), response: z.object({ alert: Alert, records: z.array(AuditRecord) }),
  }),
  acknowledgeAlert: ep({
    method: 'POST', path: '/api/v1/alerts/:id/acknowledge', summary: 'Acknowledge an alert, optionally with a note (alerts.manage). Audited.',
    params: z.object({ id: Id }), body: z.object({ note: cleanText(1000).optional() }).strict().optional(), response: z.object({ alert: Alert }),
  }),
} as const;
