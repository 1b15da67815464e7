/**
 * Bulk user + session creation for benchmark SET-UP ONLY.
 *
 * This bypasses the API on purpose: creating a user through the admin API hashes a password
 * with argon2 (~30-50 ms) and logging in verifies one (~30 ms), so 5 000 users would take
 * minutes before the benchmark even starts. Instead we insert the same rows the identity
 * module writes (identity.store.ts insertUser: `users` + `user_cursors`; identity.actions.ts
 * login: `sessions` with token_hash = hashToken(token)), reusing ONE real argon2id hash (the
 * bootstrap admin's, made by the server itself). The Authenticator (identity.auth.ts) then
 * accepts these tokens exactly like tokens from a real login: active user, unrevoked,
 * unexpired session, no restriction. What is measured afterwards goes through the real API.
 */
import { hashToken, randomToken } from '@conclave/crypto';
import type { ConclaveServer } from '@conclave/server';
import type { Insertable, Kysely } from 'kysely';
import { ulid } from './ulid';

export interface BenchUser {
  id: string;
  token: string;
}

const CHUNK = 400;

/** The server's table types, derived from its Kysely instance (the package does not export them). */
type DB = ConclaveServer['svc']['database']['db'] extends Kysely<infer D> ? D : never;

export async function bulkCreateUsers(server: ConclaveServer, orgId: string, n: number, prefix = 'bench'): Promise<BenchUser[]> {
  const db = server.svc.database.db;
  const now = Date.now();
  const template = await db.selectFrom('users').select(['password_hash']).where('org_id', '=', orgId).where('role', '=', 'owner').executeTakeFirstOrThrow();
  const org = await db.selectFrom('orgs').select(['settings']).where('id', '=', orgId).executeTakeFirstOrThrow();
  const settings = JSON.parse(org.settings) as { defaultLevel?: string; sessionTtlHours?: number };
  const clearance = settings.defaultLevel ?? 'internal';
  const ttlMs = (settings.sessionTtlHours ?? 24 * 7) * 3_600_000;
  const tag = randomToken(16).slice(0, 6).toLowerCase();

  const out: BenchUser[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const users: Insertable<DB['users']>[] = [];
    const cursors: Insertable<DB['user_cursors']>[] = [];
    const sessions: Insertable<DB['sessions']>[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      const id = ulid(now);
      const token = randomToken(32);
      users.push({
        id, org_id: orgId, email: `${prefix}-${tag}-${i}@bench.local`, name: `Bench User ${i}`, role: 'member', status: 'active', clearance,
        password_hash: template.password_hash, must_change_password: 0, totp_secret_enc: null, totp_key_id: null, totp_enabled: 0,
        totp_last_step: 0, failed_logins: 0, locked_until: 0, created_at: now, updated_at: now, deactivated_at: null,
      });
      cursors.push({ user_id: id, last_seq: 0 });
      sessions.push({
        id: ulid(now), user_id: id, org_id: orgId, token_hash: hashToken(token), created_at: now, last_seen_at: now, expires_at: now + ttlMs,
        ip: null, user_agent: 'conclave-bench', mfa_verified: 0, restriction: null, revoked_at: null, revoked_reason: null,
      });
      out.push({ id, token });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(users).execute();
      await trx.insertInto('user_cursors').values(cursors).execute();
      await trx.insertInto('sessions').values(sessions).execute();
    });
  }
  return out;
}

/**
 * Adds members to a conversation by inserting membership rows directly — SET-UP ONLY.
 *
 * Through the API, addMembers emits one `member.added` event per new member to EVERY member
 * (conversations.actions.ts addRows), i.e. k·M user_events rows for k new members in a channel
 * of M: building a 5 000-member channel that way writes ~12 M rows and does not finish in a
 * useful time (see docs/PERFORMANCE.md). The rows written here are the ones addRows inserts
 * (conversation_members + member_count), without the per-member events nobody is listening to.
 */
export async function bulkAddMembers(server: ConclaveServer, conversationId: string, userIds: string[]): Promise<void> {
  const db = server.svc.database.db;
  const now = Date.now();
  const conv = await db.selectFrom('conversations').select(['last_position']).where('id', '=', conversationId).executeTakeFirstOrThrow();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await trx.insertInto('conversation_members').values(userIds.slice(i, i + CHUNK).map((u) => ({
        conversation_id: conversationId, user_id: u, role: 'member', joined_at: now, last_read_position: Number(conv.last_position), history_from: 0,
      }))).execute();
    }
    const n = await trx.selectFrom('conversation_members').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', '=', conversationId).executeTakeFirstOrThrow();
    await trx.updateTable('conversations').set({ member_count: Number(n.n) }).where('id', '=', conversationId).execute();
  });
}
