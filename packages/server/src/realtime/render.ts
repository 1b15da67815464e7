/**
 * Turns stored events (metadata) into wire events for a viewer, from current state (MSG-4).
 * A viewer who is no longer a member of the event's conversation receives it as
 * `conversation.removed`: nothing that changed after they left reaches them, and the seq
 * stays gap-free.
 */
import type { Conversation, EventType, Message } from '@conclave/protocol';
import type { ConversationQueries } from '../modules/conversations/conversations.queries';
import type { MessageQueries } from '../modules/messages/messages.queries';
import type { Trx } from '../storage/tx';

export interface RawEvent {
  id: number;
  type: EventType;
  conversationId: string | null;
  messageId: string | null;
  data: Record<string, unknown>;
  at: number;
}

export interface RenderedItem {
  userId: string;
  seq: number;
  type: EventType;
  at: number;
  /** Payload index into the batch's shared payloads, so one message is serialised once. */
  payload: number;
  /**
   * Index of the same payload with content withheld, for sessions without MFA when the
   * conversation's level requires it (ACL-2 level policy); undefined when not needed.
   */
  redacted?: number;
}

export interface RenderedBatch {
  payloads: unknown[];
  items: RenderedItem[];
}

export class EventRenderer {
  constructor(
    private readonly conversations: ConversationQueries,
    private readonly messages: MessageQueries,
    /** Conversation ids (of those given) whose level requires an MFA session to read content. */
    private readonly mfaLevels: (db: Trx, orgId: string, conversationIds: string[]) => Promise<Set<string>>,
  ) {}

  /** Renders `(event, recipient)` pairs; `isMember(userId, conversationId)` must reflect current membership. */
  async render(db: Trx, orgId: string, pairs: Array<{ event: RawEvent; userId: string; seq: number }>): Promise<RenderedBatch> {
    const messageIds = [...new Set(pairs.filter((p) => p.event.messageId).map((p) => p.event.messageId!))];
    const messages = await this.messages.render(db, messageIds);
    const convIds = [...new Set(pairs.filter((p) => p.event.conversationId).map((p) => p.event.conversationId!))];
    const membership = await loadMembership(db, convIds, [...new Set(pairs.map((p) => p.userId))]);
    const needsMfa = await this.mfaLevels(db, orgId, convIds);
    const convViews = new Map<string, Map<string, Conversation | null>>();
    for (const id of convIds) {
      const viewers = pairs.filter((p) => p.event.type === 'conversation.updated' && p.event.conversationId === id).map((p) => p.userId);
      if (viewers.length) convViews.set(id, await this.conversations.renderForViewers(db, orgId, id, [...new Set(viewers)]));
    }
    const payloads: unknown[] = [];
    const shared = new Map<string, number>();
    const intern = (key: string, make: () => unknown): number => {
      let i = shared.get(key);
      if (i === undefined) { i = payloads.push(make()) - 1; shared.set(key, i); }
      return i;
    };
    const items: RenderedItem[] = [];
    for (const { event, userId, seq } of pairs) {
      const cid = event.conversationId;
      const removed = (): RenderedItem => ({ userId, seq, at: event.at, type: 'conversation.removed', payload: intern(`removed:${cid}`, () => ({ conversationId: cid })) });
      if (event.type === 'conversation.removed') { items.push(removed()); continue; }
      if (cid && !membership.has(`${cid}:${userId}`)) { items.push(removed()); continue; }
      let payload: number;
      switch (event.type) {
        case 'message.created':
        case 'message.updated': {
          const m: Message | undefined = messages.get(event.messageId!);
          if (!m) { items.push(removed()); continue; }
          payload = intern(`msg:${m.id}`, () => ({ message: m }));
          if (needsMfa.has(m.conversationId)) {
            const redacted = intern(`msg-redacted:${m.id}`, () => ({ message: { ...m, text: null, ciphertext: null } }));
            items.push({ userId, seq, at: event.at, type: event.type, payload, redacted });
            continue;
          }
          break;
        }
        case 'conversation.updated': {
          const c = convViews.get(cid!)?.get(userId);
          if (!c) { items.push(removed()); continue; }
          payload = payloads.push({ conversation: c }) - 1;
          break;
        }
        case 'member.added':
        case 'member.updated':
          payload = intern(`ev:${event.id}`, () => ({ conversationId: cid, member: event.data }));
          break;
        default:
          payload = intern(`ev:${event.id}`, () => ({ ...(cid ? { conversationId: cid } : {}), ...event.data }));
      }
      items.push({ userId, seq, at: event.at, type: event.type, payload });
    }
    return { payloads, items };
  }
}

async function loadMembership(db: Trx, convIds: string[], userIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (!convIds.length || !userIds.length) return out;
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db.selectFrom('conversation_members').select(['conversation_id', 'user_id'])
      .where('conversation_id', 'in', convIds).where('user_id', 'in', userIds.slice(i, i + 500)).execute();
    for (const r of rows) out.add(`${r.conversation_id}:${r.user_id}`);
  }
  return out;
}
