/** GET /sync (MSG-4): a user's events after `since`, rendered for them, in seq order. */
import type { ResponseOf, SyncEvent } from '@conclave/protocol';
import type { Services } from '../../services';
import { currentSeq, oldestRetainedSeq, readEvents } from '../../realtime/event-log';
import type { EventRenderer, RenderedBatch, RenderedItem } from '../../realtime/render';

export class SyncQueries {
  constructor(private readonly svc: Services, private readonly renderer: EventRenderer) {}

  /** The user's latest seq. */
  current(userId: string): Promise<number> {
    return currentSeq(this.svc.database.db, userId);
  }

  /** Events after `since` (at most `limit`); `reset` when `since` predates the retained log. */
  async events(orgId: string, userId: string, since: number, limit = 500, mfaVerified = false): Promise<ResponseOf<'sync'>> {
    const { batch, seq, hasMore, reset } = await this.batch(orgId, userId, since, limit);
    const pick = (i: RenderedItem) => (i.redacted !== undefined && !mfaVerified ? i.redacted : i.payload);
    const events = batch.items.map((i) => ({ seq: i.seq, type: i.type, at: i.at, data: batch.payloads[pick(i)] }) as SyncEvent);
    return { events, seq, hasMore, reset };
  }

  /** The same, in the shared-payload form the socket layer serialises efficiently. */
  async batch(orgId: string, userId: string, since: number, limit: number): Promise<{ batch: RenderedBatch; seq: number; hasMore: boolean; reset: boolean }> {
    const db = this.svc.database.db;
    const seq = await currentSeq(db, userId);
    if (since > seq) return { batch: { payloads: [], items: [] }, seq, hasMore: false, reset: true };
    const oldest = await oldestRetainedSeq(db, userId);
    if (oldest !== null && since < oldest - 1) return { batch: { payloads: [], items: [] }, seq, hasMore: false, reset: true };
    const rows = await readEvents(db, userId, since, limit + 1);
    const hasMore = rows.length > limit;
    const pairs = rows.slice(0, limit).map((r) => ({
      userId, seq: Number(r.seq),
      event: { id: Number(r.id), type: r.type as SyncEvent['type'], conversationId: r.conversation_id, messageId: r.message_id, data: JSON.parse(r.data) as Record<string, unknown>, at: r.created_at },
    }));
    const batch = await this.renderer.render(db, orgId, pairs);
    // `seq` is where the client resumes: the last event returned while more remain.
    return { batch, seq: hasMore ? pairs[pairs.length - 1]!.seq : seq, hasMore, reset: false };
  }
}
