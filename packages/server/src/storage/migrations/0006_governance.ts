/**
 * Data governance (GOV-1, GOV-2): message keys scoped by conversation, month and author (so
 * retention and erasure can crypto-shred), retention policies and legal minimums, legal holds,
 * retention runs and signed deletion receipts. Built-in compliance roles get the new permissions.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_ROLE_PERMISSIONS } from '@conclave/protocol';
import type { DialectName } from '../db';

const NEW_PERMISSIONS = ['retention.manage', 'legal_hold.manage', 'dsar.decide', 'ediscovery.export', 'archive.manage'];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';

  // One data key per (conversation, UTC month, author): the unit that retention and erasure shred.
  await db.schema.createTable('message_keys')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_keys_pk', ['conversation_id', 'bucket', 'author_id'])
    .execute();
  await db.schema.createIndex('message_keys_author').on('message_keys').column('author_id').execute();
  await db.schema.createIndex('messages_key').on('messages').column('key_id').execute();
  await db.schema.createIndex('message_versions_key').on('message_versions').column('key_id').execute();
  await db.schema.createIndex('messages_author').on('messages').columns(['author_id', 'created_at']).execute();
  await db.schema.createIndex('messages_created').on('messages').columns(['conversation_id', 'created_at']).execute();

  await db.schema.createTable('retention_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('delete_after_days', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addUniqueConstraint('retention_policies_scope', ['org_id', 'scope', 'target'])
    .execute();

  await db.schema.createTable('retention_minimums')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('min_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('retention_minimums_pk', ['org_id', 'level'])
    .execute();

  await db.schema.createTable('legal_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('custodian_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('query', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('released_by', 'text')
    .addColumn('released_at', big)
    .addColumn('release_reason', 'text')
    .execute();
  await db.schema.createIndex('legal_holds_org').on('legal_holds').columns(['org_id', 'released_at']).execute();

  await db.schema.createTable('retention_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('finished_at', big)
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('receipt_id', 'text')
    .execute();
  await db.schema.createIndex('retention_runs_org').on('retention_runs').columns(['org_id', 'started_at']).execute();

  await db.schema.createTable('deletion_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deletion_receipts_org').on('deletion_receipts').columns(['org_id', 'created_at']).execute();

  // Built-in roles that now hold governance permissions get them in existing organisations.
  const rows = await db.selectFrom('roles').select(['org_id', 'name', 'permissions']).where('builtin', '=', 1).execute();
  for (const r of rows as Array<{ org_id: string; name: string; permissions: string }>) {
    const defaults = (DEFAULT_ROLE_PERMISSIONS as Record<string, readonly string[]>)[r.name] ?? [];
    const perms = JSON.parse(r.permissions) as string[];
    const add = NEW_PERMISSIONS.filter((p) => defaults.includes(p) && !perms.includes(p));
    if (add.length) {
      await db.updateTable('roles').set({ permissions: JSON.stringify([...perms, ...add]) }).where('org_id', '=', r.org_id).where('name', '=', r.name).execute();
    }
  }
}
