/**
 * The message bus between server nodes (OPS-2). Durable events are already committed when
 * they are published; the bus only carries them to the node holding the recipient's socket.
 * Single node: in memory. Many nodes: Redis pub/sub (redis-broker.ts).
 */
import type { Ephemeral } from '@conclave/protocol';
import type { RenderedBatch } from './render';

export type BusMessage =
  | { kind: 'events'; batch: RenderedBatch }
  | { kind: 'ephemeral'; userIds: string[]; signal: Ephemeral }
  | { kind: 'revoke'; userId: string; sessionIds: string[] | 'all'; reason: string };

export interface Broker {
  publish(msg: BusMessage): void;
  subscribe(handler: (msg: BusMessage) => void): void;
  close(): Promise<void>;
}

/** Same-process delivery; handlers run synchronously so ordering equals publish order. */
export class MemoryBroker implements Broker {
  private readonly handlers: Array<(m: BusMessage) => void> = [];

  publish(msg: BusMessage): void {
    for (const h of this.handlers) h(msg);
  }

  subscribe(handler: (msg: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
