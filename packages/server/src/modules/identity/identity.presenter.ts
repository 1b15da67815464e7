/** Row → wire objects for users and sessions. Never exposes hashes, secrets or counters. */
import type { OrgRole, Session, User } from '@conclave/protocol';
import type { PresenceService } from '../../realtime/presence';
import type { Trx } from '../../storage/tx';
import { userDepartments } from '../access/access.store';
import type { SessionRow, UserRow } from './identity.store';

/** Several users with their departments (one query). */
export async function presentUsers(db: Trx, rows: UserRow[], presence: PresenceService): Promise<User[]> {
  const depts = await userDepartments(db, rows.map((r) => r.id));
  return rows.map((r) => presentUser(r, presence, depts.get(r.id) ?? []));
}

export async function presentOneUser(db: Trx, row: UserRow, presence: PresenceService): Promise<User> {
  return (await presentUsers(db, [row], presence))[0]!;
}

export function presentUser(row: UserRow, presence: PresenceService, departmentIds: string[] = []): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as OrgRole,
    status: row.status as User['status'],
    createdAt: row.created_at,
    mfaEnabled: row.totp_enabled === 1,
    presence: row.status === 'active' ? presence.status(row.id) : 'offline',
    external: row.role === 'guest',
    clearance: row.clearance,
    departmentIds,
  };
}

export function presentSession(row: SessionRow, currentId: string | null): Session {
  return {
    id: row.id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
    mfaVerified: row.mfa_verified === 1,
    restriction: (row.restriction as Session['restriction']) ?? null,
    current: row.id === currentId,
  };
}
