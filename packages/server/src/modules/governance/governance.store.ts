/** SQL for retention policies, legal minimums, legal holds, retention runs and deletion receipts. */
import type { Selectable } from 'kysely';
import type { DeletionReceiptsTable, LegalHoldsTable, RetentionPoliciesTable, RetentionRunsTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type PolicyRow = Selectable<RetentionPoliciesTable>;
export type HoldRow = Selectable<LegalHoldsTable>;
export type RunRow = Selectable<RetentionRunsTable>;
export type ReceiptRow = Selectable<DeletionReceiptsTable>;

export function listPolicies(db: Trx, orgId: string): Promise<PolicyRow[]> {
  return db.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).orderBy('scope').orderBy('target').execute();
}

export function findPolicy(db: Trx, orgId: string, id: string): Promise<PolicyRow | undefined> {
  return db.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function findPolicyByScope(db: Trx, orgId: string, scope: string, target: string): Promise<PolicyRow | undefined> {
  return db.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).where('scope', '=', scope).where('target', '=', target).executeTakeFirst();
}

export async function upsertPolicy(trx: Trx, row: PolicyRow): Promise<void> {
  await trx.insertInto('retention_policies').values(row)
    .onConflict((oc) => oc.columns(['org_id', 'scope', 'target']).doUpdateSet({ delete_after_days: row.delete_after_days, updated_at: row.updated_at }))
    .execute();
}

export async function deletePolicy(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('retention_policies').where('id', '=', id).execute();
}

export async function listMinimums(db: Trx, orgId: string): Promise<Map<string, { minDays: number; updatedAt: number }>> {
  const rows = await db.selectFrom('retention_minimums').selectAll().where('org_id', '=', orgId).execute();
  return new Map(rows.map((r) => [r.level, { minDays: Number(r.min_days), updatedAt: Number(r.updated_at) }]));
}

export async function setMinimum(trx: Trx, orgId: string, level: string, minDays: number, now: number): Promise<void> {
  await trx.insertInto('retention_minimums').values({ org_id: orgId, level, min_days: minDays, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'level']).doUpdateSet({ min_days: minDays, updated_at: now })).execute();
}

export async function deleteMinimum(trx: Trx, orgId: string, level: string): Promise<boolean> {
  const r = await trx.deleteFrom('retention_minimums').where('org_id', '=', orgId).where('level', '=', level).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function listHolds(db: Trx, orgId: string, activeOnly: boolean): Promise<HoldRow[]> {
  let q = db.selectFrom('legal_holds').selectAll().where('org_id', '=', orgId);
  if (activeOnly) q = q.where('released_at', 'is', null);
  return q.orderBy('created_at', 'desc').execute();
}

export function findHold(db: Trx, orgId: string, id: string): Promise<HoldRow | undefined> {
  return db.selectFrom('legal_holds').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertHold(trx: Trx, row: HoldRow): Promise<void> {
  await trx.insertInto('legal_holds').values(row).execute();
}

export async function releaseHold(trx: Trx, id: string, by: string, at: number, reason: string): Promise<void> {
  await trx.updateTable('legal_holds').set({ released_by: by, released_at: at, release_reason: reason }).where('id', '=', id).execute();
}

export async function insertRun(trx: Trx, row: RunRow): Promise<void> {
  await trx.insertInto('retention_runs').values(row).execute();
}

export async function updateRun(trx: Trx, id: string, patch: Partial<RunRow>): Promise<void> {
  await trx.updateTable('retention_runs').set(patch).where('id', '=', id).execute();
}

export function findRun(db: Trx, orgId: string, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('retention_runs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listRuns(db: Trx, orgId: string, limit = 50): Promise<RunRow[]> {
  return db.selectFrom('retention_runs').selectAll().where('org_id', '=', orgId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function runningRuns(db: Trx, orgId: string): Promise<RunRow[]> {
  return db.selectFrom('retention_runs').selectAll().where('org_id', '=', orgId).where('status', '=', 'running').execute();
}

export async function insertReceipt(trx: Trx, row: ReceiptRow): Promise<void> {
  await trx.insertInto('deletion_receipts').values(row).execute();
}

export function findReceipt(db: Trx, orgId: string, id: string): Promise<ReceiptRow | undefined> {
  return db.selectFrom('deletion_receipts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listReceipts(db: Trx, orgId: string, limit = 100): Promise<ReceiptRow[]> {
  return db.selectFrom('deletion_receipts').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
