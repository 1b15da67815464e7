/**
 * Membership rules shared by conversations, identity (offboarding, clearance changes) and level
 * changes: who may be admitted (ACL-2, ACL-4) and how a member leaves (ownership hand-over,
 * events to everyone concerned).
 */
import type { OrgSettings } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import { AppError, forbidden } from '../../kernel/errors';
import { findDepartment } from '../access/access.store';
import { clears } from '../access/levels';
import type { UserRow } from '../identity/identity.store';
import { inDepartmentTree } from './conversations.access';
import * as store from './conversations.store';
import { mlsMemberRemoved } from '../mls/mls.external';

/** Throws unless every user may join `conv`: clearance, guest rules, department scope. */
export async function assertAdmissible(ctx: ActionContext, conv: store.ConversationRow, settings: OrgSettings, users: UserRow[]): Promise<void> {
  const below = users.filter((u) => !clears(settings, u.clearance, conv.level));
  if (below.length) {
    throw new AppError('forbidden', `clearance below the conversation's level "${conv.level}": ${below.map((u) => u.id).join(', ')}`, { userIds: below.map((u) => u.id) }, 'clearance');
  }
  const guests = users.filter((u) => u.role === 'guest');
  if (guests.length) {
    if (ctx.actor.kind !== 'system' && !ctx.actor.permissions.has('conversations.invite_guests')) throw forbidden('you may not invite external users', 'invite_guests');
    if (conv.kind === 'channel') throw new AppError('conflict', 'external users can be invited to groups and direct messages, not channels');
    if (conv.department_id) {
      const dept = await findDepartment(ctx.trx, ctx.actor.orgId, conv.department_id);
      if (dept?.external_isolation) throw new AppError('conflict', `department "${dept.name}" does not allow external users`);
    }
  }
  if (conv.department_id && conv.kind === 'channel') {
    for (const u of users) {
      if (!(await inDepartmentTree(ctx.trx, ctx.actor.orgId, u.id, conv.department_id))) {
        throw new AppError('forbidden', `user ${u.id} is not in this channel's department`, { userIds: [u.id] }, 'department_scope');
      }
    }
  }
}

/** The first position new members may read: 0, or the current end when history is hidden. */
export function historyFrom(conv: store.ConversationRow, settings: OrgSettings): number {
  return settings.historyVisibleToNewMembers ? 0 : Number(conv.last_position);
}

/**
 * Removes a member and tells everyone. When the last owner leaves, `heirId` (if a remaining
 * member) or else the longest-standing admin, or else the longest-standing member, becomes owner.
 * Returns the new owner's id, if ownership moved.
 */
export async function removeMembership(ctx: ActionContext, conv: store.ConversationRow, userId: string, heirId?: string | null): Promise<string | null> {
  const target = await store.findMember(ctx.trx, conv.id, userId);
  if (!target) return null;
  await store.deleteMember(ctx.trx, conv.id, userId);
  const rest = await store.listMembers(ctx.trx, conv.id);
  await store.updateConversation(ctx.trx, conv.id, { member_count: rest.length });
  const heir = target.role === 'owner' && conv.kind !== 'dm' && !rest.some((m) => m.role === 'owner')
    ? (rest.find((m) => m.user_id === heirId) ?? rest.find((m) => m.role === 'admin') ?? rest[0]) : undefined;
  const restIds = rest.map((m) => m.user_id);
  if (heir) {
    await store.setMemberRole(ctx.trx, conv.id, heir.user_id, 'owner');
    await ctx.emit(restIds, { type: 'member.updated', conversationId: conv.id, data: memberData({ ...heir, role: 'owner' }) });
  }
  await ctx.emit(restIds, { type: 'member.removed', conversationId: conv.id, data: { userId } });
  await ctx.emit(restIds, { type: 'conversation.updated', conversationId: conv.id });
  await ctx.emit([userId], { type: 'conversation.removed', conversationId: conv.id });
  // E2EE: delivery stopped above; the server now asks the MLS group to remove their devices.
  if (conv.encryption === 'e2ee') await mlsMemberRemoved(ctx, conv.id);
  return heir?.user_id ?? null;
}

/** Member metadata carried in member events (no content). */
export function memberData(m: store.MemberRow): Record<string, unknown> {
  return { userId: m.user_id, role: m.role, joinedAt: m.joined_at, lastReadPosition: Number(m.last_read_position) };
}
