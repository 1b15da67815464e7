/** SQL for eDiscovery exports and settings (GOV-5). Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { EdiscoveryExportsTable, EdiscoverySettingsTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type ExportRow = Selectable<EdiscoveryExportsTable>;
export type SettingsRow = Selectable<EdiscoverySettingsTable>;

/** Criteria as stored in `criteria` (ids and times only). */
export interface StoredCriteria { custodians: string[]; conversationIds: string[]; from: number; to: number; levels: string[] }

export function parseCriteria(row: ExportRow): StoredCriteria {
  return JSON.parse(row.criteria) as StoredCriteria;
}

export async function insertExport(trx: Trx, row: ExportRow): Promise<void> {
  await trx.insertInto('ediscovery_exports').values(row).execute();
}

export function findExport(db: Trx, orgId: string, id: string): Promise<ExportRow | undefined> {
  return db.selectFrom('ediscovery_exports').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listExports(db: Trx, orgId: string, status?: string, limit = 500): Promise<ExportRow[]> {
  let q = db.selectFrom('ediscovery_exports').selectAll().where('org_id', '=', orgId);
  if (status) q = q.where('status', '=', status);
  return q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Moves an export from `from` to a new state; returns false when another request moved it
 * first (the status check in the WHERE makes decisions and the one-time download atomic).
 */
export async function transition(trx: Trx, id: string, from: string, patch: Partial<ExportRow>): Promise<boolean> {
  const r = await trx.updateTable('ediscovery_exports').set(patch).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Live exports (pending or ready) past their expiry. */
export function dueForExpiry(db: Trx, orgId: string, now: number): Promise<ExportRow[]> {
  return db.selectFrom('ediscovery_exports').selectAll().where('org_id', '=', orgId)
    .where('status', 'in', ['pending_approval', 'ready']).where('expires_at', '<', now).limit(500).execute();
}

export function findSettings(db: Trx, orgId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('ediscovery_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function saveSettings(trx: Trx, row: SettingsRow): Promise<void> {
  await trx.insertInto('ediscovery_settings').values(row)
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ sensitive_levels: row.sensitive_levels, updated_by: row.updated_by, updated_at: row.updated_at }))
    .execute();
}
