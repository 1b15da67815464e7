import type { MsgKey } from '../i18n/en';

export const BUILTIN_ROLES = ['owner', 'admin', 'security_officer', 'compliance_officer', 'auditor', 'member', 'guest'] as const;

/** A role's name in the user's language; custom roles show as named. */
export function roleLabel(role: string, t: (k: MsgKey) => string): string {
  return (BUILTIN_ROLES as readonly string[]).includes(role) ? t(`role.${role}` as MsgKey) : role;
}
