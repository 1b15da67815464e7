/**
 * WebAuthn credentials (IAM-1): security keys and platform authenticators as a second factor.
 *
 * `webauthn_credentials`: one row per registered key. The credential id is unique across the
 * deployment (an authenticator answers for one credential id; two accounts must never share
 * one). Public keys are not secret and are stored as they came (COSE bytes); nothing here is
 * message content.
 *
 * `webauthn_challenges`: single-use challenges, kept in the database rather than in memory so
 * that the node answering the browser's second call need not be the node that issued them.
 * Only the SHA-256 of a challenge is stored; a row is deleted when used or after it expires.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema.createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('public_key', blob, (c) => c.notNull())
    .addColumn('counter', big, (c) => c.notNull().defaultTo(0))
    .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text')
    .addColumn('backed_up', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('last_used_at', big)
    .execute();
  await db.schema.createIndex('webauthn_credentials_credential_id').unique().on('webauthn_credentials').column('credential_id').execute();
  await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').columns(['user_id', 'created_at']).execute();

  await db.schema.createTable('webauthn_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    /** 'register' or 'login'. */
    .addColumn('purpose', 'text', (c) => c.notNull())
    /** The session a registration challenge was issued to (null for login challenges). */
    .addColumn('session_id', 'text')
    .addColumn('challenge_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_hash').unique().on('webauthn_challenges').column('challenge_hash').execute();
  await db.schema.createIndex('webauthn_challenges_user').on('webauthn_challenges').columns(['user_id', 'purpose', 'created_at']).execute();
  await db.schema.createIndex('webauthn_challenges_expiry').on('webauthn_challenges').column('expires_at').execute();
}
