/** SQL for the compliance archive tables (GOV-5); nothing else touches them. */
import type { Selectable } from 'kysely';
import type { Trx } from '../../storage/tx';
import type {
  ArchiveDecisionsTable, ArchiveKeysTable, ArchiveMessagesTable, ArchiveOfficerKeysTable, ArchiveRequestsTable, ArchiveSharesTable,
} from '../../storage/schema';

export type OfficerKeyRow = Selectable<ArchiveOfficerKeysTable>;
export type ArchiveKeyRow = Selectable<ArchiveKeysTable>;
export type ShareRow = Selectable<ArchiveSharesTable>;
export type ArchivedMessageRow = Selectable<ArchiveMessagesTable>;
export type RequestRow = Selectable<ArchiveRequestsTable>;
export type DecisionRow = Selectable<ArchiveDecisionsTable>;

// ---- officer keys ----
export async function insertOfficerKey(trx: Trx, row: OfficerKeyRow): Promise<void> {
  await trx.insertInto('archive_officer_keys').values(row).execute();
}
export function findOfficerKey(db: Trx, orgId: string, id: string): Promise<OfficerKeyRow | undefined> {
  return db.selectFrom('archive_officer_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}
export function activeOfficerKeyOf(db: Trx, orgId: string, userId: string): Promise<OfficerKeyRow | undefined> {
  return db.selectFrom('archive_officer_keys').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
}
export function officerKeyByPublicKey(db: Trx, orgId: string, publicKey: string): Promise<OfficerKeyRow | undefined> {
  return db.selectFrom('archive_officer_keys').selectAll().where('org_id', '=', orgId).where('public_key', '=', publicKey).executeTakeFirst();
}
/** Active keys of the given users (the current officers), oldest first. */
export function activeOfficerKeys(db: Trx, orgId: string, userIds: string[]): Promise<OfficerKeyRow[]> {
  if (!userIds.length) return Promise.resolve([]);
  return db.selectFrom('archive_officer_keys').selectAll().where('org_id', '=', orgId).where('user_id', 'in', userIds)
    .where('revoked_at', 'is', null).orderBy('id').execute();
}
export async function revokeOfficerKey(trx: Trx, id: string, now: number): Promise<void> {
  await trx.updateTable('archive_officer_keys').set({ revoked_at: now }).where('id', '=', id).execute();
}

// ---- archive keys and shares ----
export function currentArchiveKey(db: Trx, orgId: string): Promise<ArchiveKeyRow | undefined> {
  return db.selectFrom('archive_keys').selectAll().where('org_id', '=', orgId).where('retired_at', 'is', null).executeTakeFirst();
}
export function findArchiveKey(db: Trx, orgId: string, id: string): Promise<ArchiveKeyRow | undefined> {
  return db.selectFrom('archive_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}
export function retiredArchiveKeys(db: Trx, orgId: string): Promise<ArchiveKeyRow[]> {
  return db.selectFrom('archive_keys').selectAll().where('org_id', '=', orgId).where('retired_at', 'is not', null).orderBy('id', 'desc').execute();
}
export async function archiveKeyWithPublicKey(db: Trx, orgId: string, publicKey: string): Promise<boolean> {
  return !!(await db.selectFrom('archive_keys').select('id').where('org_id', '=', orgId).where('public_key', '=', publicKey).executeTakeFirst());
}
export async function retireArchiveKeys(trx: Trx, orgId: string, now: number): Promise<void> {
  await trx.updateTable('archive_keys').set({ retired_at: now }).where('org_id', '=', orgId).where('retired_at', 'is', null).execute();
}
export async function insertArchiveKey(trx: Trx, row: ArchiveKeyRow, shares: ShareRow[]): Promise<void> {
  await trx.insertInto('archive_keys').values(row).execute();
  for (let i = 0; i < shares.length; i += 100) await trx.insertInto('archive_shares').values(shares.slice(i, i + 100)).execute();
}
/** Holders of each key's shares (user, officer key), without the sealed shares. */
export async function holdersOf(db: Trx, keyIds: string[]): Promise<Map<string, Array<{ userId: string; officerKeyId: string }>>> {
  const out = new Map<string, Array<{ userId: string; officerKeyId: string }>>(keyIds.map((id) => [id, []]));
  if (!keyIds.length) return out;
  const rows = await db.selectFrom('archive_shares').select(['archive_key_id', 'user_id', 'officer_key_id']).where('archive_key_id', 'in', keyIds).orderBy('user_id').execute();
  for (const r of rows) out.get(r.archive_key_id)!.push({ userId: r.user_id, officerKeyId: r.officer_key_id });
  return out;
}
export function findShare(db: Trx, archiveKeyId: string, userId: string): Promise<ShareRow | undefined> {
  return db.selectFrom('archive_shares').selectAll().where('archive_key_id', '=', archiveKeyId).where('user_id', '=', userId).executeTakeFirst();
}

// ---- archived levels ----
export async function archivedLevels(db: Trx, orgId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('archive_levels').select('level').where('org_id', '=', orgId).execute();
  return new Set(rows.map((r) => r.level));
}
export async function replaceLevels(trx: Trx, orgId: string, levels: string[], by: string, now: number): Promise<void> {
  await trx.deleteFrom('archive_levels').where('org_id', '=', orgId).execute();
  if (levels.length) await trx.insertInto('archive_levels').values(levels.map((level) => ({ org_id: orgId, level, enabled_by: by, enabled_at: now }))).execute();
}

// ---- archived messages ----
export async function insertArchivedMessage(trx: Trx, row: ArchivedMessageRow): Promise<void> {
  await trx.insertInto('archive_messages').values(row).execute();
}
/** Archived messages in a request's scope (conversation, key, time range), by message id (time order). */
export function archivedInScope(db: Trx, scope: { orgId: string; conversationId: string; archiveKeyId: string; from: number; to: number }, after: string | undefined, limit: number): Promise<ArchivedMessageRow[]> {
  let q = db.selectFrom('archive_messages').selectAll().where('org_id', '=', scope.orgId).where('conversation_id', '=', scope.conversationId)
    .where('archive_key_id', '=', scope.archiveKeyId).where('created_at', '>=', scope.from).where('created_at', '<=', scope.to);
  if (after) q = q.where('message_id', '>', after);
  return q.orderBy('message_id').limit(limit).execute();
}

// ---- requests and decisions ----
export async function insertRequest(trx: Trx, row: RequestRow): Promise<void> {
  await trx.insertInto('archive_requests').values(row).execute();
}
export function findRequest(db: Trx, orgId: string, id: string): Promise<RequestRow | undefined> {
  return db.selectFrom('archive_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}
export function listRequests(db: Trx, orgId: string, limit: number): Promise<RequestRow[]> {
  return db.selectFrom('archive_requests').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').limit(limit).execute();
}
export async function updateRequest(trx: Trx, id: string, set: Partial<Pick<RequestRow, 'status' | 'closed_at'>>): Promise<void> {
  await trx.updateTable('archive_requests').set(set).where('id', '=', id).execute();
}
export async function insertDecision(trx: Trx, row: DecisionRow): Promise<void> {
  await trx.insertInto('archive_decisions').values(row).execute();
}
/** Decisions per request, without the sealed shares (those leave only through releasedShares). */
export async function decisionsOf(db: Trx, requestIds: string[]): Promise<Map<string, Array<Omit<DecisionRow, 'sealed_share'>>>> {
  const out = new Map<string, Array<Omit<DecisionRow, 'sealed_share'>>>(requestIds.map((id) => [id, []]));
  if (!requestIds.length) return out;
  const rows = await db.selectFrom('archive_decisions').select(['request_id', 'officer_id', 'decision', 'reason', 'at']).where('request_id', 'in', requestIds).orderBy('at').execute();
  for (const r of rows) out.get(r.request_id)!.push(r);
  return out;
}
export function releasedShares(db: Trx, requestId: string): Promise<Array<{ officer_id: string; sealed_share: Uint8Array | null }>> {
  return db.selectFrom('archive_decisions').select(['officer_id', 'sealed_share']).where('request_id', '=', requestId).where('decision', '=', 'released').orderBy('at').execute();
}
/** Forgets the released shares of a closed request (they were sealed to the requester only, but need not outlive it). */
export async function dropReleasedShares(trx: Trx, requestId: string): Promise<void> {
  await trx.updateTable('archive_decisions').set({ sealed_share: null }).where('request_id', '=', requestId).execute();
}
