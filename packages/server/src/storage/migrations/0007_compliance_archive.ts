/**
 * E2EE compliance archive (GOV-5, ENC-2). Everything here is public key material or HPKE
 * ciphertext the server cannot open: officer device public keys, the archive public key, its
 * shares sealed to officers, archived message ciphertexts, and shares released to a requester
 * (sealed to the requester's one-off key, deleted when the request closes).
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema.createTable('archive_officer_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('revoked_at', big)
    .execute();
  await db.schema.createIndex('archive_officer_keys_user').on('archive_officer_keys').columns(['org_id', 'user_id']).execute();

  // One row per ceremony; the current key is the one not retired.
  await db.schema.createTable('archive_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('share_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('retired_at', big)
    .execute();
  await db.schema.createIndex('archive_keys_org').on('archive_keys').columns(['org_id', 'retired_at']).execute();

  await db.schema.createTable('archive_shares')
    .addColumn('archive_key_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('officer_key_id', 'text', (c) => c.notNull())
    .addColumn('sealed_share', blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('archive_shares_pk', ['archive_key_id', 'user_id'])
    .execute();

  await db.schema.createTable('archive_levels')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('enabled_by', 'text', (c) => c.notNull())
    .addColumn('enabled_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('archive_levels_pk', ['org_id', 'level'])
    .execute();

  await db.schema.createTable('archive_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('archive_key_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('ciphertext', blob, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('archive_messages_scope').on('archive_messages').columns(['conversation_id', 'archive_key_id', 'message_id']).execute();

  await db.schema.createTable('archive_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('from_at', big, (c) => c.notNull())
    .addColumn('to_at', big, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requester_public_key', 'text', (c) => c.notNull())
    .addColumn('archive_key_id', 'text', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('closed_at', big)
    .execute();
  await db.schema.createIndex('archive_requests_org').on('archive_requests').columns(['org_id', 'id']).execute();

  // One decision per officer and request; a release carries the share sealed to the requester.
  await db.schema.createTable('archive_decisions')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('officer_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('sealed_share', blob)
    .addColumn('at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('archive_decisions_pk', ['request_id', 'officer_id'])
    .execute();
}
