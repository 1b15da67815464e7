/** SQL for data-subject requests (GOV-3): dsar_requests, dsar_settings, dsar_alerts. Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { DsarRequestsTable, DsarSettingsTable, DsarAlertsTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type RequestRow = Selectable<DsarRequestsTable>;
export type SettingsRow = Selectable<DsarSettingsTable>;
export type AlertRow = Selectable<DsarAlertsTable>;

export async function insertRequest(trx: Trx, row: RequestRow): Promise<void> {
  await trx.insertInto('dsar_requests').values(row).execute();
}

export function findRequest(db: Trx, orgId: string, id: string): Promise<RequestRow | undefined> {
  return db.selectFrom('dsar_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateRequest(trx: Trx, id: string, patch: Partial<RequestRow>): Promise<void> {
  await trx.updateTable('dsar_requests').set(patch).where('id', '=', id).execute();
}

/** The requester's open request of `kind`, if any (one at a time per kind). */
export function openRequestOf(db: Trx, orgId: string, requesterId: string, kind: string): Promise<RequestRow | undefined> {
  return db.selectFrom('dsar_requests').selectAll().where('org_id', '=', orgId).where('requester_id', '=', requesterId)
    .where('kind', '=', kind).where('status', '=', 'open').executeTakeFirst();
}

/** Newest first (ids are time-ordered ULIDs). */
export function requestsOf(db: Trx, orgId: string, requesterId: string, limit = 200): Promise<RequestRow[]> {
  return db.selectFrom('dsar_requests').selectAll().where('org_id', '=', orgId).where('requester_id', '=', requesterId).orderBy('id', 'desc').limit(limit).execute();
}

export function listRequests(db: Trx, orgId: string, f: { status?: string; kind?: string; beforeId?: string; limit: number }): Promise<RequestRow[]> {
  let q = db.selectFrom('dsar_requests').selectAll().where('org_id', '=', orgId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.beforeId) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Open requests due by `until` (the deadline scan). */
export function openDueBy(db: Trx, orgId: string, until: number, limit: number): Promise<RequestRow[]> {
  return db.selectFrom('dsar_requests').selectAll().where('org_id', '=', orgId).where('status', '=', 'open').where('due_at', '<=', until)
    .orderBy('due_at').limit(limit).execute();
}

/** Organisations with open requests. */
export async function orgsWithOpenRequests(db: Trx): Promise<string[]> {
  return (await db.selectFrom('dsar_requests').select('org_id').distinct().where('status', '=', 'open').execute()).map((r) => r.org_id);
}

// ---- settings ----

export function findSettings(db: Trx, orgId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('dsar_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function saveSettings(trx: Trx, row: SettingsRow): Promise<void> {
  const { org_id: _org, ...rest } = row;
  const r = await trx.updateTable('dsar_settings').set(rest).where('org_id', '=', row.org_id).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await trx.insertInto('dsar_settings').values(row).execute();
}

// ---- deadline alerts ----

export async function alertExists(db: Trx, requestId: string, kind: string): Promise<boolean> {
  return !!(await db.selectFrom('dsar_alerts').select('id').where('request_id', '=', requestId).where('kind', '=', kind).executeTakeFirst());
}

export async function insertAlert(trx: Trx, row: AlertRow): Promise<void> {
  await trx.insertInto('dsar_alerts').values(row).execute();
}

/** Alerts with their request's kind and requester, newest first. */
export function listAlerts(db: Trx, orgId: string, f: { beforeId?: string; limit: number }) {
  let q = db.selectFrom('dsar_alerts').innerJoin('dsar_requests', 'dsar_requests.id', 'dsar_alerts.request_id')
    .select(['dsar_alerts.id', 'dsar_alerts.request_id', 'dsar_alerts.kind', 'dsar_alerts.due_at', 'dsar_alerts.created_at', 'dsar_requests.kind as request_kind', 'dsar_requests.requester_id'])
    .where('dsar_alerts.org_id', '=', orgId);
  if (f.beforeId) q = q.where('dsar_alerts.id', '<', f.beforeId);
  return q.orderBy('dsar_alerts.id', 'desc').limit(f.limit).execute();
}
