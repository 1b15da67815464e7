/** Image thumbnails (MSG-2): one sealed blob part per image file, described by `files.thumb` (JSON). */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('files').addColumn('thumb', 'text').execute();
}
