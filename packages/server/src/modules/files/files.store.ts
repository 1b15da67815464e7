/** SQL for files. Nothing else touches this table. */
import type { Selectable } from 'kysely';
import type { FilesTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type FileRow = Selectable<FilesTable>;
export interface Part { k: string; n: number }
/** A sealed thumbnail part: blob key, sealed size, image type and dimensions. */
export interface Thumb { k: string; n: number; type: 'image/png' | 'image/jpeg'; w: number; h: number }

export function parts(row: FileRow): Part[] {
  return JSON.parse(row.parts) as Part[];
}

export async function insertFile(trx: Trx, row: FileRow): Promise<void> {
  await trx.insertInto('files').values(row).execute();
}

export function findFile(db: Trx, orgId: string, id: string): Promise<FileRow | undefined> {
  return db.selectFrom('files').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateFile(trx: Trx, id: string, patch: Partial<FileRow>): Promise<void> {
  await trx.updateTable('files').set(patch).where('id', '=', id).execute();
}

/**
 * Gives the files of a message the message's DLP-1 flags (after the author tightened them): the
 * flags only ever grow, so the message's full set is written as is.
 */
export async function restrictMessageFiles(trx: Trx, messageId: string, flags: number): Promise<void> {
  await trx.updateTable('files').set({ restrictions: flags }).where('message_id', '=', messageId).execute();
}

export async function deleteFile(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('files').where('id', '=', id).execute();
}

/** Whether any other file row still uses the encrypted parts of `blobId` (forwarded copies). */
export async function blobInUse(db: Trx, blobId: string): Promise<boolean> {
  return !!(await db.selectFrom('files').select('id').where('blob_id', '=', blobId).limit(1).executeTakeFirst());
}

export function filesOfMessages(db: Trx, messageIds: string[]): Promise<FileRow[]> {
  if (!messageIds.length) return Promise.resolve([]);
  return db.selectFrom('files').selectAll().where('message_id', 'in', messageIds).where('status', '=', 'ready').orderBy('id').execute();
}

export function findFilesByIds(db: Trx, ids: string[]): Promise<FileRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
}

/** Sent files of a conversation (attached to a message), newest first. */
export async function listSent(db: Trx, conversationId: string, opts: { before?: string; floorPos: number; limit: number }): Promise<{ rows: FileRow[]; hasMore: boolean }> {
  let q = db.selectFrom('files as f').innerJoin('messages as m', 'm.id', 'f.message_id').selectAll('f')
    .where('f.conversation_id', '=', conversationId).where('f.status', '=', 'ready').where('m.deleted_at', 'is', null);
  if (opts.floorPos) q = q.where('m.position', '>', opts.floorPos);
  if (opts.before) q = q.where('f.id', '<', opts.before);
  const rows = await q.orderBy('f.id', 'desc').limit(opts.limit + 1).execute();
  return { rows: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit };
}

/** Unfinished uploads past their expiry (for the sweep). */
export function expiredUploads(db: Trx, now: number, limit = 100): Promise<FileRow[]> {
  return db.selectFrom('files').selectAll().where('status', '=', 'uploading').where('expires_at', '<', now).limit(limit).execute();
}
