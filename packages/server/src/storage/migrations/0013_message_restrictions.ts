/**
 * Per-message DLP restrictions (DLP-1): no-forward / no-copy / no-download set by the sender.
 * One small integer bit-field (1 no-forward, 2 no-copy, 4 no-download) on messages, and the same
 * on files, which carry the flags of the message they are attached to so that every file read
 * (download, metadata, search hits) needs no join. Existing rows get 0: nothing beyond the level.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // `integer` with a constant default is a metadata-only change on PostgreSQL ≥ 11 and SQLite alike.
  await db.schema.alterTable('messages').addColumn('restrictions', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('files').addColumn('restrictions', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
