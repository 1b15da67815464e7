/**
 * The outbox (MSG-4): every message is written to IndexedDB before it is sent, under the
 * clientId it will be sent with. Sending is retried on reconnect, on the browser's `online`
 * event and on a timer; because the server returns the stored message for a clientId it has
 * seen, a retry — from this tab, after a reload, or from a second tab — never duplicates it.
 * Only answers that will not change (validation, forbidden, gone) mark an item failed.
 */
import { isConclaveError, type ConclaveClient, type Message } from '@conclave/sdk';
import { idb } from './idb';

export interface OutboxItem {
  clientId: string;
  userId: string;
  conversationId: string;
  text: string;
  mentions: string[];
  threadRootId: string | null;
  createdAt: number;
  status: 'sending' | 'waiting' | 'failed';
  error?: string;
}

const RETRY_EVERY_MS = 10_000;

export class OutboxQueue {
  private readonly map = new Map<string, OutboxItem>();
  private flushing = false;
  private again = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private list: OutboxItem[] = [];

  constructor(
    private readonly client: ConclaveClient,
    private readonly userId: string,
    private readonly cb: { changed(): void; delivered(m: Message): void },
  ) {}

  /** Items this user left unsent (a reload, a crash, a closed laptop). */
  async load(): Promise<void> {
    const all = await idb.getAll<OutboxItem>('outbox').catch(() => [] as OutboxItem[]);
    for (const i of all) if (i.userId === this.userId) this.map.set(i.clientId, { ...i, status: i.status === 'failed' ? 'failed' : 'waiting' });
    this.changed();
    this.timer = setInterval(() => { if (this.list.some((i) => i.status === 'waiting')) void this.flush(); }, RETRY_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  items(): OutboxItem[] {
    return this.list;
  }

  add(item: OutboxItem): void {
    this.map.set(item.clientId, item);
    this.changed();
    // Persist first: a tab closed right now must not lose the message.
    void idb.put('outbox', item).catch(() => undefined).then(() => this.flush());
  }

  retry(clientId: string): void {
    const i = this.map.get(clientId);
    if (!i) return;
    this.update(i, { status: 'waiting', error: undefined });
    void this.flush();
  }

  discard(clientId: string): void {
    this.map.delete(clientId);
    this.changed();
    void idb.delete('outbox', clientId).catch(() => undefined);
  }

  /** Sends waiting items in the order they were written; one flush at a time. */
  async flush(): Promise<void> {
    if (this.flushing) { this.again = true; return; }
    this.flushing = true;
    try {
      do {
        this.again = false;
        const queue = [...this.map.values()].filter((i) => i.status !== 'failed').sort((a, b) => a.createdAt - b.createdAt);
        for (const item of queue) {
          if (!this.map.has(item.clientId)) continue;
          this.update(item, { status: 'sending' });
          try {
            const { message } = await this.client.messages.send(item.conversationId, {
              clientId: item.clientId,
              text: item.text,
              ...(item.threadRootId ? { threadRootId: item.threadRootId } : {}),
              ...(item.mentions.length ? { mentions: item.mentions } : {}),
            });
            this.cb.delivered(message);
            this.discard(item.clientId);
          } catch (err) {
            if (isConclaveError(err, 'network', 'unavailable', 'aborted', 'rate_limited', 'unauthenticated', 'internal')) {
              // Not the message's fault: keep it, try again when the connection is back.
              this.update(item, { status: 'waiting' });
              return;
            }
            this.update(item, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
          }
        }
      } while (this.again);
    } finally {
      this.flushing = false;
    }
  }

  private update(item: OutboxItem, patch: Partial<OutboxItem>): void {
    const next = { ...item, ...patch };
    if (!this.map.has(item.clientId)) return;
    this.map.set(item.clientId, next);
    Object.assign(item, patch);
    this.changed();
    void idb.put('outbox', next).catch(() => undefined);
  }

  private changed(): void {
    this.list = [...this.map.values()].sort((a, b) => a.createdAt - b.createdAt);
    this.cb.changed();
  }
}
