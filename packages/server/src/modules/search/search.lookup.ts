/**
 * The index lookup of a message search (MSG-3) — no plaintext involved: the caller hashes the
 * query's tokens with each conversation's search key first.
 *
 * Why not intersect posting lists (GROUP BY doc HAVING count = tokens)? A CJK phrase becomes
 * several bigram tokens that are each common, so the intersection reads every row of several
 * long posting lists — at 1 M messages hundreds of thousands of rows — to return 20. Instead,
 * per conversation ("arm"):
 * - walk only the posting list of the conversation's **rarest** token (search_df keeps each
 *   term's document count), newest first, from a keyset cursor;
 * - probe every other token by a (term, doc_id) primary-key lookup, rarest first;
 * - check the message and every filter there (conversation, history horizon, author, dates,
 *   attachment), so a LIMIT counts only real results and stops the walk early.
 * Term hashes are per conversation, so a posting list holds only its own conversation's
 * documents: restricting to the searcher's conversations costs nothing extra; the
 * `conversation_id` check is still made so that a 53-bit collision with another conversation's
 * term can never surface a document outside the caller's scope.
 * The arms are merged newest first: SQLite merges a compound SELECT whose arms each come in
 * index order (it stops after `limit` rows in all); PostgreSQL walks all arms in one statement
 * (LATERAL), a few rows each, then only the arms that may still hold one of the newest `limit`
 * (postgresTopIds).
 */
import { sql, type RawBuilder } from 'kysely';
import { dialectOf } from '../../storage/db';
import type { Trx } from '../../storage/tx';
import { tokenHash } from './search.index';

/** One conversation's share of a query: its token hashes, rarest first, and what it may see. */
export interface Arm {
  conversationId: string;
  /** Keyed hashes of the query's tokens under this conversation's search key; [0] is walked, the rest probed. */
  hashes: number[];
  /** Only messages after this position (the member's history horizon). */
  afterPosition: number;
}

/** Filters applied inside every arm. Ids are ULIDs, so id bounds are time bounds. */
export interface LookupFilter {
  /** Keyset cursor: only ids below this one. */
  beforeId?: string;
  /** Only ids at or above this one (e.g. the ULID floor of `from`). */
  atOrAfterId?: string;
  authorId?: string;
  from?: number;
  to?: number;
  hasFile?: boolean;
}

/** Hashes per document-count statement (one array parameter; keeps statements small). */
const HASHES_PER_STATEMENT = 8_000;

/** Arms per SQLite statement: a compound SELECT allows 500; this keeps statements and plans small. */
const ARMS_PER_STATEMENT = 64;

/** Sorts ULIDs newest first (text order is time order: plain comparison, no locale). */
const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/**
 * Documents per term (search_df, kept by triggers on search_terms), for the given hashes; a
 * term missing there counts 0. Only the order matters: a stale count makes a walk longer,
 * never a result wrong (every token is still checked).
 */
export async function documentCounts(db: Trx, hashes: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const unique = [...new Set(hashes)];
  const pg = dialectOf(db as never) === 'postgres';
  for (let i = 0; i < unique.length; i += HASHES_PER_STATEMENT) {
    const part = unique.slice(i, i + HASHES_PER_STATEMENT);
    // One array parameter, not an IN list: SQLite (STAT4) would re-prepare an IN list of
    // parameters on every call once ANALYZE has run (see sqliteStatement).
    const rows = pg
      ? await sql<{ term: number; n: number }>`select term, n from search_df where term = any(${part}::bigint[])`.execute(db)
      : await sql<{ term: number; n: number }>`select term, n from search_df where term in (select value from json_each(${JSON.stringify(part)}))`.execute(db);
    for (const r of rows.rows) out.set(Number(r.term), Number(r.n));
  }
  return out;
}

/**
 * One arm per conversation: the query's tokens hashed with its search key, rarest first (the
 * walked posting list is the shortest one; the probes most likely to fail come first).
 */
export async function planArms(db: Trx, convs: Array<{ id: string; key: Uint8Array; afterPosition: number }>, tokens: string[]): Promise<Arm[]> {
  const hashed = convs.map((c) => tokens.map((t) => tokenHash(c.key, t)));
  const df = await documentCounts(db, hashed.flat());
  return convs.map((c, i) => {
    const hs = hashed[i]!;
    const order = hs.map((h, j) => ({ h, n: df.get(h) ?? 0, j })).sort((a, b) => a.n - b.n || a.j - b.j);
    return { conversationId: c.id, afterPosition: c.afterPosition, hashes: order.map((o) => o.h) };
  });
}

/** Keyset bounds on the walked posting list. `v` wraps a value (SQLite: `+?`, see sqliteStatement). */
function cursorConditions(f: LookupFilter, v: (x: unknown) => RawBuilder<unknown>): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [];
  if (f.beforeId !== undefined) out.push(sql`t0.doc_id < ${v(f.beforeId)}`);
  if (f.atOrAfterId !== undefined) out.push(sql`t0.doc_id >= ${v(f.atOrAfterId)}`);
  return out;
}

/** What the message `m` of a candidate must be: in the arm's conversation, after its horizon, live, and the filters. */
function messageConditions(conv: RawBuilder<unknown>, afterPos: RawBuilder<unknown>, f: LookupFilter, v: (x: unknown) => RawBuilder<unknown>): RawBuilder<unknown>[] {
  const out = [sql`m.conversation_id = ${conv}`, sql`m.position > ${afterPos}`, sql`m.deleted_at is null`, sql`m.encryption = 'server'`];
  if (f.authorId !== undefined) out.push(sql`m.author_id = ${v(f.authorId)}`);
  if (f.from !== undefined) out.push(sql`m.created_at >= ${v(f.from)}`);
  if (f.to !== undefined) out.push(sql`m.created_at <= ${v(f.to)}`);
  if (f.hasFile) out.push(sql`exists (select 1 from files f where f.message_id = m.id and f.status = 'ready')`);
  return out;
}

/**
 * Ids of the newest `limit` messages (newest first) that contain every token of their arm and
 * pass the filters. All arms must have the same, non-zero number of hashes.
 */
export async function findMessageIds(db: Trx, arms: Arm[], f: LookupFilter, limit: number): Promise<string[]> {
  if (!arms.length) return [];
  const k = arms[0]!.hashes.length;
  if (arms.some((a) => a.hashes.length !== k || !k)) throw new Error('findMessageIds: every arm needs the same, non-zero number of hashes');
  if (dialectOf(db as never) === 'postgres') {
    // The planner costs each arm as if it read its whole posting list (it cannot know the walk
    // stops at the LIMIT), so with 4+ tokens the estimate passes jit_above_cost and PostgreSQL
    // spends ~90 ms compiling a statement that runs in ~1 ms (EXPLAIN ANALYZE at 1 M messages).
    // SET LOCAL needs a transaction; it ends with it.
    const run = async (x: Trx) => { await sql`set local jit = off`.execute(x); return postgresTopIds(x, arms, f, limit); };
    return db.isTransaction ? run(db) : db.transaction().execute(run);
  }
  const ids: string[] = [];
  for (let i = 0; i < arms.length; i += ARMS_PER_STATEMENT) {
    for (const r of (await sqliteStatement(arms.slice(i, i + ARMS_PER_STATEMENT), f, limit).execute(db)).rows) ids.push(r.id);
  }
  return arms.length <= ARMS_PER_STATEMENT ? ids : ids.sort(newestFirst).slice(0, limit);
}

/**
 * PostgreSQL has no lazy merge of per-arm walks here, and `limit` rows from each of 50 arms is
 * 50× the work when a conjunction is common (two common CJK words: 16 ms at 1 M). So, like the
 * threshold algorithm of top-k retrieval: round 1 takes a few rows from every arm; the newest
 * `limit` of those give a floor T; only arms cut off above T can still hold one of the newest
 * `limit`, and round 2 reads just those, from their own cursor down to T. Round 2 asks each for
 * `limit` rows, so afterwards every arm is exhausted above T or entirely below the new T: two
 * rounds always suffice (the loop bound is a safeguard).
 */
async function postgresTopIds(db: Trx, arms: Arm[], f: LookupFilter, limit: number): Promise<string[]> {
  const cursor = arms.map((): string | undefined => f.beforeId);
  let active = arms.map((_, i) => i);
  let per = Math.min(limit, Math.ceil((2 * limit) / arms.length) + 1);
  let found: string[] = [];
  for (let round = 0; round < 4 && active.length; round++) {
    const floor = found.length >= limit ? found[limit - 1] : undefined;
    const rows = (await postgresStatement(active.map((i) => ({ arm: arms[i]!, before: cursor[i] })), f, floor, per).execute(db)).rows;
    const got = new Map<number, string[]>();
    for (const r of rows) {
      const i = active[Number(r.n)]!;
      got.set(i, [...(got.get(i) ?? []), r.id]);
      found.push(r.id);
    }
    found = found.sort(newestFirst).slice(0, limit);
    const t = found.length >= limit ? found[limit - 1]! : undefined;
    // An arm that returned fewer than `per` has nothing more above the floor; one that was cut
    // off matters only if its last row is still above the new floor.
    active = active.filter((i) => {
      const ids = got.get(i) ?? [];
      if (ids.length < per) return false;
      cursor[i] = ids[ids.length - 1];
      return t === undefined || cursor[i]! > t;
    });
    per = limit;
  }
  return found;
}

/**
 * SQLite: `arm UNION ALL arm … ORDER BY id DESC LIMIT n`. CROSS JOIN pins the join order (the
 * posting list drives, the message is looked up by primary key), so each arm yields ids in
 * index order and SQLite merges the arms instead of sorting them.
 * Values are bound as `+?` and the LIMIT is a literal: once ANALYZE has run, SQLite (built with
 * STAT4, as better-sqlite3 is) re-prepares a statement whenever a parameter compared with an
 * indexed column — or the LIMIT of a compound — is bound again, which for 50 arms costs ~6×
 * the lookup itself (bench/search.ts at 30 000 messages: 2.9 ms against 0.45 ms CPU).
 * Unary plus changes neither value nor index use; the limit is a validated integer.
 */
function sqliteStatement(arms: Arm[], f: LookupFilter, limit: number): RawBuilder<{ id: string }> {
  const v = (x: unknown) => sql`+${x}`;
  // The text depends on the number of arms, and preparing 50 arms costs more than running them:
  // pad to a power of two with arms that match nothing (hashes are ≥ 0), so the statement
  // cache (storage/db.ts) sees at most 7 shapes per token count and filter set.
  const padded = [...arms];
  for (let n = 1 << Math.ceil(Math.log2(arms.length)); padded.length < n;) padded.push({ conversationId: '', afterPosition: 0, hashes: arms[0]!.hashes.map(() => -1) });
  const selects = padded.map((a) => {
    const probes = a.hashes.slice(1).map((h, i) => {
      const t = sql.id(`t${i + 1}`);
      return sql`exists (select 1 from search_terms ${t} where ${t}.term = ${v(h)} and ${t}.doc_id = t0.doc_id)`;
    });
    const where = [sql`t0.term = ${v(a.hashes[0]!)}`, ...cursorConditions(f, v), ...probes, ...messageConditions(v(a.conversationId), v(a.afterPosition), f, v)];
    return sql`select t0.doc_id as id from search_terms t0 cross join messages m on m.id = t0.doc_id where ${sql.join(where, sql` and `)}`;
  });
  return sql<{ id: string }>`${sql.join(selects, sql` union all `)} order by id desc limit ${sql.lit(safeLimit(limit))}`;
}

function safeLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`search lookup: bad limit ${n}`);
  return n;
}

/**
 * PostgreSQL: the arms as rows of parallel arrays (one statement text per token count and filter
 * set, however many conversations), each walked by a LATERAL subquery with its own LIMIT and
 * cursor; `n` is the arm's index in `arms`. Rows above `floor` only, when given.
 * The probes and the message check are scalar subqueries, which PostgreSQL never turns into
 * joins: as joins (EXISTS / JOIN) the planner, not knowing that a posting list holds only its
 * own conversation's messages, estimated one result per arm and hash-joined all of the
 * conversation's messages instead of walking the list — 0.5 s per query at 1 M messages.
 * As subqueries they run per walked row, and the walk stops at the LIMIT.
 */
function postgresStatement(arms: Array<{ arm: Arm; before?: string }>, f: LookupFilter, floor: string | undefined, limit: number): RawBuilder<{ n: number; id: string }> {
  const k = arms[0]!.arm.hashes.length;
  const cols = Array.from({ length: k }, (_, j) => sql.id(`h${j}`));
  const arrays = [
    sql`${arms.map((_, n) => n)}::int[]`,
    sql`${arms.map((a) => a.arm.conversationId)}::text[]`,
    sql`${arms.map((a) => a.arm.afterPosition)}::bigint[]`,
    // No cursor: '8' sorts after every ULID (their first character is 0-7) in any collation.
    sql`${arms.map((a) => a.before ?? '8')}::text[]`,
    ...Array.from({ length: k }, (_, j) => sql`${arms.map((a) => a.arm.hashes[j]!)}::bigint[]`),
  ];
  const v = (x: unknown) => sql`${x}`;
  const probes = cols.slice(1).map((c, i) => {
    const t = sql.id(`t${i + 1}`);
    return sql`(select true from search_terms ${t} where ${t}.term = q.${c} and ${t}.doc_id = t0.doc_id)`;
  });
  const message = sql`(select true from messages m where m.id = t0.doc_id and ${sql.join(messageConditions(sql`q.conv`, sql`q.after_pos`, f, v), sql` and `)})`;
  const where = [
    sql`t0.term = q.h0`, sql`t0.doc_id < q.before`,
    ...(f.atOrAfterId !== undefined ? [sql`t0.doc_id >= ${f.atOrAfterId}`] : []),
    ...(floor !== undefined ? [sql`t0.doc_id > ${floor}`] : []),
    ...probes, message,
  ];
  return sql<{ n: number; id: string }>`select q.n, c.id from unnest(${sql.join(arrays)}) as q(n, conv, after_pos, before, ${sql.join(cols)})
    cross join lateral (select t0.doc_id as id from search_terms t0
      where ${sql.join(where, sql` and `)} order by t0.doc_id desc limit ${limit}) c`;
}
