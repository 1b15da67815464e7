/** Initial schema: orgs, identity, keys, conversations, messages, events, audit. */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const t = (name: string) => db.schema.createTable(name);

  await t('orgs').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull()).addColumn('created_at', big, (c) => c.notNull()).execute();

  await t('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('totp_secret_enc', blob)
    .addColumn('totp_key_id', 'text')
    .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('totp_last_step', big, (c) => c.notNull().defaultTo(0))
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', big, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addColumn('deactivated_at', big)
    .execute();
  await db.schema.createIndex('users_org_email').on('users').columns(['org_id', 'email']).unique().execute();

  await t('recovery_codes').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull()).addColumn('used_at', big).addColumn('created_at', big, (c) => c.notNull()).execute();
  await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();

  await t('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('last_seen_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('ip', 'text').addColumn('user_agent', 'text')
    .addColumn('mfa_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('restriction', 'text')
    .addColumn('revoked_at', big).addColumn('revoked_reason', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await t('data_keys').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kek_id', 'text', (c) => c.notNull()).addColumn('wrapped', blob, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull()).addColumn('destroyed_at', big).execute();
  await db.schema.createIndex('data_keys_scope').on('data_keys').column('scope').execute();

  await t('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text').addColumn('topic', 'text')
    .addColumn('encryption', 'text', (c) => c.notNull())
    .addColumn('dm_key', 'text', (c) => c.unique())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('archived_at', big)
    .addColumn('last_position', big, (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_at', big)
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('conversations_org_kind').on('conversations').columns(['org_id', 'kind']).execute();

  await t('conversation_members')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', big, (c) => c.notNull())
    .addColumn('last_read_position', big, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('conversation_members_user').on('conversation_members').column('user_id').execute();

  await t('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('position', big, (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('thread_root_id', 'text')
    .addColumn('encryption', 'text', (c) => c.notNull())
    .addColumn('body', blob)
    .addColumn('key_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('edited_at', big).addColumn('deleted_at', big)
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_reply_at', big)
    .execute();
  await db.schema.createIndex('messages_conv_pos').on('messages').columns(['conversation_id', 'position']).unique().execute();
  await db.schema.createIndex('messages_idem').on('messages').columns(['conversation_id', 'author_id', 'client_id']).unique().execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['thread_root_id', 'position']).execute();

  await t('message_versions').addColumn('message_id', 'text', (c) => c.notNull()).addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('body', blob, (c) => c.notNull()).addColumn('key_id', 'text').addColumn('edited_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_versions_pk', ['message_id', 'version']).execute();

  await t('message_mentions').addColumn('message_id', 'text', (c) => c.notNull()).addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull()).addColumn('position', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_mentions_pk', ['message_id', 'user_id']).execute();
  await db.schema.createIndex('message_mentions_user').on('message_mentions').columns(['user_id', 'conversation_id', 'position']).execute();

  await t('reactions').addColumn('message_id', 'text', (c) => c.notNull()).addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull()).addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'user_id', 'emoji']).execute();

  const events = t('events');
  await (dialect === 'postgres'
    ? events.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : events.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text').addColumn('message_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await t('user_events').addColumn('user_id', 'text', (c) => c.notNull()).addColumn('seq', big, (c) => c.notNull())
    .addColumn('event_id', big, (c) => c.notNull()).addPrimaryKeyConstraint('user_events_pk', ['user_id', 'seq']).execute();
  await t('user_cursors').addColumn('user_id', 'text', (c) => c.primaryKey()).addColumn('last_seq', big, (c) => c.notNull().defaultTo(0)).execute();

  await t('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('seq', big, (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text').addColumn('session_id', 'text')
    .addColumn('ip', 'text').addColumn('user_agent', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text').addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_org_seq').on('audit_log').columns(['org_id', 'seq']).unique().execute();
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor_id', 'at']).execute();
  await db.schema.createIndex('audit_target').on('audit_log').columns(['target_id', 'at']).execute();

  // AUD-2: the audit table is append-only at the database level, whatever the application does.
  if (dialect === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION conclave_audit_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION conclave_audit_append_only()`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION conclave_audit_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  }
}
