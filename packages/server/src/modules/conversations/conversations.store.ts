/** SQL for conversations and memberships. Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { ConversationMembersTable, ConversationsTable } from '../../storage/schema';
import { PreparedQuery } from '../../storage/db';
import type { Trx } from '../../storage/tx';

export type ConversationRow = Selectable<ConversationsTable>;
export type MemberRow = Selectable<ConversationMembersTable>;

export async function insertConversation(trx: Trx, row: ConversationRow): Promise<void> {
  await trx.insertInto('conversations').values(row).execute();
}

// The hot reads of every message write (access check, fan-out list), compiled once (storage/db.ts).
const conversationById = new PreparedQuery<ConversationRow>((db, p) => db.selectFrom('conversations').selectAll().where('org_id', '=', p(0)).where('id', '=', p(1)));
const memberByIds = new PreparedQuery<MemberRow>((db, p) => db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', p(0)).where('user_id', '=', p(1)));
const memberIdsOf = new PreparedQuery<{ user_id: string }>((db, p) => db.selectFrom('conversation_members').select('user_id').where('conversation_id', '=', p(0)));

export function findConversation(db: Trx, orgId: string, id: string): Promise<ConversationRow | undefined> {
  return conversationById.first(db, [orgId, id]);
}

export function findDm(db: Trx, orgId: string, dmKey: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('dm_key', '=', dmKey).executeTakeFirst();
}

export function findChannelByName(db: Trx, orgId: string, name: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('kind', '=', 'channel')
    .where('archived_at', 'is', null).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
}

export async function updateConversation(trx: Trx, id: string, patch: Partial<ConversationRow>): Promise<void> {
  await trx.updateTable('conversations').set(patch).where('id', '=', id).execute();
}

export function findMember(db: Trx, conversationId: string, userId: string): Promise<MemberRow | undefined> {
  return memberByIds.first(db, [conversationId, userId]);
}

export function listMembers(db: Trx, conversationId: string): Promise<MemberRow[]> {
  return db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversationId).orderBy('joined_at').orderBy('user_id').execute();
}

export async function memberIds(db: Trx, conversationId: string): Promise<string[]> {
  const { rows } = await memberIdsOf.execute(db, [conversationId]);
  return rows.map((r) => r.user_id);
}

export async function insertMembers(trx: Trx, rows: MemberRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('conversation_members').values(rows.slice(i, i + 200)).execute();
}

export async function deleteMember(trx: Trx, conversationId: string, userId: string): Promise<void> {
  await trx.deleteFrom('conversation_members').where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

export async function setMemberRole(trx: Trx, conversationId: string, userId: string, role: string): Promise<void> {
  await trx.updateTable('conversation_members').set({ role }).where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

/** Moves a read marker forward only (a stale device cannot move it back). Returns the new value. */
export async function advanceReadMarker(trx: Trx, conversationId: string, userId: string, position: number): Promise<number> {
  await trx.updateTable('conversation_members').set({ last_read_position: position })
    .where('conversation_id', '=', conversationId).where('user_id', '=', userId).where('last_read_position', '<', position).execute();
  const m = await findMember(trx, conversationId, userId);
  return Number(m?.last_read_position ?? 0);
}

/** Conversations the user belongs to, with their membership row. */
export function listForUser(db: Trx, orgId: string, userId: string, includeArchived: boolean) {
  let q = db.selectFrom('conversations as c').innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .selectAll('c').select(['m.role as my_role', 'm.last_read_position as my_last_read', 'm.joined_at as my_joined_at'])
    .where('c.org_id', '=', orgId).where('m.user_id', '=', userId);
  if (!includeArchived) q = q.where('c.archived_at', 'is', null);
  return q.orderBy('c.last_message_at', 'desc').orderBy('c.id').execute();
}

export function listChannels(db: Trx, orgId: string, q?: string): Promise<ConversationRow[]> {
  let query = db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('kind', '=', 'channel').where('archived_at', 'is', null);
  if (q) query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`));
  return query.orderBy('name').limit(1000).execute();
}

/**
 * Unread and mention counts for one user over several conversations (MSG-5). Unread counts
 * top-level messages by others after the read marker that are not deleted — the client
 * derives the same figure from events, so the rule must stay exactly this.
 */
export async function readCounts(db: Trx, userId: string, conversationIds: string[]): Promise<Map<string, { unread: number; mentions: number }>> {
  const out = new Map<string, { unread: number; mentions: number }>();
  if (conversationIds.length === 0) return out;
  for (const id of conversationIds) out.set(id, { unread: 0, mentions: 0 });
  const unread = await db.selectFrom('messages as msg').innerJoin('conversation_members as m', (j) => j.onRef('m.conversation_id', '=', 'msg.conversation_id').on('m.user_id', '=', userId))
    .select(['msg.conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('msg.conversation_id', 'in', conversationIds).whereRef('msg.position', '>', 'm.last_read_position')
    .where('msg.author_id', '!=', userId).where('msg.deleted_at', 'is', null).where('msg.thread_root_id', 'is', null)
    .groupBy('msg.conversation_id').execute();
  for (const r of unread) out.get(r.conversation_id)!.unread = Number(r.n);
  const mentions = await db.selectFrom('message_mentions as mm')
    .innerJoin('conversation_members as m', (j) => j.onRef('m.conversation_id', '=', 'mm.conversation_id').on('m.user_id', '=', userId))
    .innerJoin('messages as msg', 'msg.id', 'mm.message_id')
    .select(['mm.conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('mm.user_id', '=', userId).where('mm.conversation_id', 'in', conversationIds).whereRef('mm.position', '>', 'm.last_read_position')
    .where('msg.author_id', '!=', userId).where('msg.deleted_at', 'is', null).where('msg.thread_root_id', 'is', null)
    .groupBy('mm.conversation_id').execute();
  for (const r of mentions) out.get(r.conversation_id)!.mentions = Number(r.n);
  return out;
}

/** People who share a DM or private group with `userId` (who sees their presence, MSG-5). */
export async function closePeers(db: Trx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('conversation_members as mine')
    .innerJoin('conversations as c', 'c.id', 'mine.conversation_id')
    .innerJoin('conversation_members as other', 'other.conversation_id', 'mine.conversation_id')
    .select('other.user_id').distinct()
    .where('mine.user_id', '=', userId).where('c.kind', 'in', ['dm', 'group']).where('other.user_id', '!=', userId).execute();
  return rows.map((r) => r.user_id);
}

/** Which of these conversations have at least one guest member (ACL-4 marker). */
export async function withExternalMembers(db: Trx, conversationIds: string[]): Promise<Set<string>> {
  if (!conversationIds.length) return new Set();
  const rows = await db.selectFrom('conversation_members as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.conversation_id').distinct().where('m.conversation_id', 'in', conversationIds).where('u.role', '=', 'guest').execute();
  return new Set(rows.map((r) => r.conversation_id));
}

/** Every conversation a user belongs to (offboarding, clearance changes). */
export function membershipsOf(db: Trx, userId: string) {
  return db.selectFrom('conversation_members as m').innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c').select(['m.role as my_role']).where('m.user_id', '=', userId).execute();
}

/** Whether two users share at least one conversation. */
export async function sharesConversation(db: Trx, a: string, b: string): Promise<boolean> {
  const row = await db.selectFrom('conversation_members as x').innerJoin('conversation_members as y', 'y.conversation_id', 'x.conversation_id')
    .select('x.conversation_id').where('x.user_id', '=', a).where('y.user_id', '=', b).limit(1).executeTakeFirst();
  return row !== undefined;
}
