/**
 * The durable event log (MSG-4). An event row holds metadata only (ids, positions); the
 * wire payload is rendered from current state when delivered, so content is never copied
 * into the log (rule 5) and a deleted message leaves nothing behind here.
 * Each recipient gets the event under its own next seq: strictly increasing, no gaps.
 */
import type { EventType } from '@conclave/protocol';
import { sql } from 'kysely';
import { dialectOf, PreparedQuery } from '../storage/db';
import type { Trx } from '../storage/tx';

export interface EventDraft {
  type: EventType;
  conversationId?: string | null;
  messageId?: string | null;
  /** Metadata only (e.g. userId, lastReadPosition). */
  data?: Record<string, unknown>;
}

/** A committed event and who receives it under which seq. */
export interface StoredEvent {
  id: number;
  orgId: string;
  type: EventType;
  conversationId: string | null;
  messageId: string | null;
  data: Record<string, unknown>;
  at: number;
  deliveries: Array<{ userId: string; seq: number }>;
}

// The event log's three writes run for every message, so they are plain SQL compiled once,
// with the recipient list as one parameter (a JSON array on SQLite, a text[] on PostgreSQL):
// one statement text whatever the number of recipients, and no chunking.
const insertEventSqlite = new PreparedQuery<{ id: number }>((db, p) => db.insertInto('events').values({
  org_id: p(0), type: p(1), conversation_id: p(2), message_id: p(3), data: p(4), created_at: p(5),
}).returning('id'));
/** Takes each recipient's next seq: last_seq + 1 (MSG-4: strictly increasing, no gaps). */
const bumpCursorsSqlite = new PreparedQuery<{ user_id: string; last_seq: number }>((db, p) => sql<{ user_id: string; last_seq: number }>`
  update user_cursors set last_seq = last_seq + 1 where user_id in (select value from json_each(${p(0)})) returning user_id, last_seq`);
/** One user_events row per recipient, under the seq the UPDATE above just assigned. */
const deliverSqlite = new PreparedQuery((db, p) => sql`
  insert into user_events (user_id, seq, event_id) select user_id, last_seq, ${p(1)} from user_cursors where user_id in (select value from json_each(${p(0)}))`);
/** PostgreSQL: the same three writes as one statement (one round trip while the org lock is held). */
const appendEventPostgres = new PreparedQuery<{ id: number; user_id: string | null; seq: number | null }>((db, p) => sql<{ id: number; user_id: string | null; seq: number | null }>`
  with e as (
    insert into events (org_id, type, conversation_id, message_id, data, created_at) values (${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}) returning id
  ), c as (
    update user_cursors set last_seq = last_seq + 1 where user_id = any(${p(6)}::text[]) returning user_id, last_seq
  ), u as (
    insert into user_events (user_id, seq, event_id) select c.user_id, c.last_seq, e.id from c cross join e returning user_id, seq
  )
  select e.id, u.user_id, u.seq from e left join u on true`);

/** Appends one event for `recipients` (deduplicated) inside the caller's write transaction. */
export async function appendEvent(trx: Trx, orgId: string, recipients: Iterable<string>, draft: EventDraft, at: number): Promise<StoredEvent> {
  const users = [...new Set(recipients)];
  const data = draft.data ?? {};
  const row = [orgId, draft.type, draft.conversationId ?? null, draft.messageId ?? null, JSON.stringify(data), at];
  const deliveries: Array<{ userId: string; seq: number }> = [];
  let eventId: number;
  if (dialectOf(trx) === 'postgres') {
    const { rows } = await appendEventPostgres.execute(trx, [...row, users]);
    eventId = Number(rows[0]!.id);
    for (const r of rows) if (r.user_id !== null) deliveries.push({ userId: r.user_id, seq: Number(r.seq) });
  } else {
    eventId = Number((await insertEventSqlite.execute(trx, row)).rows[0]!.id);
    if (users.length) {
      const list = JSON.stringify(users);
      const { rows } = await bumpCursorsSqlite.execute(trx, [list]);
      if (rows.length) await deliverSqlite.execute(trx, [list, eventId]);
      for (const r of rows) deliveries.push({ userId: r.user_id, seq: Number(r.last_seq) });
    }
  }
  return { id: eventId, orgId, type: draft.type, conversationId: draft.conversationId ?? null, messageId: draft.messageId ?? null, data, at, deliveries };
}

/** A user's events after `since`, in seq order. */
export async function readEvents(db: Trx, userId: string, since: number, limit: number) {
  return db.selectFrom('user_events as ue').innerJoin('events as e', 'e.id', 'ue.event_id')
    .select(['ue.seq', 'e.id', 'e.type', 'e.conversation_id', 'e.message_id', 'e.data', 'e.created_at'])
    .where('ue.user_id', '=', userId).where('ue.seq', '>', since).orderBy('ue.seq').limit(limit).execute();
}

/** The user's current (last assigned) seq. */
export async function currentSeq(db: Trx, userId: string): Promise<number> {
  const row = await db.selectFrom('user_cursors').select('last_seq').where('user_id', '=', userId).executeTakeFirst();
  return Number(row?.last_seq ?? 0);
}

/** Oldest seq still retained for the user (events before it were pruned), or null if none pruned. */
export async function oldestRetainedSeq(db: Trx, userId: string): Promise<number | null> {
  const row = await db.selectFrom('user_events').select((eb) => eb.fn.min('seq').as('min')).where('user_id', '=', userId).executeTakeFirst();
  return row?.min == null ? null : Number(row.min);
}
