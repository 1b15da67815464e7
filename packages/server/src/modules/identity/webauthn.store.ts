/** SQL for security keys and their challenges (IAM-1). Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { Trx } from '../../storage/tx';
import type { WebauthnChallengesTable, WebauthnCredentialsTable } from '../../storage/schema';

export type CredentialRow = Selectable<WebauthnCredentialsTable>;
export type ChallengeRow = Selectable<WebauthnChallengesTable>;
export type ChallengePurpose = 'register' | 'login';

/** Outstanding challenges one user may hold per purpose (several tabs); older ones are dropped. */
const MAX_OPEN_CHALLENGES = 5;

/** A user's keys, newest first. */
export function listByUser(db: Trx, userId: string): Promise<CredentialRow[]> {
  return db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export function countByUser(db: Trx, userId: string): Promise<number> {
  return db.selectFrom('webauthn_credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId)
    .executeTakeFirstOrThrow().then((r) => Number(r.n));
}

/** One of `userId`'s keys by our id; another user's key is simply not found (rule 2). */
export function findOwn(db: Trx, userId: string, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
}

/** Any key with this credential id, whoever holds it (uniqueness and audit only). */
export function findByCredentialId(db: Trx, credentialId: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('webauthn_credentials').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

/** Which of these users hold at least one key (one query; by organisation for long lists). */
export async function usersWithKeys(db: Trx, orgId: string, userIds: string[]): Promise<Set<string>> {
  if (!userIds.length) return new Set();
  let q = db.selectFrom('webauthn_credentials').select('user_id').distinct();
  q = userIds.length > 500 ? q.where('org_id', '=', orgId) : q.where('user_id', 'in', userIds);
  return new Set((await q.execute()).map((r) => r.user_id));
}

export async function insertCredential(trx: Trx, row: CredentialRow): Promise<void> {
  await trx.insertInto('webauthn_credentials').values(row).execute();
}

export async function updateCredential(trx: Trx, id: string, patch: Partial<Pick<CredentialRow, 'name' | 'counter' | 'last_used_at' | 'backed_up'>>): Promise<void> {
  await trx.updateTable('webauthn_credentials').set(patch).where('id', '=', id).execute();
}

/**
 * Records a sign-in: new counter, last use. The stored counter only ever moves forward, checked
 * in the UPDATE itself, so two sign-ins racing with one counter value cannot both succeed (a key
 * that keeps no counter stays at 0). False when the counter is no longer below the new one.
 */
export async function recordUse(trx: Trx, id: string, patch: { counter: number; last_used_at: number; backed_up: number }): Promise<boolean> {
  const r = await trx.updateTable('webauthn_credentials').set(patch).where('id', '=', id)
    .where('counter', patch.counter > 0 ? '<' : '=', patch.counter).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteCredential(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('webauthn_credentials').where('id', '=', id).execute();
}

/** Removes every key of a user (admin MFA reset); returns how many there were. */
export async function deleteAllForUser(trx: Trx, userId: string): Promise<number> {
  const r = await trx.deleteFrom('webauthn_credentials').where('user_id', '=', userId).executeTakeFirst();
  await trx.deleteFrom('webauthn_challenges').where('user_id', '=', userId).execute();
  return Number(r.numDeletedRows);
}

/** Stores a challenge digest, dropping expired challenges and this user's oldest beyond the cap. */
export async function insertChallenge(trx: Trx, row: ChallengeRow): Promise<void> {
  await trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', row.created_at).execute();
  const stale = await trx.selectFrom('webauthn_challenges').select('id').where('user_id', '=', row.user_id).where('purpose', '=', row.purpose)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').offset(MAX_OPEN_CHALLENGES - 1).limit(1000).execute();
  if (stale.length) await trx.deleteFrom('webauthn_challenges').where('id', 'in', stale.map((s) => s.id)).execute();
  await trx.insertInto('webauthn_challenges').values(row).execute();
}

/**
 * Takes a challenge out of the table (single use: a second answer finds nothing), expired or
 * not — the caller decides. Matched on user and purpose too, so one person's challenge never
 * serves another's sign-in.
 */
export async function takeChallenge(trx: Trx, userId: string, purpose: ChallengePurpose, hash: string): Promise<ChallengeRow | undefined> {
  return trx.deleteFrom('webauthn_challenges').where('challenge_hash', '=', hash).where('user_id', '=', userId).where('purpose', '=', purpose)
    .returningAll().executeTakeFirst();
}
