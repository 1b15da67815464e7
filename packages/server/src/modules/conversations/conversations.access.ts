/**
 * The access helper for conversations (rule 2). Every read or write of a conversation or its
 * messages goes through here. Denied and missing both raise not_found; the real reason goes
 * to the audit row. The access-control issue extends this with departments and clearance.
 */
import type { OrgSettings } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import { listDepartments, userDepartments } from '../access/access.store';
import { actorClears, levelDenial, levelPolicy } from '../access/levels';
import { getOrgSettings } from '../org/org.store';
import { findConversation, findMember, type ConversationRow, type MemberRow } from './conversations.store';

/** 'member': must belong to it. 'view': members, plus anyone who may browse channels for a channel. */
export type ConversationNeed = 'member' | 'view';

export interface ConversationAccess {
  conv: ConversationRow;
  member: MemberRow | null;
  settings: OrgSettings;
}

/**
 * Applies, in order: existence, clearance against the conversation's level (members included:
 * a stale membership never outranks clearance), membership, and for browsing a channel the
 * browse permission and the channel's department scope. A level that requires MFA refuses a
 * session without it.
 */
export async function accessConversation(db: Trx, actor: Actor, id: string, need: ConversationNeed): Promise<ConversationAccess> {
  const conv = await findConversation(db, actor.orgId, id);
  if (!conv) throw notFound('conversation', 'missing');
  const settings = await getOrgSettings(db, actor.orgId);
  if (actor.kind === 'system') return { conv, member: null, settings };
  if (!actorClears(settings, actor, conv.level)) throw notFound('conversation', 'clearance');
  const member = actor.userId ? ((await findMember(db, id, actor.userId)) ?? null) : null;
  if (!member) {
    const browsable = need === 'view' && conv.kind === 'channel' && actor.permissions.has('conversations.browse_channels')
      && (!conv.department_id || (await inDepartmentTree(db, actor.orgId, actor.userId!, conv.department_id)));
    if (!browsable) throw notFound('conversation', 'not_member');
  }
  // After membership, so a non-member learns nothing from a forbidden (rule 2).
  if (levelDenial(settings, actor, conv.level) === 'level_mfa') {
    throw new AppError('forbidden', `conversations at level "${conv.level}" need a session signed in with MFA`, undefined, 'level_mfa');
  }
  return { conv, member, settings };
}

/** True when the user belongs to `departmentId` or one of its sub-departments. */
export async function inDepartmentTree(db: Trx, orgId: string, userId: string, departmentId: string): Promise<boolean> {
  const mine = (await userDepartments(db, [userId])).get(userId) ?? [];
  if (!mine.length) return false;
  const tree = await listDepartments(db, orgId);
  const parent = new Map(tree.map((d) => [d.id, d.parent_id]));
  return mine.some((d) => {
    for (let cur: string | null | undefined = d, hops = 0; cur && hops < 64; cur = parent.get(cur), hops++) if (cur === departmentId) return true;
    return false;
  });
}

/** Which of these conversations are at a level whose content needs an MFA session (for event rendering). */
export async function mfaOnlyConversations(db: Trx, orgId: string, conversationIds: string[]): Promise<Set<string>> {
  if (!conversationIds.length) return new Set();
  const settings = await getOrgSettings(db, orgId);
  const levels = settings.levels.filter((l) => levelPolicy(settings, l).mfaRequired);
  if (!levels.length) return new Set();
  const rows = await db.selectFrom('conversations').select('id').where('id', 'in', conversationIds).where('level', 'in', levels).execute();
  return new Set(rows.map((r) => r.id));
}
