/** Conversation writes (MSG-1, ACL-2..4): create, rename/archive/level, membership, read markers. */
import type { BodyOf, ConversationRole, OrgSettings, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { ActionContext } from '../../kernel/action';
import { AppError, forbidden, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { findUsersByIds, type UserRow } from '../identity/identity.store';
import { requirePermission } from '../identity/identity.policy';
import { findDepartment } from '../access/access.store';
import { clears, levelPolicy, levelRank } from '../access/levels';
import { getOrgSettings } from '../org/org.store';
import { accessConversation, inDepartmentTree } from './conversations.access';
import { assertCanAddMembers, assertCanManage, assertCanRemove, assertWritable, dmKey } from './conversations.policy';
import { presentMember } from './members.presenter';
import type { ConversationQueries } from './conversations.queries';
import { assertAdmissible, historyFrom, memberData, removeMembership } from './membership';
import * as store from './conversations.store';

/** Read receipts go to other members only in small conversations (no storms in big channels). */
const RECEIPTS_MAX_MEMBERS = 50;

export class ConversationActions {
  constructor(private readonly svc: Services, private readonly queries: ConversationQueries) {}

  async create(actor: UserActor, body: BodyOf<'createConversation'>): Promise<ResponseOf<'createConversation'>> {
    const { kind } = body;
    if (kind === 'dm') return this.openDm(actor, body.memberIds ?? [], body.encryption ?? 'server');
    if (!body.name) throw invalid('name', `a ${kind} needs a name`);
    if (body.departmentId && kind !== 'channel') throw invalid('departmentId', 'only channels can be scoped to a department');
    if (body.encryption === 'e2ee' && kind !== 'group') throw invalid('encryption', 'only private groups and direct messages can be end-to-end encrypted');
    const id = await this.svc.runner.run(actor, 'conversations.create', { targetType: 'conversation', details: { kind, level: body.level } }, async (ctx) => {
      requirePermission(actor, kind === 'group' ? 'conversations.create_group' : 'conversations.create_channel');
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const level = this.checkLevel(settings, body.level ?? settings.defaultLevel, actor);
      assertEncryptionAllowed(settings, level, kind, body.encryption ?? 'server');
      if (body.departmentId) await this.checkDepartment(ctx, body.departmentId);
      if (kind === 'channel' && (await store.findChannelByName(ctx.trx, actor.orgId, body.name!))) throw new AppError('conflict', 'a channel with this name already exists', { field: 'name' });
      const others = await this.requireActiveUsers(ctx, (body.memberIds ?? []).filter((u) => u !== actor.userId));
      const conv = await this.insert(ctx, kind, body.name!, body.topic ?? null, null, level, body.departmentId ?? null, body.encryption ?? 'server');
      await assertAdmissible(ctx, conv, settings, others);
      await this.addRows(ctx, conv, [{ userId: actor.userId, role: 'owner' }, ...others.map((u) => ({ userId: u.id, role: 'member' as const }))], 0);
      ctx.detail({ members: others.length + 1 });
      return conv.id;
    });
    return { conversation: await this.queries.conversationFor(actor, id) };
  }

  /**
   * One DM per pair and encryption mode, idempotent: a pair may have a server-mode DM and an
   * end-to-end encrypted one (E2E-1; its MLS group is set up by the members' clients).
   * Guests may DM only people they already share a conversation with, unless allowed.
   */
  private async openDm(actor: UserActor, memberIds: string[], encryption: 'server' | 'e2ee'): Promise<ResponseOf<'createConversation'>> {
    const peers = [...new Set(memberIds)];
    if (peers.length > 1) throw invalid('memberIds', 'a direct message takes exactly one other person');
    const peer = peers[0] ?? actor.userId;
    // `<a>:<b>` for the plaintext DM, `<a>:<b>:e2ee` for the encrypted one (presenters read a and b).
    const key = dmKey(actor.userId, peer) + (encryption === 'e2ee' ? ':e2ee' : '');
    const existing = await store.findDm(this.svc.database.db, actor.orgId, key);
    if (existing && (await store.findMember(this.svc.database.db, existing.id, actor.userId))) return { conversation: await this.queries.conversationFor(actor, existing.id) };
    const id = await this.svc.runner.run(actor, 'conversations.create', { targetType: 'conversation', details: { kind: 'dm', encryption } }, async (ctx) => {
      requirePermission(actor, 'conversations.create_dm');
      const again = await store.findDm(ctx.trx, actor.orgId, key);
      if (again) return again.id;
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const users = peer === actor.userId ? [] : await this.requireActiveUsers(ctx, [peer]);
      if (actor.role === 'guest' && users.length && !settings.guestDmToNonMembers && !(await store.sharesConversation(ctx.trx, actor.userId, peer))) {
        throw notFound('user', 'guest_isolation');
      }
      assertEncryptionAllowed(settings, settings.defaultLevel, 'dm', encryption);
      const conv = await this.insert(ctx, 'dm', null, null, key, settings.defaultLevel, null, encryption);
      await assertAdmissible(ctx, conv, settings, users);
      await this.addRows(ctx, conv, [...new Set([actor.userId, peer])].map((u) => ({ userId: u, role: 'member' as const })), 0);
      return conv.id;
    });
    return { conversation: await this.queries.conversationFor(actor, id) };
  }

  /** Rename, topic, archive, and level changes (raising removes members without clearance; lowering needs a permission). */
  async update(actor: UserActor, id: string, body: BodyOf<'updateConversation'>): Promise<ResponseOf<'updateConversation'>> {
    await this.svc.runner.run(actor, 'conversations.update', { targetType: 'conversation', targetId: id, details: { fields: Object.keys(body), level: body.level } }, async (ctx) => {
      // 'view': org admins (conversations.manage_any) may manage channels they have not joined.
      const { conv, member, settings } = await accessConversation(ctx.trx, actor, id, 'view');
      if (conv.kind === 'dm' && (body.name !== undefined || body.archived !== undefined)) throw new AppError('conflict', 'direct messages cannot be renamed or archived');
      assertCanManage(actor, member, 'change this conversation');
      if (body.archived === undefined) assertWritable(conv);
      if (body.name && conv.kind === 'channel') {
        const clash = await store.findChannelByName(ctx.trx, actor.orgId, body.name);
        if (clash && clash.id !== id) throw new AppError('conflict', 'a channel with this name already exists', { field: 'name' });
      }
      const patch: Partial<store.ConversationRow> = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.topic !== undefined) patch.topic = body.topic;
      if (body.archived !== undefined) patch.archived_at = body.archived ? (conv.archived_at ?? ctx.now) : null;
      let removed: string[] = [];
      if (body.level !== undefined && body.level !== conv.level) {
        patch.level = this.checkLevel(settings, body.level, actor);
        if (conv.encryption !== 'e2ee' && levelPolicy(settings, body.level).e2eeRequired) {
          throw new AppError('conflict', `level "${body.level}" requires end-to-end encryption and this conversation is not end-to-end encrypted`, { field: 'level' });
        }
        if (levelRank(settings, body.level) < levelRank(settings, conv.level)) requirePermission(actor, 'conversations.lower_level');
        removed = await this.removeUncleared(ctx, { ...conv, ...patch }, settings);
        ctx.detail({ fromLevel: conv.level, toLevel: body.level, removedMembers: removed.length });
      }
      await store.updateConversation(ctx.trx, id, patch);
      await ctx.emit(await store.memberIds(ctx.trx, id), { type: 'conversation.updated', conversationId: id });
    });
    return { conversation: await this.queries.conversationFor(actor, id) };
  }

  async addMembers(actor: UserActor, id: string, userIds: string[]): Promise<ResponseOf<'addMembers'>> {
    const added = await this.svc.runner.run(actor, 'conversations.add_members', { targetType: 'conversation', targetId: id }, async (ctx) => {
      const { conv, member, settings } = await accessConversation(ctx.trx, actor, id, 'member');
      assertWritable(conv);
      assertCanAddMembers(actor, conv, member);
      const existing = new Set(await store.memberIds(ctx.trx, id));
      const fresh = await this.requireActiveUsers(ctx, userIds.filter((u) => !existing.has(u)));
      await assertAdmissible(ctx, conv, settings, fresh);
      const rows = await this.addRows(ctx, conv, fresh.map((u) => ({ userId: u.id, role: 'member' as const })), historyFrom(conv, settings));
      ctx.detail({ added: fresh.map((u) => u.id) });
      return rows;
    });
    return { members: added.map(presentMember) };
  }

  async join(actor: UserActor, id: string): Promise<ResponseOf<'joinChannel'>> {
    await this.svc.runner.run(actor, 'conversations.join', { targetType: 'conversation', targetId: id }, async (ctx) => {
      const { conv, member, settings } = await accessConversation(ctx.trx, actor, id, 'view');
      if (conv.kind !== 'channel') throw notFound('conversation', 'join_non_channel');
      assertWritable(conv);
      if (!member) await this.addRows(ctx, conv, [{ userId: actor.userId, role: 'member' }], historyFrom(conv, settings));
    });
    return { conversation: await this.queries.conversationFor(actor, id) };
  }

  async updateMember(actor: UserActor, id: string, userId: string, role: ConversationRole): Promise<ResponseOf<'updateMember'>> {
    const row = await this.svc.runner.run(actor, 'conversations.update_member', { targetType: 'conversation', targetId: id, details: { userId, role } }, async (ctx) => {
      const { conv, member } = await accessConversation(ctx.trx, actor, id, 'member');
      if (conv.kind === 'dm') throw new AppError('conflict', 'direct messages have no roles');
      assertCanManage(actor, member, 'change roles');
      const target = await store.findMember(ctx.trx, id, userId);
      if (!target) throw notFound('member');
      if ((role === 'owner' || target.role === 'owner') && member?.role !== 'owner' && !actor.permissions.has('conversations.manage_any')) {
        throw forbidden('only an owner can grant or take the owner role', 'owner_role');
      }
      await store.setMemberRole(ctx.trx, id, userId, role);
      if (target.role === 'owner' && role !== 'owner' && !(await store.listMembers(ctx.trx, id)).some((m) => m.role === 'owner')) {
        throw new AppError('conflict', 'the conversation must keep an owner; make someone else owner first');
      }
      const updated = { ...target, role };
      await ctx.emit(await store.memberIds(ctx.trx, id), { type: 'member.updated', conversationId: id, data: memberData(updated) });
      await ctx.emit([userId], { type: 'conversation.updated', conversationId: id });
      return updated;
    });
    return { member: presentMember(row) };
  }

  /** Removes `userId` (yourself: leave). The last owner leaving hands ownership on. */
  async removeMember(actor: UserActor, id: string, userId: string): Promise<{ ok: true }> {
    const action = userId === actor.userId ? 'conversations.leave' : 'conversations.remove_member';
    await this.svc.runner.run(actor, action, { targetType: 'conversation', targetId: id, details: { userId } }, async (ctx) => {
      const { conv, member } = await accessConversation(ctx.trx, actor, id, 'member');
      const target = userId === actor.userId ? member : await store.findMember(ctx.trx, id, userId);
      if (!target) throw notFound('member');
      assertCanRemove(actor, conv, member, target);
      const heir = await removeMembership(ctx, conv, userId);
      if (heir) ctx.detail({ newOwner: heir });
    });
    return { ok: true };
  }

  /** Moves the caller's read marker (never backwards); other devices and small rooms are told. */
  async markRead(actor: UserActor, id: string, position: number): Promise<ResponseOf<'markRead'>> {
    const last = await this.svc.runner.run(actor, 'conversations.mark_read', { targetType: 'conversation', targetId: id }, async (ctx) => {
      const { conv, member } = await accessConversation(ctx.trx, actor, id, 'member');
      const target = Math.min(position, Number(conv.last_position));
      if (target <= Number(member!.last_read_position)) return Number(member!.last_read_position);
      const now = await store.advanceReadMarker(ctx.trx, id, actor.userId, target);
      await ctx.emit([actor.userId], { type: 'read.updated', conversationId: id, data: { lastReadPosition: now } });
      if (conv.member_count <= RECEIPTS_MAX_MEMBERS) {
        const others = (await store.memberIds(ctx.trx, id)).filter((u) => u !== actor.userId);
        await ctx.emit(others, { type: 'receipt.updated', conversationId: id, data: { userId: actor.userId, lastReadPosition: now } });
      }
      return now;
    });
    return { lastReadPosition: last };
  }

  /** Removes every member whose clearance no longer reaches the conversation's level (they are told). */
  async removeUncleared(ctx: ActionContext, conv: store.ConversationRow, settings: OrgSettings): Promise<string[]> {
    const members = await store.listMembers(ctx.trx, conv.id);
    const users = await findUsersByIds(ctx.trx, ctx.actor.orgId, members.map((m) => m.user_id));
    const out = users.filter((u) => !clears(settings, u.clearance, conv.level)).map((u) => u.id);
    for (const u of out) await removeMembership(ctx, conv, u);
    return out;
  }

  /** The level must exist, be within the actor's clearance, and (if it requires MFA) the session must have it — checked before anything is written. */
  private checkLevel(settings: OrgSettings, level: string, actor: UserActor): string {
    if (!settings.levels.includes(level)) throw invalid('level', `unknown level "${level}"; levels are ${settings.levels.join(', ')}`);
    if (!clears(settings, actor.clearance, level)) throw forbidden(`your clearance does not reach "${level}"`, 'clearance');
    if (levelPolicy(settings, level).mfaRequired && !actor.mfaVerified) throw forbidden(`conversations at level "${level}" need a session signed in with MFA`, 'level_mfa');
    return level;
  }

  private async checkDepartment(ctx: ActionContext, departmentId: string): Promise<void> {
    if (!(await findDepartment(ctx.trx, ctx.actor.orgId, departmentId))) throw notFound('department');
    const a = ctx.actor;
    if (!a.permissions.has('conversations.manage_any') && !(await inDepartmentTree(ctx.trx, a.orgId, a.userId!, departmentId))) {
      throw forbidden('you can scope a channel only to your own department', 'department_scope');
    }
  }

  private async insert(ctx: ActionContext, kind: string, name: string | null, topic: string | null, key: string | null, level: string, departmentId: string | null, encryption: 'server' | 'e2ee' = 'server'): Promise<store.ConversationRow> {
    const id = newId(ctx.now);
    const dek = await this.svc.keys.create(ctx.trx, `conversation:${id}`, ctx.now);
    const row: store.ConversationRow = {
      id, org_id: ctx.actor.orgId, kind, name, topic, encryption, dm_key: key, key_id: dek.id, created_by: ctx.actor.userId!,
      created_at: ctx.now, archived_at: null, last_position: 0, last_message_at: null, member_count: 0, level, department_id: departmentId,
    };
    await store.insertConversation(ctx.trx, row);
    ctx.target('conversation', id);
    return row;
  }

  /** Inserts memberships, updates the count and tells everyone (new members see the conversation appear). */
  private async addRows(ctx: ActionContext, conv: store.ConversationRow, people: Array<{ userId: string; role: ConversationRole }>, from: number): Promise<store.MemberRow[]> {
    if (people.length === 0) return [];
    const rows = people.map((p) => ({ conversation_id: conv.id, user_id: p.userId, role: p.role, joined_at: ctx.now, last_read_position: Number(conv.last_position), history_from: from }));
    await store.insertMembers(ctx.trx, rows);
    const all = await store.memberIds(ctx.trx, conv.id);
    await store.updateConversation(ctx.trx, conv.id, { member_count: all.length });
    await ctx.emit(all, { type: 'conversation.updated', conversationId: conv.id });
    for (const r of rows) await ctx.emit(all, { type: 'member.added', conversationId: conv.id, data: memberData(r) });
    return rows;
  }

  /** All ids must be active users of the organisation; unknown ones are named in the error. */
  private async requireActiveUsers(ctx: ActionContext, ids: string[]): Promise<UserRow[]> {
    const unique = [...new Set(ids)];
    const found = (await findUsersByIds(ctx.trx, ctx.actor.orgId, unique)).filter((u) => u.status === 'active');
    const ok = new Set(found.map((u) => u.id));
    const missing = unique.filter((u) => !ok.has(u));
    if (missing.length) throw new AppError('not_found', `user not found: ${missing.join(', ')}`, { userIds: missing }, 'unknown_or_inactive_user');
    return found;
  }
}

export { memberData };

/**
 * A level may require end-to-end encryption (LevelPolicy.e2eeRequired, E2E-1): only encrypted
 * private groups and DMs can be created at it — channels (readable by anyone who joins) and
 * server-mode conversations are refused with the reason.
 */
function assertEncryptionAllowed(settings: OrgSettings, level: string, kind: string, encryption: string): void {
  if (encryption === 'e2ee' || !levelPolicy(settings, level).e2eeRequired) return;
  if (kind === 'channel') throw invalid('level', `level "${level}" requires end-to-end encryption, which channels do not have: use an encrypted private group`);
  throw invalid('encryption', `level "${level}" requires end-to-end encryption: create the ${kind === 'dm' ? 'direct message' : 'group'} with encryption "e2ee"`);
}

