/**
 * Audit writer (AUD-1, AUD-2): appends one hash-chained row inside the caller's transaction.
 * Rows carry metadata only — never message content, tokens or passwords (rule 5).
 */
import { auditRowHash, canonicalJson, GENESIS_HASH } from '@conclave/crypto';
import { sql } from 'kysely';
import { dialectOf, PreparedQuery } from '../storage/db';
import type { Trx } from '../storage/tx';
import type { Actor } from './actor';
import { newId } from './ids';

export type AuditOutcome = 'success' | 'denied' | 'failed' | 'error';

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  targetType?: string | null;
  targetId?: string | null;
  /** Error code or internal reason for a non-success outcome. */
  reason?: string | null;
  /** Metadata only: ids, counts, field names. Never content or secrets. */
  details?: Record<string, unknown>;
}

/** Keys that must never appear in audit details, whatever a caller passes. */
const FORBIDDEN_DETAIL_KEYS = /pass(word)?|secret|token|totp|code|text|ciphertext|body|content/i;

function scrub(details: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === undefined) continue;
    out[wellFormed(k)] = FORBIDDEN_DETAIL_KEYS.test(k) ? '[redacted]' : wellFormedDeep(v);
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates (from hostile input) replaced by U+FFFD: RFC 8785 cannot hash them, and an audit row must never be lost. */
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

function wellFormedDeep(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedDeep);
  if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormedDeep(x)]));
  return v;
}

const AUDIT_COLUMNS = ['id', 'org_id', 'seq', 'at', 'actor_type', 'actor_id', 'session_id', 'ip', 'user_agent', 'action', 'target_type',
  'target_id', 'outcome', 'reason', 'details', 'prev_hash', 'hash'] as const;
type AuditRow = Record<(typeof AUDIT_COLUMNS)[number], unknown>;

/**
 * The last row this process appended per organisation. Only a hint that saves reading the chain
 * head before each append: the insert below runs only when the head *in the database, under the
 * org write lock* is exactly that row (same seq and hash), so a stale hint (another node, the
 * CLI, a rolled-back transaction) costs a fallback, never a wrong link.
 */
const heads = new Map<string, { seq: number; hash: string }>();
const HEADS_MAX = 10_000;

const chainHead = new PreparedQuery<{ seq: number; hash: string }>((db, p) => db.selectFrom('audit_log').select(['seq', 'hash'])
  .where('org_id', '=', p(0)).orderBy('seq', 'desc').limit(1));
const insertRow = new PreparedQuery((db, p) => db.insertInto('audit_log').values(Object.fromEntries(AUDIT_COLUMNS.map((c, i) => [c, p(i)])) as never));
const cols = sql.raw(AUDIT_COLUMNS.join(', '));
const N = AUDIT_COLUMNS.length;
/** SQLite: inserts the row only if the org's head is (seq, hash) = params N+1, N+2. */
const insertIfHeadSqlite = new PreparedQuery((db, p) => sql`insert into audit_log (${cols})
  select ${sql.join(AUDIT_COLUMNS.map((_, i) => p(i)))}
  from (select seq, hash from audit_log where org_id = ${p(N)} order by seq desc limit 1) as head
  where head.seq = ${p(N + 1)} and head.hash = ${p(N + 2)}`);
const insertRefsSqlite = new PreparedQuery((db, p) => sql`insert into audit_refs (org_id, ref_id, seq) select ${p(0)}, value, ${p(1)} from json_each(${p(2)})`);
/**
 * PostgreSQL, one round trip: the conditional insert as above plus its audit_refs rows; returns
 * the actual head and whether the row went in, so a miss needs no separate head read.
 */
const appendIfHeadPostgres = new PreparedQuery<{ seq: number; hash: string; inserted: number }>((db, p) => sql<{ seq: number; hash: string; inserted: number }>`
  with head as (select seq, hash from audit_log where org_id = ${p(N)} order by seq desc limit 1),
  a as (
    insert into audit_log (${cols})
    select ${sql.join(AUDIT_COLUMNS.map((c, i) => (c === 'seq' || c === 'at' ? sql`${p(i)}::bigint` : sql`${p(i)}::text`)))}
    from head where head.seq = ${p(N + 1)}::bigint and head.hash = ${p(N + 2)}::text
    returning seq
  ),
  r as (insert into audit_refs (org_id, ref_id, seq) select ${p(N)}::text, ref, a.seq from a cross join unnest(${p(N + 3)}::text[]) as ref)
  select head.seq, head.hash, (select count(*) from a) as inserted from head`);

/** Appends an audit row chained to the organisation's previous row; returns its id and seq. */
export async function appendAudit(trx: Trx, actor: Actor, entry: AuditEntry, at: number): Promise<{ id: string; seq: number }> {
  const details = scrub(entry.details);
  const row = {
    id: newId(at),
    org_id: actor.orgId,
    seq: 0,
    at,
    actor_type: actor.kind,
    actor_id: actor.userId,
    session_id: actor.sessionId,
    ip: actor.ip,
    user_agent: actor.userAgent,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    // Stored and hashed as canonical JSON text, so a verifier hashes database rows as they are.
    details: canonicalJson(details),
  };
  const refs = auditRefs(details, [row.target_id, row.actor_id]);
  const postgres = dialectOf(trx) === 'postgres';
  const link = (head: { seq: number; hash: string } | undefined): AuditRow => {
    row.seq = Number(head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    return { ...row, prev_hash: prevHash, hash: auditRowHash(row, prevHash) };
  };
  const values = (r: AuditRow) => AUDIT_COLUMNS.map((c) => r[c]);

  let head: { seq: number; hash: string } | undefined;
  let linked: AuditRow | undefined;
  const hint = heads.get(actor.orgId);
  if (hint) {
    const guess = link(hint);
    if (postgres) {
      const res = (await appendIfHeadPostgres.execute(trx, [...values(guess), actor.orgId, hint.seq, hint.hash, refs])).rows[0];
      if (res && Number(res.inserted) === 1) linked = guess;
      else head = res ? { seq: Number(res.seq), hash: res.hash } : undefined;
    } else {
      const res = await insertIfHeadSqlite.execute(trx, [...values(guess), actor.orgId, hint.seq, hint.hash]);
      if (Number(res.numAffectedRows ?? 0) === 1) {
        linked = guess;
        if (refs.length) await insertRefsSqlite.execute(trx, [row.org_id, row.seq, JSON.stringify(refs)]);
      } else {
        head = await chainHead.first(trx, [actor.orgId]);
      }
    }
  } else {
    head = await chainHead.first(trx, [actor.orgId]);
  }
  if (!linked) {
    linked = link(head);
    await insertRow.execute(trx, values(linked));
    if (refs.length) await trx.insertInto('audit_refs').values(refs.map((ref) => ({ org_id: row.org_id, ref_id: ref, seq: row.seq }))).execute();
  }
  if (heads.size >= HEADS_MAX && !heads.has(actor.orgId)) heads.delete(heads.keys().next().value as string);
  heads.set(actor.orgId, { seq: row.seq, hash: linked.hash as string });
  return { id: row.id, seq: row.seq };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Object ids a row's details refer to (top-level id values and arrays of ids, at most 50 per
 * array), minus those already in indexed columns: indexed in `audit_refs` so that "every
 * operation on record X" (GET /api/v1/audit/trace/:id) is an index lookup.
 */
export function auditRefs(details: Record<string, unknown> | undefined, skip: Array<string | null>): string[] {
  const out = new Set<string>();
  for (const v of Object.values(details ?? {})) {
    for (const x of Array.isArray(v) ? v.slice(0, 50) : [v]) if (typeof x === 'string' && ULID.test(x) && !skip.includes(x)) out.add(x);
  }
  return [...out];
}
