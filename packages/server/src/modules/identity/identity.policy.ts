/** Who may do what with users and sessions (ACL-1). Pure functions over Actor + rows. */
import type { OrgRole, OrgSettings } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';
import { AppError, forbidden } from '../../kernel/errors';
import type { UserRow } from './identity.store';

const PRIVILEGED: OrgRole[] = ['owner', 'admin'];

/** Throws unless the actor holds `permission`. */
export function requirePermission(actor: Actor, permission: Parameters<Actor['permissions']['has']>[0]): void {
  if (!actor.permissions.has(permission)) throw forbidden(`you need the ${permission} permission`, `missing_permission:${permission}`);
}

/**
 * An admin manages members; only an owner manages owners and grants owner. Nobody changes
 * their own role (that would let an admin quietly promote or strand themselves).
 */
export function assertCanManageUser(actor: Actor, target: UserRow, newRole?: OrgRole): void {
  if (actor.kind === 'system') return;
  if (target.id === actor.userId && newRole && newRole !== target.role) throw forbidden('you cannot change your own role', 'self_role_change');
  if (target.role === 'owner' && actor.role !== 'owner') throw forbidden('only an owner can manage an owner', 'manage_owner');
  if (newRole === 'owner' && actor.role !== 'owner') throw forbidden('only an owner can grant the owner role', 'grant_owner');
  if (newRole && PRIVILEGED.includes(newRole) && !PRIVILEGED.includes(actor.role as OrgRole)) throw forbidden('only an admin can grant admin roles', 'grant_admin');
}

/**
 * The session restriction a fresh login gets (IAM-1: forced password change, forced MFA
 * enrolment). Either second factor satisfies "MFA required": TOTP or a security key.
 */
export function loginRestriction(user: UserRow, settings: OrgSettings, hasSecurityKey = false): 'password_change' | 'mfa_enrollment' | null {
  if (user.must_change_password === 1) return 'password_change';
  if (mfaRequired(user.role as OrgRole, settings) && user.totp_enabled !== 1 && !hasSecurityKey) return 'mfa_enrollment';
  return null;
}

export function mfaRequired(role: OrgRole, settings: OrgSettings): boolean {
  return settings.mfaRequiredRoles.includes(role);
}

export function assertNotLastOwner(remainingOwners: number): void {
  if (remainingOwners < 1) throw new AppError('conflict', 'the organisation must keep at least one active owner');
}
