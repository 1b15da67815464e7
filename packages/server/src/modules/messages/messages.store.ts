/** SQL for messages, versions, mentions and reactions. Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { MessagesTable } from '../../storage/schema';
import { PreparedQuery } from '../../storage/db';
import type { Trx } from '../../storage/tx';

export type MessageRow = Selectable<MessagesTable>;

// Every send runs these; they are compiled once per dialect instead of built per call (storage/db.ts).
const MESSAGE_COLUMNS = ['id', 'conversation_id', 'position', 'client_id', 'author_id', 'thread_root_id', 'encryption', 'version', 'created_at',
  'edited_at', 'deleted_at', 'reply_count', 'last_reply_at', 'body', 'key_id', 'restrictions'] as const satisfies ReadonlyArray<keyof MessageRow>;
/** Fails to compile when a column is added to MessagesTable but not to MESSAGE_COLUMNS. */
const allColumnsListed: [Exclude<keyof MessageRow, (typeof MESSAGE_COLUMNS)[number]>] extends [never] ? true : never = true;
void allColumnsListed;
const insertMessageQuery = new PreparedQuery((db, p) => db.insertInto('messages')
  .values(Object.fromEntries(MESSAGE_COLUMNS.map((c, i) => [c, p(i)])) as unknown as MessageRow));
const messageById = new PreparedQuery<MessageRow>((db, p) => db.selectFrom('messages').selectAll().where('conversation_id', '=', p(0)).where('id', '=', p(1)));
const messageByClientId = new PreparedQuery<MessageRow>((db, p) => db.selectFrom('messages').selectAll().where('conversation_id', '=', p(0))
  .where('author_id', '=', p(1)).where('client_id', '=', p(2)));

export async function insertMessage(trx: Trx, row: MessageRow): Promise<void> {
  await insertMessageQuery.execute(trx, MESSAGE_COLUMNS.map((c) => row[c]));
}

export function findMessage(db: Trx, conversationId: string, id: string): Promise<MessageRow | undefined> {
  return messageById.first(db, [conversationId, id]);
}

export function findByClientId(db: Trx, conversationId: string, authorId: string, clientId: string): Promise<MessageRow | undefined> {
  return messageByClientId.first(db, [conversationId, authorId, clientId]);
}

export function findMessagesByIds(db: Trx, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
}

/** A page of the timeline (or of one thread), returned oldest first. */
export async function listPage(db: Trx, conversationId: string, opts: { beforePos?: number; afterPos?: number; floorPos?: number; threadRootId?: string; limit: number }): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  q = opts.threadRootId ? q.where('thread_root_id', '=', opts.threadRootId) : q.where('thread_root_id', 'is', null);
  const forward = opts.afterPos !== undefined && opts.beforePos === undefined;
  if (opts.beforePos !== undefined) q = q.where('position', '<', opts.beforePos);
  if (opts.afterPos !== undefined) q = q.where('position', '>', opts.afterPos);
  // Members who may not see history from before they joined read only after this position.
  if (opts.floorPos) q = q.where('position', '>', opts.floorPos);
  const rows = await q.orderBy('position', forward ? 'asc' : 'desc').limit(opts.limit + 1).execute();
  const hasMore = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  return { rows: forward ? page : page.reverse(), hasMore };
}

export async function updateMessage(trx: Trx, id: string, patch: Partial<MessageRow>): Promise<void> {
  await trx.updateTable('messages').set(patch).where('id', '=', id).execute();
}

export async function insertVersion(trx: Trx, row: { message_id: string; version: number; body: Uint8Array; key_id: string | null; edited_at: number }): Promise<void> {
  await trx.insertInto('message_versions').values(row).execute();
}

export function listVersions(db: Trx, messageId: string) {
  return db.selectFrom('message_versions').selectAll().where('message_id', '=', messageId).orderBy('version').execute();
}

/** Mentions of a message just inserted (it has none yet, so nothing to delete first). */
export async function insertMentions(trx: Trx, msg: { id: string; conversation_id: string; position: number }, userIds: string[]): Promise<void> {
  if (userIds.length) {
    await trx.insertInto('message_mentions').values(userIds.map((u) => ({ message_id: msg.id, user_id: u, conversation_id: msg.conversation_id, position: msg.position }))).execute();
  }
}

export async function replaceMentions(trx: Trx, msg: { id: string; conversation_id: string; position: number }, userIds: string[]): Promise<void> {
  await trx.deleteFrom('message_mentions').where('message_id', '=', msg.id).execute();
  if (userIds.length) {
    await trx.insertInto('message_mentions').values(userIds.map((u) => ({ message_id: msg.id, user_id: u, conversation_id: msg.conversation_id, position: msg.position }))).execute();
  }
}

/** Erases everything a deleted message carried besides its tombstone. */
export async function eraseMessageContent(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('message_versions').where('message_id', '=', id).execute();
  await trx.deleteFrom('message_mentions').where('message_id', '=', id).execute();
  await trx.deleteFrom('reactions').where('message_id', '=', id).execute();
}

export async function addReaction(trx: Trx, messageId: string, userId: string, emoji: string, now: number): Promise<boolean> {
  const r = await trx.insertInto('reactions').values({ message_id: messageId, user_id: userId, emoji, created_at: now })
    .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeReaction(trx: Trx, messageId: string, userId: string, emoji: string): Promise<boolean> {
  const r = await trx.deleteFrom('reactions').where('message_id', '=', messageId).where('user_id', '=', userId).where('emoji', '=', emoji).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function distinctEmojiCount(db: Trx, messageId: string): Promise<number> {
  const r = await db.selectFrom('reactions').select((eb) => eb.fn.count<number>('emoji').distinct().as('n')).where('message_id', '=', messageId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export function reactionsFor(db: Trx, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('reactions').select(['message_id', 'user_id', 'emoji', 'created_at']).where('message_id', 'in', ids).orderBy('created_at').orderBy('user_id').execute();
}

export function mentionsFor(db: Trx, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('message_mentions').select(['message_id', 'user_id']).where('message_id', 'in', ids).orderBy('user_id').execute();
}

export function threadParticipants(db: Trx, rootIds: string[]) {
  if (rootIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('messages').select(['thread_root_id', 'author_id']).distinct().where('thread_root_id', 'in', rootIds).execute();
}
