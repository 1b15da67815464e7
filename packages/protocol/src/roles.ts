/**
 * Organisation roles and named permissions (ACL-1). Roles are data: every organisation starts
 * with the built-in table below and admins may add custom roles (sets of these permissions).
 */
export const BUILTIN_ROLES = ['owner', 'admin', 'security_officer', 'compliance_officer', 'auditor', 'member', 'guest'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];
/** A role name: built-in or custom (lower-case letters, digits, underscores). */
export type OrgRole = string;
/** @deprecated use BUILTIN_ROLES */
export const ORG_ROLES = BUILTIN_ROLES;

export const PERMISSIONS = [
  'users.create',
  'users.update',
  'users.deactivate',
  'users.set_clearance',
  'users.view_sessions',
  'users.revoke_sessions',
  'users.view_all',
  'roles.manage',
  'departments.manage',
  'org.update_settings',
  'conversations.create_group',
  'conversations.create_channel',
  'conversations.create_dm',
  'conversations.browse_channels',
  'conversations.invite_guests',
  'conversations.lower_level',
  'conversations.manage_any',
  'messages.delete_any',
  'audit.read',
  'audit.export',
  'alerts.manage',
  'users.view_unmasked',
  // Data governance (GOV-1..5): compliance officers by default, never admins (separation of duties).
  'retention.manage',
  'legal_hold.manage',
  'dsar.decide',
  'ediscovery.export',
  'archive.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Permissions that give oversight of other people's activity. Granting a role that holds any
 * of them is a privileged grant: always audited, and with dual control enabled it needs a
 * second admin's approval (separation of duties, ACL-1).
 */
export const OVERSIGHT_PERMISSIONS: readonly Permission[] = [
  'audit.read', 'audit.export', 'alerts.manage', 'users.view_sessions', 'roles.manage', 'users.view_unmasked',
  'retention.manage', 'legal_hold.manage', 'dsar.decide', 'ediscovery.export', 'archive.manage',
];
/** What compliance officers do (GOV-1..5). */
const COMPLIANCE: Permission[] = ['retention.manage', 'legal_hold.manage', 'dsar.decide', 'ediscovery.export', 'archive.manage'];

const MEMBER: Permission[] = ['conversations.create_group', 'conversations.create_channel', 'conversations.create_dm', 'conversations.browse_channels', 'conversations.invite_guests'];
const ADMIN: Permission[] = [
  ...MEMBER,
  'users.create', 'users.update', 'users.deactivate', 'users.set_clearance', 'users.view_sessions', 'users.revoke_sessions', 'users.view_all',
  'roles.manage', 'departments.manage', 'org.update_settings', 'conversations.lower_level', 'conversations.manage_any', 'messages.delete_any',
  'users.view_unmasked',
];

/** Default role → permissions table (ACL-1). Admins do not read the audit log: auditors do. */
export const DEFAULT_ROLE_PERMISSIONS: Record<BuiltinRole, readonly Permission[]> = {
  owner: [...ADMIN, 'audit.read'],
  admin: ADMIN,
  security_officer: [...MEMBER, 'users.view_all', 'users.view_sessions', 'users.revoke_sessions', 'audit.read', 'alerts.manage', 'users.view_unmasked'],
  compliance_officer: [...MEMBER, 'users.view_all', 'audit.read', 'audit.export', 'users.view_unmasked', ...COMPLIANCE],
  auditor: [...MEMBER, 'users.view_all', 'audit.read', 'audit.export'],
  member: MEMBER,
  guest: ['conversations.create_dm'],
};

/** Roles that may only be held or granted by an owner. */
export const OWNER_ONLY_ROLES: readonly string[] = ['owner'];

/** Default confidentiality levels, lowest first (ACL-2). Organisations may replace the list. */
export const DEFAULT_LEVELS = ['public', 'internal', 'confidential', 'secret'] as const;

/** Roles inside one conversation. */
export const CONVERSATION_ROLES = ['owner', 'admin', 'member'] as const;
export type ConversationRole = (typeof CONVERSATION_ROLES)[number];

/** Industry presets (GOV-6), documented in docs/PRESETS.md. */
export const PRESETS = ['finance', 'healthcare', 'manufacturing', 'government'] as const;
export type Preset = (typeof PRESETS)[number];
