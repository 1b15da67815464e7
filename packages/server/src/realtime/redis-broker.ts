/**
 * Redis pub/sub bus for several nodes (OPS-2). Each node publishes on one channel and
 * delivers its own messages locally at once (lower latency); echoes of its own messages
 * are ignored. Ordering across nodes is not guaranteed by Redis — the socket layer repairs
 * gaps from the database, so delivery stays exactly-once and in order.
 */
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Broker, BusMessage } from './broker';

const CHANNEL = 'conclave:bus:v1';

export class RedisBroker implements Broker {
  private readonly nodeId = randomUUID();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers: Array<(m: BusMessage) => void> = [];
  private readonly ready: Promise<unknown>;

  constructor(url: string, private readonly onError: (err: unknown) => void = () => {}) {
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    this.pub.on('error', onError);
    this.sub.on('error', onError);
    this.sub.on('message', (_channel: string, raw: string) => {
      try {
        const env = JSON.parse(raw) as { from: string; msg: BusMessage };
        if (env.from === this.nodeId) return;
        for (const h of this.handlers) h(env.msg);
      } catch (err) {
        this.onError(err);
      }
    });
    this.ready = this.sub.subscribe(CHANNEL);
  }

  /** Resolves once the subscription is active (start-up waits for it). */
  whenReady(): Promise<unknown> {
    return this.ready;
  }

  publish(msg: BusMessage): void {
    for (const h of this.handlers) h(msg);
    this.pub.publish(CHANNEL, JSON.stringify({ from: this.nodeId, msg })).catch(this.onError);
  }

  subscribe(handler: (msg: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
