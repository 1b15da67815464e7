/** Who may do what inside a conversation (MSG-1, ACL-1). Pure functions. */
import type { Actor } from '../../kernel/actor';
import { AppError, forbidden } from '../../kernel/errors';
import type { ConversationRow, MemberRow } from './conversations.store';

const MANAGERS = new Set(['owner', 'admin']);

/** Conversation owner/admin, or an org admin with conversations.manage_any. */
export function canManage(actor: Actor, member: MemberRow | null): boolean {
  return (member !== null && MANAGERS.has(member.role)) || actor.permissions.has('conversations.manage_any');
}

export function assertCanManage(actor: Actor, member: MemberRow | null, what: string): void {
  if (!canManage(actor, member)) throw forbidden(`only conversation owners and admins can ${what}`, 'not_conversation_admin');
}

/** Groups: managers add people. Channels: any member may. DMs: nobody (start a group instead). */
export function assertCanAddMembers(actor: Actor, conv: ConversationRow, member: MemberRow | null): void {
  if (conv.kind === 'dm') throw new AppError('conflict', 'a direct message has exactly two people; start a group instead');
  if (conv.kind === 'group') assertCanManage(actor, member, 'add members to a private group');
  else if (!member && !actor.permissions.has('conversations.manage_any')) throw forbidden('join the channel before adding people', 'not_member');
}

/** Removing someone else: managers only, and only an owner removes an owner. */
export function assertCanRemove(actor: Actor, conv: ConversationRow, member: MemberRow | null, target: MemberRow): void {
  if (conv.kind === 'dm') throw new AppError('conflict', 'you cannot leave or remove people from a direct message');
  if (target.user_id === actor.userId) return;
  assertCanManage(actor, member, 'remove members');
  if (target.role === 'owner' && member?.role !== 'owner' && !actor.permissions.has('conversations.manage_any')) {
    throw forbidden('only an owner can remove an owner', 'remove_owner');
  }
}

export function assertWritable(conv: ConversationRow): void {
  if (conv.archived_at !== null) throw new AppError('conflict', 'the conversation is archived; unarchive it first');
}

/** Keys a DM by its sorted participant pair, making "open DM with X" idempotent. */
export function dmKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
