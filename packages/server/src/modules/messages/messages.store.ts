/** SQL for messages, versions, mentions and reactions. Nothing else touches these tables. */
import type { Selectable } from 'kysely';
import type { MessagesTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type MessageRow = Selectable<MessagesTable>;

export async function insertMessage(trx: Trx, row: MessageRow): Promise<void> {
  await trx.insertInto('messages').values(row).execute();
}

export function findMessage(db: Trx, conversationId: string, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).where('id', '=', id).executeTakeFirst();
}

export function findByClientId(db: Trx, conversationId: string, authorId: string, clientId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).where('author_id', '=', authorId)
    .where('client_id', '=', clientId).executeTakeFirst();
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
