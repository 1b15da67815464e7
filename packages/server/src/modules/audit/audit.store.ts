/**
 * SQL of the audit module: reads of audit_log (writes happen only in kernel/audit.ts), and the
 * audit_checkpoints, audit_signing_keys, audit_refs, alerts and alert_cursors tables.
 */
import { sql, type Selectable } from 'kysely';
import type { Trx } from '../../storage/tx';
import type { AlertsTable, AuditCheckpointsTable, AuditLogTable, AuditSigningKeysTable } from '../../storage/schema';

export type AuditRow = Selectable<AuditLogTable>;
export type CheckpointRow = Selectable<AuditCheckpointsTable>;
export type SigningKeyRow = Selectable<AuditSigningKeysTable>;
export type AlertRow = Selectable<AlertsTable>;

// ---- audit_log (read only) ----

/** The organisation's last row (seq and hash), or null for an empty chain. */
export async function auditHead(db: Trx, orgId: string): Promise<{ seq: number; hash: string } | null> {
  const r = await db.selectFrom('audit_log').select(['seq', 'hash']).where('org_id', '=', orgId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return r ? { seq: Number(r.seq), hash: r.hash } : null;
}

export async function auditRowAt(db: Trx, orgId: string, seq: number): Promise<AuditRow | undefined> {
  return db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '=', seq).executeTakeFirst();
}

/** Search filters; every one is served by an index ending in seq (migration 0003). */
export interface AuditFilter {
  actorId?: string;
  actorType?: string;
  /** Exact action, or a prefix when `actionPrefix` is set (`auth.` for `auth.*`). */
  action?: string;
  actionPrefix?: boolean;
  targetId?: string;
  outcome?: string;
  from?: number;
  to?: number;
  /** Keyset paging: only rows with seq below this. */
  beforeSeq?: number;
  limit: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Matching rows, newest (highest seq) first. */
export async function searchAudit(db: Trx, orgId: string, f: AuditFilter): Promise<AuditRow[]> {
  return searchAuditQuery(db, orgId, f).execute();
}

/** The query behind {@link searchAudit} (tests read its plan to check that indexes serve it). */
export function searchAuditQuery(db: Trx, orgId: string, f: AuditFilter) {
  let q = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
  if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
  if (f.actorType !== undefined) q = q.where('actor_type', '=', f.actorType);
  if (f.action !== undefined) {
    q = f.actionPrefix ? q.where(sql<boolean>`action like ${`${likeEscape(f.action)}%`} escape '\\'`) : q.where('action', '=', f.action);
  }
  if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
  if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<=', f.to);
  if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
  return q.orderBy('seq', 'desc').limit(f.limit);
}

/**
 * Seqs of rows concerning `ref` (as target, as actor, or referred to in details), newest
 * first: three index range scans merged, so a rare id never scans the whole log.
 */
export async function traceSeqs(db: Trx, orgId: string, ref: string, beforeSeq: number | undefined, limit: number): Promise<number[]> {
  const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
  const [a, b, c] = await Promise.all([
    db.selectFrom('audit_log').select('seq').where('org_id', '=', orgId).where('target_id', '=', ref).where('seq', '<', before).orderBy('seq', 'desc').limit(limit).execute(),
    db.selectFrom('audit_log').select('seq').where('org_id', '=', orgId).where('actor_id', '=', ref).where('seq', '<', before).orderBy('seq', 'desc').limit(limit).execute(),
    db.selectFrom('audit_refs').select('seq').where('org_id', '=', orgId).where('ref_id', '=', ref).where('seq', '<', before).orderBy('seq', 'desc').limit(limit).execute(),
  ]);
  const seqs = new Set<number>([...a, ...b, ...c].map((r) => Number(r.seq)));
  return [...seqs].sort((x, y) => y - x).slice(0, limit);
}

/** Rows with these seqs, in the order of `seqs`. */
export async function rowsBySeq(db: Trx, orgId: string, seqs: number[]): Promise<AuditRow[]> {
  if (seqs.length === 0) return [];
  const out = new Map<number, AuditRow>();
  for (let i = 0; i < seqs.length; i += 500) {
    for (const r of await db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', 'in', seqs.slice(i, i + 500)).execute()) out.set(Number(r.seq), r);
  }
  return seqs.map((s) => out.get(s)).filter((r): r is AuditRow => r !== undefined);
}

/** Rows with fromSeq ≤ seq ≤ toSeq in seq order, read in pages (constant memory). */
export async function* iterateAuditRows(db: Trx, orgId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER, pageSize = 5000): AsyncGenerator<AuditRow> {
  // Every column, selected by name in RFC 8785 key order: the rows then come back with their keys
  // in canonical order, which the verifier hashes without re-sorting (storedRowHash's fast path).
  // The names are read from a row rather than listed here, so a column added later is never
  // left out of the verification.
  const sample = await db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).limit(1).executeTakeFirst();
  if (!sample) return;
  const columns = Object.keys(sample).sort() as Array<keyof AuditRow & string>;
  let after = fromSeq - 1;
  for (;;) {
    const page = await db.selectFrom('audit_log').select(columns).where('org_id', '=', orgId).where('seq', '>', after).where('seq', '<=', toSeq)
      .orderBy('seq').orderBy('id').limit(pageSize).execute() as AuditRow[];
    for (const r of page) yield r;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.seq);
  }
}

/** The seq range covering rows whose time lies in [from, to] (times are not strictly ordered by seq). */
export async function seqRangeForTimes(db: Trx, orgId: string, from: number | undefined, to: number | undefined): Promise<{ min: number; max: number } | null> {
  let q = db.selectFrom('audit_log').select((eb) => [eb.fn.min('seq').as('min'), eb.fn.max('seq').as('max')]).where('org_id', '=', orgId);
  if (from !== undefined) q = q.where('at', '>=', from);
  if (to !== undefined) q = q.where('at', '<=', to);
  const r = await q.executeTakeFirst();
  return r?.min == null ? null : { min: Number(r.min), max: Number(r.max) };
}

/** Rows for the rules engine: the organisation's rows after `afterSeq`, oldest first. */
export async function rowsAfter(db: Trx, orgId: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** Lookback query for alert rules: rows of one actor / target / action in a time window, oldest first. */
export interface WindowFilter {
  actorId?: string;
  targetId?: string;
  actions?: string[];
  ip?: string;
  sinceAt: number;
  /** Only rows after this seq (the previous alert of the same rule and subject). */
  afterSeq: number;
  /** Only rows up to and including this seq (the row being evaluated). */
  uptoSeq: number;
  limit: number;
}

export async function windowRows(db: Trx, orgId: string, f: WindowFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '>', f.afterSeq).where('seq', '<=', f.uptoSeq).where('at', '>=', f.sinceAt);
  if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
  if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
  if (f.ip !== undefined) q = q.where('ip', '=', f.ip);
  if (f.actions) q = q.where('action', 'in', f.actions);
  const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
  return rows.reverse();
}

// ---- checkpoints ----

export async function insertCheckpoint(db: Trx, row: CheckpointRow): Promise<void> {
  await db.insertInto('audit_checkpoints').values(row).execute();
}

export async function latestCheckpoint(db: Trx, orgId: string): Promise<CheckpointRow | undefined> {
  return db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('count', 'desc').orderBy('at', 'desc').limit(1).executeTakeFirst();
}

/** Checkpoints newest first (by count), optionally below a count (paging). */
export async function listCheckpoints(db: Trx, orgId: string, beforeCount: number | undefined, limit: number): Promise<CheckpointRow[]> {
  let q = db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId);
  if (beforeCount !== undefined) q = q.where('count', '<', beforeCount);
  return q.orderBy('count', 'desc').orderBy('at', 'desc').limit(limit).execute();
}

/** Checkpoints with fromSeq ≤ count ≤ toSeq, by count. */
export async function checkpointsInRange(db: Trx, orgId: string, fromSeq: number, toSeq: number): Promise<CheckpointRow[]> {
  return db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).where('count', '>=', fromSeq).where('count', '<=', toSeq)
    .orderBy('count').orderBy('at').execute();
}

// ---- signing keys ----

export async function currentSigningKey(db: Trx): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('audit_signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function listSigningKeys(db: Trx): Promise<SigningKeyRow[]> {
  return db.selectFrom('audit_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function insertSigningKey(db: Trx, row: SigningKeyRow): Promise<void> {
  await db.insertInto('audit_signing_keys').values(row).execute();
}

// ---- alerts ----

export async function insertAlert(db: Trx, row: AlertRow): Promise<void> {
  await db.insertInto('alerts').values(row).execute();
}

export async function findAlert(db: Trx, orgId: string, id: string): Promise<AlertRow | undefined> {
  return db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function alertExists(db: Trx, orgId: string, rule: string, dedupKey: string): Promise<boolean> {
  return !!(await db.selectFrom('alerts').select('id').where('org_id', '=', orgId).where('rule', '=', rule).where('dedup_key', '=', dedupKey).executeTakeFirst());
}

/** The latest alert of a rule for a subject (by the seq of the row that triggered it). */
export async function lastAlertFor(db: Trx, orgId: string, rule: string, subject: string): Promise<{ triggerSeq: number; triggerAt: number } | null> {
  const r = await db.selectFrom('alerts').select(['trigger_seq', 'trigger_at']).where('org_id', '=', orgId).where('rule', '=', rule).where('subject', '=', subject)
    .orderBy('trigger_seq', 'desc').limit(1).executeTakeFirst();
  return r ? { triggerSeq: Number(r.trigger_seq), triggerAt: Number(r.trigger_at) } : null;
}

export async function listAlerts(db: Trx, orgId: string, f: { status?: string; rule?: string; beforeId?: string; limit: number }): Promise<AlertRow[]> {
  let q = db.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.rule) q = q.where('rule', '=', f.rule);
  if (f.beforeId) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

export async function acknowledgeAlert(db: Trx, id: string, by: string, at: number, note: string | null): Promise<void> {
  await db.updateTable('alerts').set({ status: 'acknowledged', acknowledged_by: by, acknowledged_at: at, note }).where('id', '=', id).execute();
}

export async function alertCursor(db: Trx, orgId: string): Promise<number> {
  const r = await db.selectFrom('alert_cursors').select('last_seq').where('org_id', '=', orgId).executeTakeFirst();
  return Number(r?.last_seq ?? 0);
}

/** Moves the cursor forward only (several nodes may scan; the furthest wins). */
export async function advanceAlertCursor(db: Trx, orgId: string, to: number): Promise<void> {
  const r = await db.updateTable('alert_cursors').set({ last_seq: to }).where('org_id', '=', orgId).where('last_seq', '<', to).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0 && !(await db.selectFrom('alert_cursors').select('org_id').where('org_id', '=', orgId).executeTakeFirst())) {
    await db.insertInto('alert_cursors').values({ org_id: orgId, last_seq: to }).execute();
  }
}

/** Ids of every organisation (jobs run per organisation). */
export async function orgIds(db: Trx): Promise<string[]> {
  return (await db.selectFrom('orgs').select('id').execute()).map((r) => r.id);
}

/** Active users whose role holds `permission` (roles are data: read the org's role table). */
export async function activeHoldersOf(db: Trx, orgId: string, permission: string): Promise<string[]> {
  const roles = await db.selectFrom('roles').select(['name', 'permissions']).where('org_id', '=', orgId).execute();
  const names = roles.filter((r) => (JSON.parse(r.permissions) as string[]).includes(permission)).map((r) => r.name);
  if (names.length === 0) return [];
  return (await db.selectFrom('users').select('id').where('org_id', '=', orgId).where('status', '=', 'active').where('role', 'in', names).execute()).map((r) => r.id);
}
