/** SQL for users, sessions and recovery codes. Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { Trx } from '../../storage/tx';
import type { SessionsTable, UsersTable } from '../../storage/schema';

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;

export async function insertUser(trx: Trx, row: UserRow): Promise<void> {
  await trx.insertInto('users').values(row).execute();
  // Every user has a delivery cursor from birth, so event fan-out never has to create one.
  await trx.insertInto('user_cursors').values({ user_id: row.id, last_seq: 0 }).execute();
}

export function findUserById(db: Trx, orgId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Trx, orgId: string, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('email', '=', email).executeTakeFirst();
}

export function findUsersByIds(db: Trx, orgId: string, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export function listUsers(db: Trx, orgId: string, opts: { q?: string; includeDeactivated?: boolean; limit?: number }): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll().where('org_id', '=', orgId);
  if (!opts.includeDeactivated) q = q.where('status', '=', 'active');
  if (opts.q) {
    const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([
      eb(eb.fn('lower', ['name']), 'like', eb.val(like)),
      eb('email', 'like', like),
    ]));
  }
  return q.orderBy('name').orderBy('id').limit(opts.limit ?? 5000).execute();
}

export async function updateUser(trx: Trx, id: string, patch: Partial<UserRow>): Promise<void> {
  await trx.updateTable('users').set(patch).where('id', '=', id).execute();
}

export function countActiveWithRole(db: Trx, orgId: string, role: string): Promise<number> {
  return db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId)
    .where('role', '=', role).where('status', '=', 'active').executeTakeFirstOrThrow().then((r) => Number(r.n));
}

export async function insertSession(trx: Trx, row: SessionRow): Promise<void> {
  await trx.insertInto('sessions').values(row).execute();
}

export function findSessionByTokenHash(db: Trx, tokenHash: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function listActiveSessions(db: Trx, userId: string, now: number): Promise<SessionRow[]> {
  return db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null)
    .where('expires_at', '>', now).orderBy('created_at', 'desc').execute();
}

export async function updateSession(trx: Trx, id: string, patch: Partial<SessionRow>): Promise<void> {
  await trx.updateTable('sessions').set(patch).where('id', '=', id).execute();
}

/** Revokes sessions of a user (all, or all but `exceptId`); returns the revoked ids. */
export async function revokeUserSessions(trx: Trx, userId: string, now: number, reason: string, exceptId?: string): Promise<string[]> {
  let q = trx.updateTable('sessions').set({ revoked_at: now, revoked_reason: reason }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id);
}

export async function replaceRecoveryCodes(trx: Trx, userId: string, rows: Array<{ id: string; code_hash: string }>, now: number): Promise<void> {
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (rows.length) await trx.insertInto('recovery_codes').values(rows.map((r) => ({ ...r, user_id: userId, used_at: null, created_at: now }))).execute();
}

/** Marks an unused recovery code as used; true when one matched. */
export async function consumeRecoveryCode(trx: Trx, userId: string, codeHash: string, now: number): Promise<boolean> {
  const r = await trx.updateTable('recovery_codes').set({ used_at: now }).where('user_id', '=', userId)
    .where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
