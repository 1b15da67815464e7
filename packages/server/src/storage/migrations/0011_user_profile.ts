/**
 * Personal profile fields (DLP-4, GOV-2): phone and postal address, sealed together under the
 * user's own data key (scope `user:<id>`), which erasure destroys.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema.alterTable('users').addColumn('profile_enc', blob).execute();
  await db.schema.alterTable('users').addColumn('profile_key_id', 'text').execute();
}
