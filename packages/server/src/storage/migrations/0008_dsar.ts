/**
 * Data-subject requests (GOV-3): the requests with their decision and completion, the
 * organisation's request settings (deadline, export approval, export lifetime) and the
 * deadline alerts, unique per (request, kind) so that no scan ever raises one twice.
 * Exports are generated on download: no table or blob holds their content (rule 5).
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema.createTable('dsar_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('opened_at', big, (c) => c.notNull())
    .addColumn('due_at', big, (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', big)
    .addColumn('decision_reason', 'text')
    .addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('completed_at', big)
    .addColumn('cancelled_at', big)
    .addColumn('cancel_reason', 'text')
    .addColumn('export_expires_at', big)
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_downloaded_at', big)
    .addColumn('erasure', 'text')
    .execute();
  await db.schema.createIndex('dsar_requests_org').on('dsar_requests').columns(['org_id', 'status', 'due_at']).execute();
  await db.schema.createIndex('dsar_requests_requester').on('dsar_requests').columns(['requester_id', 'kind', 'status']).execute();

  await db.schema.createTable('dsar_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('deadline_days', 'integer', (c) => c.notNull())
    .addColumn('export_approval', 'text', (c) => c.notNull())
    .addColumn('export_ttl_days', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  await db.schema.createTable('dsar_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', big, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addUniqueConstraint('dsar_alerts_once', ['request_id', 'kind'])
    .execute();
  await db.schema.createIndex('dsar_alerts_org').on('dsar_alerts').columns(['org_id', 'id']).execute();
}
