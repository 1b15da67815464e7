/**
 * eDiscovery exports (GOV-5): export requests with their criteria, two-person-rule decisions
 * and delivery, and per-organisation settings (which levels need a second approver).
 * Keywords are sealed under the export's own data key (they are sensitive search terms) and
 * erased once the export is delivered or expires; packages are built on download, never stored.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema.createTable('ediscovery_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('matter', 'text', (c) => c.notNull())
    // JSON {custodians, conversationIds, from, to, levels}: ids and times only, no content.
    .addColumn('criteria', 'text', (c) => c.notNull())
    .addColumn('keyword_count', 'integer', (c) => c.notNull())
    .addColumn('keywords_digest', 'text')
    // Sealed JSON {keywords, salt} under key_id; null once erased.
    .addColumn('keywords_enc', blob)
    .addColumn('key_id', 'text')
    .addColumn('sensitive_levels', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', big, (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', big)
    .addColumn('refusal_reason', 'text')
    .addColumn('downloaded_by', 'text')
    .addColumn('downloaded_at', big)
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('message_count', 'integer')
    .addColumn('file_count', 'integer')
    .addColumn('manifest_sha256', 'text')
    .execute();
  await db.schema.createIndex('ediscovery_exports_org').on('ediscovery_exports').columns(['org_id', 'requested_at']).execute();
  await db.schema.createIndex('ediscovery_exports_due').on('ediscovery_exports').columns(['status', 'expires_at']).execute();

  await db.schema.createTable('ediscovery_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    // JSON array of level names whose export needs a second approver.
    .addColumn('sensitive_levels', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
}
