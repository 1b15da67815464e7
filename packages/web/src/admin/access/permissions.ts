/**
 * Permissions as the role editor shows them (ACL-1): in groups people recognise, each with a
 * one-line explanation (access.perm.<name>.hint), oversight permissions marked. The group table
 * is a Record over every permission of the protocol, so a new permission does not compile here
 * until it has a group (and, through MsgKey, a name and an explanation in both languages).
 */
import { OVERSIGHT_PERMISSIONS, type Permission } from '@conclave/sdk';
import type { MsgKey } from '../../i18n/en';

export type PermissionGroup = 'people' | 'organisation' | 'conversations' | 'oversight' | 'governance';
export const PERMISSION_GROUPS: PermissionGroup[] = ['people', 'organisation', 'conversations', 'oversight', 'governance'];

const GROUP_OF: Record<Permission, PermissionGroup> = {
  'users.create': 'people',
  'users.update': 'people',
  'users.deactivate': 'people',
  'users.set_clearance': 'people',
  'users.view_all': 'people',
  'users.view_unmasked': 'people',
  'users.view_sessions': 'people',
  'users.revoke_sessions': 'people',
  'roles.manage': 'organisation',
  'departments.manage': 'organisation',
  'org.update_settings': 'organisation',
  'conversations.create_group': 'conversations',
  'conversations.create_channel': 'conversations',
  'conversations.create_dm': 'conversations',
  'conversations.browse_channels': 'conversations',
  'conversations.invite_guests': 'conversations',
  'conversations.lower_level': 'conversations',
  'conversations.manage_any': 'conversations',
  'messages.delete_any': 'conversations',
  'audit.read': 'oversight',
  'audit.export': 'oversight',
  'alerts.manage': 'oversight',
  'retention.manage': 'governance',
  'legal_hold.manage': 'governance',
  'dsar.decide': 'governance',
  'ediscovery.export': 'governance',
  'archive.manage': 'governance',
};

/** The permissions of `group`, in the table's order. */
export function permissionsIn(group: PermissionGroup): Permission[] {
  return (Object.keys(GROUP_OF) as Permission[]).filter((p) => GROUP_OF[p] === group);
}

/** Oversight of other people's activity: a role holding one is privileged (dual control). */
export function isOversight(p: string): boolean {
  return (OVERSIGHT_PERMISSIONS as readonly string[]).includes(p);
}

/**
 * Whether granting `role` is a privileged grant — the server's rule (users.actions): owner,
 * admin, or any oversight permission. With dual control on, it waits for a second admin.
 */
export function isPrivilegedRole(role: { name: string; permissions: readonly string[] }): boolean {
  return role.name === 'owner' || role.name === 'admin' || role.permissions.some(isOversight);
}

export const permissionName = (p: string) => `access.perm.${p}` as MsgKey;
export const permissionHint = (p: string) => `access.perm.${p}.hint` as MsgKey;
export const groupName = (g: PermissionGroup) => `access.permGroup.${g}` as MsgKey;
