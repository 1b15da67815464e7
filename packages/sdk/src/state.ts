/**
 * A client-side replica of what one user sees (MSG-4): conversations and messages, updated
 * by durable events. Derived fields (unread and mention counts, last position) are recomputed
 * with exactly the server's rules, so "initial fetch + events == fresh fetch" holds.
 * UIs render from it; tests compare it with a fresh fetch.
 */
import type { Conversation, Message, SyncEvent } from '@conclave/protocol';

export class ClientState {
  private readonly convs = new Map<string, Conversation>();
  private readonly msgs = new Map<string, Map<string, Message>>();

  /** @param userId whose view this is (own messages never count as unread). */
  constructor(readonly userId: string) {}

  /** Replaces the conversation list (initial fetch). */
  loadConversations(list: Conversation[]): void {
    this.convs.clear();
    for (const c of list) this.convs.set(c.id, c);
  }

  /** Adds fetched messages (history pages, threads). */
  loadMessages(list: Message[]): void {
    for (const m of list) this.upsertMessage(m);
  }

  /** Applies one durable event. Idempotent: replaying an event changes nothing. */
  apply(e: SyncEvent): void {
    switch (e.type) {
      case 'conversation.updated':
        this.convs.set(e.data.conversation.id, e.data.conversation);
        break;
      case 'conversation.removed':
        this.convs.delete(e.data.conversationId);
        this.msgs.delete(e.data.conversationId);
        break;
      case 'message.created':
      case 'message.updated':
        this.upsertMessage(e.data.message);
        break;
      case 'read.updated': {
        const c = this.convs.get(e.data.conversationId);
        if (c && e.data.lastReadPosition > c.lastReadPosition) this.convs.set(c.id, { ...c, lastReadPosition: e.data.lastReadPosition });
        break;
      }
      default:
        break;
    }
  }

  /** Conversations with derived fields computed from the messages held. */
  conversations(): Conversation[] {
    return [...this.convs.values()].map((c) => this.derive(c));
  }

  conversation(id: string): Conversation | undefined {
    const c = this.convs.get(id);
    return c && this.derive(c);
  }

  /** Every message held for a conversation (timeline and threads), by position. */
  messages(conversationId: string): Message[] {
    return [...(this.msgs.get(conversationId)?.values() ?? [])].sort((a, b) => a.position - b.position);
  }

  /** Ids of conversations whose history was never loaded (e.g. just joined). */
  hasMessages(conversationId: string): boolean {
    return this.msgs.has(conversationId);
  }

  private upsertMessage(m: Message): void {
    let map = this.msgs.get(m.conversationId);
    if (!map) this.msgs.set(m.conversationId, (map = new Map()));
    map.set(m.id, m);
  }

  /** The server's rules (conversations.store readCounts): top-level, by others, not deleted, after the marker. */
  private derive(c: Conversation): Conversation {
    const list = this.msgs.get(c.id);
    if (!list) return c;
    let unread = 0, mentions = 0, lastPosition = c.lastPosition, lastMessageAt = c.lastMessageAt;
    for (const m of list.values()) {
      if (m.position > lastPosition) { lastPosition = m.position; lastMessageAt = m.createdAt; }
      if (m.position <= c.lastReadPosition || m.authorId === this.userId || m.deletedAt !== null || m.threadRootId !== null) continue;
      unread++;
      if (m.mentions.includes(this.userId)) mentions++;
    }
    return { ...c, unreadCount: unread, mentionCount: mentions, lastPosition, lastMessageAt };
  }
}
