/**
 * Reaching the action layer without HTTP, to separate transport cost from the write path.
 *
 * ConclaveServer exposes its route table (`server.routes`); each entry's handler is the
 * transport-free call into the module (e.g. sendMessage → MessageActions.send → runAction).
 * Calling it with an actor skips only Fastify, authentication and zod parsing — the action,
 * its transaction, audit row, event log and after-commit publishing run exactly as in
 * production. The actor is built from the session row the same way identity.auth.ts does.
 */
import { hashToken } from '@conclave/crypto';
import type { ConclaveServer } from '@conclave/server';
import { DEFAULT_ROLE_PERMISSIONS } from '@conclave/protocol';

/** Structurally the server's UserActor (kernel/actor.ts), which the package does not export. */
export interface BenchActor {
  kind: 'user';
  orgId: string;
  userId: string;
  sessionId: string;
  role: string;
  permissions: ReadonlySet<string>;
  mfaVerified: boolean;
  clearance: string;
  ip: string | null;
  userAgent: string | null;
}

export async function actorForToken(server: ConclaveServer, token: string): Promise<BenchActor> {
  const row = await server.svc.database.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('roles as r', (j) => j.onRef('r.org_id', '=', 'u.org_id').onRef('r.name', '=', 'u.role'))
    .select(['s.id', 's.user_id', 's.org_id', 's.mfa_verified', 'u.role', 'u.clearance', 'r.permissions'])
    .where('s.token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
  const perms = row.permissions ? (JSON.parse(row.permissions) as string[]) : ((DEFAULT_ROLE_PERMISSIONS as Record<string, readonly string[]>)[row.role] ?? []);
  return {
    kind: 'user', orgId: row.org_id, userId: row.user_id, sessionId: row.id, role: row.role, permissions: new Set(perms),
    mfaVerified: row.mfa_verified === 1, clearance: row.clearance, ip: '127.0.0.1', userAgent: 'conclave-bench',
  };
}

/** Sends a message through the route handler (action layer), as `actor`. */
export function directSender(server: ConclaveServer, actor: BenchActor): (conversationId: string, text: string, clientId: string) => Promise<unknown> {
  const r = server.routes.find((x) => x.endpoint === 'sendMessage');
  if (!r) throw new Error('sendMessage route not found');
  return (conversationId, text, clientId) => r.handler({ actor, params: { id: conversationId }, query: undefined, body: { text, clientId } } as never);
}
