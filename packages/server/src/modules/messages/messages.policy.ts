/** Who may edit, delete and see the history of a message (MSG-1). */
import type { OrgSettings } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';
import { forbidden } from '../../kernel/errors';
import { canManage } from '../conversations/conversations.policy';
import type { MemberRow } from '../conversations/conversations.store';
import type { MessageRow } from './messages.store';

export function assertCanEdit(actor: Actor, msg: MessageRow): void {
  if (msg.author_id !== actor.userId) throw forbidden('only the author can edit a message', 'not_author');
}

/** Authors delete their own; conversation managers and org admins (messages.delete_any) any. */
export function assertCanDelete(actor: Actor, msg: MessageRow, member: MemberRow | null): void {
  if (msg.author_id === actor.userId) return;
  if (member && (member.role === 'owner' || member.role === 'admin')) return;
  if (actor.permissions.has('messages.delete_any')) return;
  throw forbidden('only the author or a conversation admin can delete this message', 'not_author');
}

export function assertCanSeeHistory(actor: Actor, msg: MessageRow, member: MemberRow | null, settings: OrgSettings): void {
  if (settings.editHistoryVisibleTo === 'members' || msg.author_id === actor.userId || canManage(actor, member)) return;
  throw forbidden('edit history is visible to the author and conversation admins only', 'history_policy');
}
