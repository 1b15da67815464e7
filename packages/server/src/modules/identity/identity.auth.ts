/** Resolves a bearer token to an Actor (IAM-3). Revoked, expired or deactivated → unauthenticated. */
import { hashToken } from '@conclave/crypto';
import { DEFAULT_ROLE_PERMISSIONS, type BuiltinRole, type OrgRole, type Permission } from '@conclave/protocol';
import { userActor, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Services } from '../../services';

/** last_seen_at is bookkeeping, not an action: written at most once a minute per session. */
const TOUCH_EVERY_MS = 60_000;

export interface Authenticated {
  actor: UserActor;
  restriction: 'password_change' | 'mfa_enrollment' | null;
}

export class Authenticator {
  constructor(private readonly svc: Services) {}

  async authenticate(token: string | undefined, ip: string | null, userAgent: string | null): Promise<Authenticated> {
    if (!token) throw new AppError('unauthenticated', 'sign in first: send Authorization: Bearer <token>', undefined, 'no_token');
    if (token.length > 200) throw new AppError('unauthenticated', 'the session token is invalid', undefined, 'malformed_token');
    const now = this.svc.clock.now();
    // One query: session, user and the user's role permissions, so a role change applies at once.
    const row = await this.svc.database.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('roles as r', (j) => j.onRef('r.org_id', '=', 'u.org_id').onRef('r.name', '=', 'u.role'))
      .select(['s.id', 's.user_id', 's.org_id', 's.expires_at', 's.revoked_at', 's.mfa_verified', 's.restriction', 's.last_seen_at', 'u.role', 'u.status', 'u.clearance', 'r.permissions'])
      .where('s.token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row || row.revoked_at !== null || row.status !== 'active') throw new AppError('unauthenticated', 'the session has ended; sign in again', undefined, row ? 'revoked' : 'unknown_token');
    if (row.expires_at <= now) throw new AppError('unauthenticated', 'the session has expired; sign in again', undefined, 'expired');
    if (now - row.last_seen_at > TOUCH_EVERY_MS) {
      await this.svc.database.db.updateTable('sessions').set({ last_seen_at: now, ip }).where('id', '=', row.id).execute();
    }
    return {
      actor: userActor({
        orgId: row.org_id, userId: row.user_id, role: row.role as OrgRole, clearance: row.clearance, sessionId: row.id, mfaVerified: row.mfa_verified === 1, ip, userAgent,
        permissions: row.permissions ? (JSON.parse(row.permissions) as Permission[]) : (DEFAULT_ROLE_PERMISSIONS[row.role as BuiltinRole] ?? []),
      }),
      restriction: (row.restriction as Authenticated['restriction']) ?? null,
    };
  }
}
