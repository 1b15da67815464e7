/**
 * MLS delivery service (E2E-1): devices, KeyPackages, each group's public state, handshake
 * messages and Welcome routing. Everything here is public MLS material or opaque ciphertext;
 * the only secret (the server's external-sender signing key) is sealed under a data key.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema.createTable('mls_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('signature_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('revoked_at', big)
    .execute();
  await db.schema.createIndex('mls_devices_user').on('mls_devices').column('user_id').execute();

  await db.schema.createTable('mls_key_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('last_resort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mls_key_packages_device').on('mls_key_packages').columns(['device_id', 'last_resort', 'id']).execute();

  await db.schema.createTable('mls_groups')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('group_id', blob, (c) => c.notNull())
    .addColumn('ciphersuite', 'text', (c) => c.notNull())
    .addColumn('epoch', big, (c) => c.notNull())
    .addColumn('group_info', blob, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  // Leaf index → device, as of the current epoch (from the GroupInfo's ratchet tree).
  await db.schema.createTable('mls_group_leaves')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('leaf_index', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mls_group_leaves_pk', ['conversation_id', 'leaf_index'])
    .execute();
  await db.schema.createIndex('mls_group_leaves_device').on('mls_group_leaves').column('device_id').execute();

  await db.schema.createTable('mls_handshakes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('epoch', big, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('welcome', blob)
    .addColumn('sender_user_id', 'text')
    .addColumn('sender_device_id', 'text')
    .addColumn('removed_leaf', 'integer')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mls_handshakes_conv_epoch').on('mls_handshakes').columns(['conversation_id', 'epoch', 'id']).execute();

  await db.schema.createTable('mls_welcome_targets')
    .addColumn('handshake_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mls_welcome_targets_pk', ['handshake_id', 'device_id'])
    .execute();
  await db.schema.createIndex('mls_welcome_targets_device').on('mls_welcome_targets').column('device_id').execute();

  await db.schema.createTable('mls_server_keys')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('signature_public_key', blob, (c) => c.notNull())
    .addColumn('signature_private_enc', blob, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
}
