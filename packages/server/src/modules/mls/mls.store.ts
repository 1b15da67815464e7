/** SQL for the MLS tables; nothing else touches them. */
import type { Selectable } from 'kysely';
import type { Trx } from '../../storage/tx';
import type {
  MlsDevicesTable, MlsGroupLeavesTable, MlsGroupsTable, MlsHandshakesTable, MlsKeyPackagesTable, MlsServerKeysTable,
} from '../../storage/schema';

export type DeviceRow = Selectable<MlsDevicesTable>;
export type GroupRow = Selectable<MlsGroupsTable>;
export type HandshakeRow = Selectable<MlsHandshakesTable>;
export type LeafRow = Selectable<MlsGroupLeavesTable>;
export type KeyPackageRow = Selectable<MlsKeyPackagesTable>;
export type ServerKeyRow = Selectable<MlsServerKeysTable>;

// ---- devices ----
export async function insertDevice(trx: Trx, row: DeviceRow): Promise<void> {
  await trx.insertInto('mls_devices').values(row).execute();
}
export function findDevice(db: Trx, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('mls_devices').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findDeviceByKey(db: Trx, signatureKey: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('mls_devices').selectAll().where('signature_key', '=', signatureKey).executeTakeFirst();
}
export function devicesOfUsers(db: Trx, userIds: string[], activeOnly = true): Promise<DeviceRow[]> {
  if (!userIds.length) return Promise.resolve([]);
  let q = db.selectFrom('mls_devices').selectAll().where('user_id', 'in', userIds);
  if (activeOnly) q = q.where('revoked_at', 'is', null);
  return q.orderBy('id').execute();
}
export function devicesByIds(db: Trx, ids: string[]): Promise<DeviceRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('mls_devices').selectAll().where('id', 'in', ids).execute();
}
export async function revokeDevice(trx: Trx, id: string, now: number): Promise<void> {
  await trx.updateTable('mls_devices').set({ revoked_at: now }).where('id', '=', id).execute();
  await trx.deleteFrom('mls_key_packages').where('device_id', '=', id).execute();
}
/** Revokes every active device of a user (offboarding) and drops all their KeyPackages. Returns how many devices. */
export async function revokeUserDevices(trx: Trx, userId: string, now: number): Promise<number> {
  const res = await trx.updateTable('mls_devices').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  await trx.deleteFrom('mls_key_packages').where('user_id', '=', userId).execute();
  return Number(res.numUpdatedRows);
}

// ---- key packages ----
export async function insertKeyPackages(trx: Trx, rows: KeyPackageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await trx.insertInto('mls_key_packages').values(rows.slice(i, i + 100)).execute();
}
export async function deleteLastResort(trx: Trx, deviceId: string): Promise<void> {
  await trx.deleteFrom('mls_key_packages').where('device_id', '=', deviceId).where('last_resort', '=', 1).execute();
}
export async function hashesExisting(db: Trx, hashes: string[]): Promise<Set<string>> {
  if (!hashes.length) return new Set();
  const rows = await db.selectFrom('mls_key_packages').select('hash').where('hash', 'in', hashes).execute();
  return new Set(rows.map((r) => r.hash));
}
/** Unclaimed regular packages and whether a last-resort one exists, per device. */
export async function stock(db: Trx, deviceIds: string[]): Promise<Map<string, { available: number; lastResort: boolean }>> {
  const out = new Map<string, { available: number; lastResort: boolean }>();
  for (const id of deviceIds) out.set(id, { available: 0, lastResort: false });
  if (!deviceIds.length) return out;
  const rows = await db.selectFrom('mls_key_packages').select(['device_id', 'last_resort', (eb) => eb.fn.countAll<number>().as('n')])
    .where('device_id', 'in', deviceIds).groupBy(['device_id', 'last_resort']).execute();
  for (const r of rows) {
    const s = out.get(r.device_id)!;
    if (Number(r.last_resort) === 1) s.lastResort = true; else s.available = Number(r.n);
  }
  return out;
}
/** Drops expired packages of a device (never hand out a package its owner's peers would reject). */
export async function dropExpired(trx: Trx, deviceId: string, now: number): Promise<void> {
  await trx.deleteFrom('mls_key_packages').where('device_id', '=', deviceId).where('expires_at', '<=', now).execute();
}
/** Takes one package: the oldest regular one (deleted), else the last-resort one (kept). */
export async function takeKeyPackage(trx: Trx, deviceId: string): Promise<KeyPackageRow | undefined> {
  const regular = await trx.selectFrom('mls_key_packages').selectAll().where('device_id', '=', deviceId).where('last_resort', '=', 0)
    .orderBy('id').limit(1).executeTakeFirst();
  if (regular) {
    await trx.deleteFrom('mls_key_packages').where('id', '=', regular.id).execute();
    return regular;
  }
  return trx.selectFrom('mls_key_packages').selectAll().where('device_id', '=', deviceId).where('last_resort', '=', 1).executeTakeFirst();
}

// ---- groups ----
export function findGroup(db: Trx, conversationId: string): Promise<GroupRow | undefined> {
  return db.selectFrom('mls_groups').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
}
export async function insertGroup(trx: Trx, row: GroupRow): Promise<void> {
  await trx.insertInto('mls_groups').values(row).execute();
}
export async function advanceGroup(trx: Trx, conversationId: string, epoch: number, groupInfo: Uint8Array, now: number): Promise<void> {
  await trx.updateTable('mls_groups').set({ epoch, group_info: groupInfo, updated_at: now }).where('conversation_id', '=', conversationId).execute();
}
export function leaves(db: Trx, conversationId: string): Promise<LeafRow[]> {
  return db.selectFrom('mls_group_leaves').selectAll().where('conversation_id', '=', conversationId).orderBy('leaf_index').execute();
}
export async function replaceLeaves(trx: Trx, conversationId: string, rows: LeafRow[]): Promise<void> {
  await trx.deleteFrom('mls_group_leaves').where('conversation_id', '=', conversationId).execute();
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('mls_group_leaves').values(rows.slice(i, i + 200)).execute();
}
/** Groups in which a device currently has a leaf. */
export async function groupsWithDevice(db: Trx, deviceId: string): Promise<string[]> {
  const rows = await db.selectFrom('mls_group_leaves').select('conversation_id').where('device_id', '=', deviceId).distinct().execute();
  return rows.map((r) => r.conversation_id);
}

// ---- handshakes and welcomes ----
export async function insertHandshake(trx: Trx, row: HandshakeRow): Promise<void> {
  await trx.insertInto('mls_handshakes').values(row).execute();
}
export function handshakesFrom(db: Trx, conversationId: string, fromEpoch: number, limit: number) {
  // Proposals of an epoch sort before its commit: the commit may reference them.
  return db.selectFrom('mls_handshakes').select(['id', 'epoch', 'kind', 'data', 'sender_user_id', 'created_at'])
    .where('conversation_id', '=', conversationId).where('epoch', '>=', fromEpoch)
    .orderBy('epoch').orderBy('kind', 'desc').orderBy('id').limit(limit).execute();
}
export async function proposedRemovals(db: Trx, conversationId: string, epoch: number): Promise<Set<number>> {
  const rows = await db.selectFrom('mls_handshakes').select('removed_leaf').where('conversation_id', '=', conversationId)
    .where('epoch', '=', epoch).where('kind', '=', 'proposal').execute();
  return new Set(rows.map((r) => Number(r.removed_leaf)));
}
export async function insertWelcomeTargets(trx: Trx, rows: Array<{ handshake_id: string; device_id: string; user_id: string; conversation_id: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('mls_welcome_targets').values(rows.slice(i, i + 200)).execute();
}
/** Welcomes for a device in conversations its user still belongs to, newest epoch first per conversation. */
export function welcomesFor(db: Trx, deviceId: string, userId: string) {
  return db.selectFrom('mls_welcome_targets as w')
    .innerJoin('mls_handshakes as h', 'h.id', 'w.handshake_id')
    .innerJoin('conversation_members as m', (j) => j.onRef('m.conversation_id', '=', 'w.conversation_id').on('m.user_id', '=', userId))
    .select(['w.conversation_id', 'h.id', 'h.epoch', 'h.welcome'])
    .where('w.device_id', '=', deviceId).orderBy('h.epoch', 'desc').execute();
}

// ---- server external-sender key ----
export function findServerKey(db: Trx, orgId: string): Promise<ServerKeyRow | undefined> {
  return db.selectFrom('mls_server_keys').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}
export async function insertServerKey(trx: Trx, row: ServerKeyRow): Promise<void> {
  await trx.insertInto('mls_server_keys').values(row).onConflict((oc) => oc.column('org_id').doNothing()).execute();
}
