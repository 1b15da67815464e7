/**
 * Files (MSG-2), the keyed-token search index (MSG-3) and the DLP-4 permission.
 * File content lives in the blob store (encrypted per file); the table holds metadata, the
 * sealed name and the list of encrypted parts. The search index holds only keyed hashes.
 */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_ROLE_PERMISSIONS } from '@conclave/protocol';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  const big = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema.createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    // The file whose key and encrypted parts this row uses (itself, or the original of a forwarded copy).
    .addColumn('blob_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('name_enc', blob, (c) => c.notNull())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('received_bytes', big, (c) => c.notNull().defaultTo(0))
    .addColumn('parts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('declared_type', 'text')
    .addColumn('content_type', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('completed_at', big)
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_conversation').on('files').columns(['conversation_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('files_message').on('files').column('message_id').execute();
  await db.schema.createIndex('files_blob').on('files').column('blob_id').execute();

  await db.schema.createTable('search_keys')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .execute();

  // term: 53 bits of HMAC-SHA256(conversation search key, token); doc_id: a message or file id.
  let terms = db.schema.createTable('search_terms')
    .addColumn('term', big, (c) => c.notNull())
    .addColumn('doc_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_terms_pk', ['term', 'doc_id']);
  if (dialect === 'sqlite') terms = terms.modifyEnd(sql`without rowid`);
  await terms.execute();
  await db.schema.createIndex('search_terms_doc').on('search_terms').column('doc_id').execute();

  // DLP-4: built-in roles that now hold users.view_unmasked get it in existing organisations.
  const rows = await db.selectFrom('roles').select(['org_id', 'name', 'permissions']).where('builtin', '=', 1).execute();
  for (const r of rows as Array<{ org_id: string; name: string; permissions: string }>) {
    const defaults = (DEFAULT_ROLE_PERMISSIONS as Record<string, readonly string[]>)[r.name] ?? [];
    const perms = JSON.parse(r.permissions) as string[];
    if (defaults.includes('users.view_unmasked') && !perms.includes('users.view_unmasked')) {
      await db.updateTable('roles').set({ permissions: JSON.stringify([...perms, 'users.view_unmasked']) })
        .where('org_id', '=', r.org_id).where('name', '=', r.name).execute();
    }
  }
}
