/** Row → wire objects for users and sessions. Never exposes hashes, secrets or counters. */
import type { OrgRole, Session, User } from '@conclave/protocol';
import type { KeyService } from '../../kernel/keys';
import type { PresenceService } from '../../realtime/presence';
import type { Trx } from '../../storage/tx';
import { userDepartments } from '../access/access.store';
import type { SessionRow, UserRow } from './identity.store';
import { openProfiles, profileOf, type Profile } from './profile';
import { usersWithKeys } from './webauthn.store';

/** Several users with their departments (one query) and sealed profile fields. */
export async function presentUsers(db: Trx, rows: UserRow[], presence: PresenceService, keys: KeyService): Promise<User[]> {
  const depts = await userDepartments(db, rows.map((r) => r.id));
  const profiles = await openProfiles(db, keys, rows);
  const withKeys = await usersWithKeys(db, rows[0]?.org_id ?? '', rows.map((r) => r.id));
  return rows.map((r) => presentUser(r, presence, depts.get(r.id) ?? [], profileOf(profiles, r.id), withKeys.has(r.id)));
}

export async function presentOneUser(db: Trx, row: UserRow, presence: PresenceService, keys: KeyService): Promise<User> {
  return (await presentUsers(db, [row], presence, keys))[0]!;
}

/** `hasSecurityKey`: MFA is on with either factor (IAM-1), TOTP or a security key. */
export function presentUser(row: UserRow, presence: PresenceService, departmentIds: string[] = [], profile: Profile = { phone: null, address: null }, hasSecurityKey = false): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as OrgRole,
    status: row.status as User['status'],
    createdAt: row.created_at,
    mfaEnabled: row.totp_enabled === 1 || hasSecurityKey,
    presence: row.status === 'active' ? presence.status(row.id) : 'offline',
    external: row.role === 'guest',
    clearance: row.clearance,
    departmentIds,
    phone: profile.phone,
    address: profile.address,
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
