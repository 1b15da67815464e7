/**
 * The durable event log (MSG-4). An event row holds metadata only (ids, positions); the
 * wire payload is rendered from current state when delivered, so content is never copied
 * into the log (rule 5) and a deleted message leaves nothing behind here.
 * Each recipient gets the event under its own next seq: strictly increasing, no gaps.
 */
import type { EventType } from '@conclave/protocol';
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

const CHUNK = 300;

/** Appends an event for `recipients` (deduplicated) inside the caller's write transaction. */
export async function appendEvent(trx: Trx, orgId: string, recipients: Iterable<string>, draft: EventDraft, at: number): Promise<StoredEvent> {
  const users = [...new Set(recipients)];
  const data = draft.data ?? {};
  const inserted = await trx.insertInto('events').values({
    org_id: orgId, type: draft.type, conversation_id: draft.conversationId ?? null, message_id: draft.messageId ?? null,
    data: JSON.stringify(data), created_at: at,
  }).returning('id').executeTakeFirstOrThrow();
  const eventId = Number(inserted.id);
  const deliveries: Array<{ userId: string; seq: number }> = [];
  for (let i = 0; i < users.length; i += CHUNK) {
    const chunk = users.slice(i, i + CHUNK);
    const seqs = await trx.updateTable('user_cursors').set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
      .where('user_id', 'in', chunk).returning(['user_id', 'last_seq']).execute();
    if (seqs.length === 0) continue;
    await trx.insertInto('user_events').values(seqs.map((s) => ({ user_id: s.user_id, seq: Number(s.last_seq), event_id: eventId }))).execute();
    for (const s of seqs) deliveries.push({ userId: s.user_id, seq: Number(s.last_seq) });
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
