/**
 * This node's open sockets by user, fed by the bus. Each connection keeps its own ordering
 * and gap repair (ws/connection.ts); the hub only routes.
 */
import type { Ephemeral } from '@conclave/protocol';
import type { Broker, BusMessage } from './broker';
import type { RenderedBatch } from './render';

/** What the hub needs from a socket connection. */
export interface HubConnection {
  readonly userId: string;
  readonly sessionId: string;
  /** Whether this socket's session passed MFA (content of MFA-only levels is withheld otherwise). */
  readonly mfaVerified: boolean;
  offer(seq: number, frame: string): void;
  sendEphemeral(signal: Ephemeral): void;
  revoke(reason: string): void;
}

export class Hub {
  private readonly byUser = new Map<string, Set<HubConnection>>();
  private count = 0;

  constructor(private readonly broker: Broker) {
    broker.subscribe((m) => this.handle(m));
  }

  get connections(): number {
    return this.count;
  }

  add(c: HubConnection): void {
    let set = this.byUser.get(c.userId);
    if (!set) this.byUser.set(c.userId, (set = new Set()));
    set.add(c);
    this.count++;
  }

  remove(c: HubConnection): void {
    const set = this.byUser.get(c.userId);
    if (set?.delete(c)) {
      this.count--;
      if (set.size === 0) this.byUser.delete(c.userId);
    }
  }

  isConnected(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** Sends an ephemeral signal to users wherever they are connected. */
  ephemeral(userIds: string[], signal: Ephemeral): void {
    this.broker.publish({ kind: 'ephemeral', userIds, signal });
  }

  /** Closes sockets of revoked sessions on every node (IAM-3, ACL-5). */
  revoke(userId: string, sessionIds: string[] | 'all', reason: string): void {
    this.broker.publish({ kind: 'revoke', userId, sessionIds, reason });
  }

  /** Every local connection (graceful shutdown). */
  all(): HubConnection[] {
    return [...this.byUser.values()].flatMap((s) => [...s]);
  }

  private handle(m: BusMessage): void {
    if (m.kind === 'events') this.deliver(m.batch);
    else if (m.kind === 'ephemeral') {
      for (const u of m.userIds) for (const c of this.byUser.get(u) ?? []) c.sendEphemeral(m.signal);
    } else {
      for (const c of [...(this.byUser.get(m.userId) ?? [])]) {
        if (m.sessionIds === 'all' || m.sessionIds.includes(c.sessionId)) c.revoke(m.reason);
      }
    }
  }

  private deliver(batch: RenderedBatch): void {
    const json = new Map<number, string>();
    for (const item of batch.items) {
      const conns = this.byUser.get(item.userId);
      if (!conns) continue;
      for (const c of conns) {
        const idx = item.redacted !== undefined && !c.mfaVerified ? item.redacted : item.payload;
        let data = json.get(idx);
        if (data === undefined) json.set(idx, (data = JSON.stringify(batch.payloads[idx])));
        c.offer(item.seq, eventFrame(item.seq, item.type, item.at, data));
      }
    }
  }
}

/** Builds an event frame around an already serialised payload (one message, many recipients). */
export function eventFrame(seq: number, type: string, at: number, dataJson: string): string {
  return `{"type":"event","event":{"seq":${seq},"type":${JSON.stringify(type)},"at":${at},"data":${dataJson}}}`;
}
