/**
 * Audit trail (AUD-1..3, MON-1): signed checkpoints, the audit signing key, the reference
 * index behind "every operation on record X", search indexes, security alerts.
 * The audit_log table itself is unchanged: adding a column would change every row's hash.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema.createTable('audit_checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('count', big, (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_checkpoints_org_count').on('audit_checkpoints').columns(['org_id', 'count']).execute();

  // The Ed25519 audit key: private half sealed under a data key wrapped by the master key.
  await db.schema.createTable('audit_signing_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_enc', blob, (c) => c.notNull())
    .addColumn('data_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('retired_at', big)
    .execute();

  // Ids an audit row refers to in its details (conversationId, userId, …): with target_id
  // and actor_id this answers "every operation on record X" from indexes.
  await db.schema.createTable('audit_refs')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('seq', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_refs_pk', ['org_id', 'ref_id', 'seq'])
    .execute();

  // Search (GET /api/v1/audit): each filter has an index ending in seq, so keyset paging by
  // seq stays an index range scan.
  await db.schema.createIndex('audit_org_actor_seq').on('audit_log').columns(['org_id', 'actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_org_target_seq').on('audit_log').columns(['org_id', 'target_id', 'seq']).execute();
  await db.schema.createIndex('audit_org_action_seq').on('audit_log').columns(['org_id', 'action', 'seq']).execute();
  await db.schema.createIndex('audit_org_outcome_seq').on('audit_log').columns(['org_id', 'outcome', 'seq']).execute();
  await db.schema.createIndex('audit_org_at').on('audit_log').columns(['org_id', 'at']).execute();

  await db.schema.createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('row_ids', 'text', (c) => c.notNull())
    .addColumn('row_seqs', 'text', (c) => c.notNull())
    .addColumn('trigger_seq', big, (c) => c.notNull())
    .addColumn('trigger_at', big, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', big)
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('alerts_dedup').on('alerts').columns(['org_id', 'rule', 'dedup_key']).unique().execute();
  await db.schema.createIndex('alerts_subject').on('alerts').columns(['org_id', 'rule', 'subject', 'trigger_seq']).execute();
  await db.schema.createIndex('alerts_org_id').on('alerts').columns(['org_id', 'id']).execute();

  // How far the rules engine has read each organisation's audit stream.
  await db.schema.createTable('alert_cursors')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', big, (c) => c.notNull())
    .execute();

  // Existing deployments: index the references of the rows already written, and start the
  // rules engine at the current head (history is not re-alerted).
  const orgs = await db.selectFrom('orgs').select('id').execute();
  for (const { id: orgId } of orgs) {
    const head = await db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('max')).where('org_id', '=', orgId).executeTakeFirst();
    await db.insertInto('alert_cursors').values({ org_id: orgId, last_seq: Number(head?.max ?? 0) }).execute();
    let after = 0;
    for (;;) {
      const rows = await db.selectFrom('audit_log').select(['seq', 'details', 'target_id', 'actor_id']).where('org_id', '=', orgId)
        .where('seq', '>', after).orderBy('seq').limit(2000).execute();
      if (rows.length === 0) break;
      const refs = rows.flatMap((r) => detailRefs(r.details, [r.target_id, r.actor_id]).map((ref) => ({ org_id: orgId, ref_id: ref, seq: Number(r.seq) })));
      for (let i = 0; i < refs.length; i += 500) await db.insertInto('audit_refs').values(refs.slice(i, i + 500)).execute();
      after = Number(rows[rows.length - 1]!.seq);
    }
  }
  if (dialect === 'postgres') await sql`ANALYZE audit_log`.execute(db);
}

/** Same rule as kernel/audit.ts `auditRefs` (kept here so the migration never changes). */
function detailRefs(details: string, skip: Array<string | null>): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const v of Object.values((parsed ?? {}) as Record<string, unknown>)) {
    for (const x of Array.isArray(v) ? v.slice(0, 50) : [v]) if (typeof x === 'string' && ULID.test(x) && !skip.includes(x)) out.add(x);
  }
  return [...out];
}
