/**
 * After commit, renders events and publishes them on the bus, strictly in commit order
 * (one queue per node), so live delivery rarely needs gap repair.
 */
import type { StoredEvent } from './event-log';
import type { Broker } from './broker';
import type { EventRenderer } from './render';
import type { Database } from '../storage/db';

export class Publisher {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly database: Database,
    private readonly renderer: EventRenderer,
    private readonly broker: Broker,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Enqueues committed events; returns at once (the request does not wait for fan-out). */
  publish(events: StoredEvent[]): void {
    this.pending++;
    this.queue = this.queue.then(async () => {
      try {
        const byOrg = new Map<string, StoredEvent[]>();
        for (const e of events) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e]);
        for (const [orgId, list] of byOrg) {
          const pairs = list.flatMap((e) => e.deliveries.map((d) => ({ userId: d.userId, seq: d.seq, event: e })));
          if (!pairs.length) continue;
          const batch = await this.renderer.render(this.database.db, orgId, pairs);
          this.broker.publish({ kind: 'events', batch });
        }
      } catch (err) {
        // Delivery is best effort: clients repair from the durable log via their seq.
        this.onError(err);
      } finally {
        this.pending--;
      }
    });
  }

  /** Resolves when everything enqueued so far has been published (graceful shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }
}
