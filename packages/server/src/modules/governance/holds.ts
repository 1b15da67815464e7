/**
 * Legal holds as the deleters see them (GOV-1): one snapshot of the organisation's active
 * holds, asked per item. A custodian hold covers what the custodian wrote or uploaded and
 * every conversation they are a member of; a conversation hold covers the conversation; a
 * query hold covers what matches all of its criteria. Held items are never deleted by
 * retention, erasure or user deletion jobs until the hold is released.
 */
import type { HoldQuery } from '@conclave/protocol';
import type { Trx } from '../../storage/tx';
import { listHolds, type HoldRow } from './governance.store';

/** What a hold test needs to know about an item. */
export interface HoldItem { conversationId: string; authorId: string; createdAt: number }

export class HoldSet {
  /** Items kept per hold id, for the receipt. */
  readonly kept = new Map<string, number>();

  private constructor(
    private readonly custodians: Map<string, string>,
    private readonly conversations: Map<string, string>,
    private readonly queries: Array<{ id: string; q: HoldQuery }>,
  ) {}

  static async load(db: Trx, orgId: string): Promise<HoldSet> {
    const holds = await listHolds(db, orgId, true);
    const custodians = new Map<string, string>();
    const conversations = new Map<string, string>();
    const queries: Array<{ id: string; q: HoldQuery }> = [];
    for (const h of holds) {
      if (h.kind === 'custodian' && h.custodian_id) {
        custodians.set(h.custodian_id, h.id);
        const rows = await db.selectFrom('conversation_members').select('conversation_id').where('user_id', '=', h.custodian_id).execute();
        for (const r of rows) if (!conversations.has(r.conversation_id)) conversations.set(r.conversation_id, h.id);
      } else if (h.kind === 'conversation' && h.conversation_id) {
        conversations.set(h.conversation_id, h.id);
      } else if (h.kind === 'query' && h.query) {
        queries.push({ id: h.id, q: JSON.parse(h.query) as HoldQuery });
      }
    }
    return new HoldSet(custodians, conversations, queries);
  }

  get empty(): boolean {
    return !this.custodians.size && !this.conversations.size && !this.queries.length;
  }

  /** The hold keeping a whole conversation, if any. */
  conversationHold(conversationId: string): string | undefined {
    return this.conversations.get(conversationId);
  }

  /** Active custodian hold on `userId` (erasing them is refused). */
  custodianHold(userId: string): string | undefined {
    return this.custodians.get(userId);
  }

  /** The id of a hold covering the item, or undefined; counts it as kept. */
  covers(item: HoldItem): string | undefined {
    const hit = this.custodians.get(item.authorId) ?? this.conversations.get(item.conversationId) ?? this.queries.find(({ q }) => matches(q, item))?.id;
    if (hit) this.kept.set(hit, (this.kept.get(hit) ?? 0) + 1);
    return hit;
  }
}

function matches(q: HoldQuery, item: HoldItem): boolean {
  if (q.conversationIds && !q.conversationIds.includes(item.conversationId)) return false;
  if (q.authorIds && !q.authorIds.includes(item.authorId)) return false;
  if (q.from !== undefined && item.createdAt < q.from) return false;
  if (q.to !== undefined && item.createdAt > q.to) return false;
  return true;
}

export type { HoldRow };
