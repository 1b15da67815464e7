/**
 * One client socket (MSG-4). Guarantees the client sees every event after its `since`
 * exactly once and in seq order: live events are buffered while the backlog is replayed,
 * duplicates are dropped, and a gap (e.g. events crossing nodes out of order) is repaired
 * from the database. A client that cannot keep up is disconnected and resumes from its seq
 * instead of growing server memory.
 */
import type { WebSocket } from 'ws';
import { ClientFrame, WS_CLOSE, type Ephemeral, type ServerFrame } from '@conclave/protocol';
import type { HubConnection } from '../realtime/hub';
import { eventFrame } from '../realtime/hub';
import type { SyncQueries } from '../modules/sync/sync.queries';

const BACKLOG_PAGE = 500;
const MAX_PENDING = 5_000;
const GAP_WAIT_MS = 50;
const MAX_BAD_FRAMES = 10;

export interface ConnectionDeps {
  sync: SyncQueries;
  maxBufferedBytes: number;
  onDelivered(n: number): void;
  onClientFrame(conn: Connection, frame: ClientFrame): void;
  onError(err: unknown): void;
}

export class Connection implements HubConnection {
  private lastSent = 0;
  private live = false;
  private repairing = false;
  private closed = false;
  private badFrames = 0;
  private readonly pending: Array<{ seq: number; frame: string }> = [];

  constructor(
    readonly id: string,
    readonly orgId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly mfaVerified: boolean,
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    ws.on('message', (raw, isBinary) => this.onMessage(raw as Buffer, isBinary));
  }

  /** Replays the backlog after `since`, then switches to live delivery. */
  async start(since: number | null): Promise<void> {
    const current = await this.deps.sync.current(this.userId);
    this.send({ type: 'hello', userId: this.userId, sessionId: this.sessionId, seq: current, resumedFrom: since });
    if (since === null || since >= current) {
      this.lastSent = since === null ? current : Math.min(since, current);
      if (since !== null && since > current) this.send({ type: 'reset', seq: current });
    } else {
      this.lastSent = since;
      const ok = await this.replay(current);
      if (!ok) return;
    }
    this.live = true;
    this.drain();
  }

  offer(seq: number, frame: string): void {
    if (this.closed || seq <= this.lastSent) return;
    if (this.pending.length >= MAX_PENDING) return this.close(WS_CLOSE.slowConsumer, 'slow consumer: resume from your last seq');
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.seq > seq) i--;
    if (this.pending[i - 1]?.seq === seq) return;
    this.pending.splice(i, 0, { seq, frame });
    if (this.live) this.drain();
  }

  sendEphemeral(signal: Ephemeral): void {
    if (this.live && this.ws.bufferedAmount < this.deps.maxBufferedBytes / 2) this.send({ type: 'ephemeral', signal });
  }

  revoke(reason: string): void {
    this.close(WS_CLOSE.revoked, `session ended: ${reason}`);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.length = 0;
    try { this.ws.close(code, reason.slice(0, 120)); } catch { this.ws.terminate(); }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private drain(): void {
    let n = 0;
    while (this.pending.length && this.pending[0]!.seq <= this.lastSent + 1) {
      const p = this.pending.shift()!;
      if (p.seq <= this.lastSent) continue;
      if (!this.sendRaw(p.frame)) return;
      this.lastSent = p.seq;
      n++;
    }
    if (n) this.deps.onDelivered(n);
    if (this.pending.length && !this.repairing) {
      this.repairing = true;
      // Give an in-flight event from another node a moment before reading the gap from the log.
      setTimeout(() => void this.repair(), GAP_WAIT_MS);
    }
  }

  private async repair(): Promise<void> {
    try {
      if (this.closed || !this.pending.length || this.pending[0]!.seq <= this.lastSent + 1) return;
      await this.replay(this.pending[0]!.seq - 1);
    } catch (err) {
      this.deps.onError(err);
      this.close(WS_CLOSE.shuttingDown, 'temporary failure; resume from your last seq');
    } finally {
      this.repairing = false;
      if (!this.closed) this.drain();
    }
  }

  /** Sends stored events from lastSent+1 up to `until` inclusive; false if the socket closed. */
  private async replay(until: number): Promise<boolean> {
    while (!this.closed && this.lastSent < until) {
      const { batch, reset } = await this.deps.sync.batch(this.orgId, this.userId, this.lastSent, BACKLOG_PAGE);
      if (reset) {
        this.send({ type: 'reset', seq: until });
        this.lastSent = until;
        return true;
      }
      if (!batch.items.length) break;
      const json = new Map<number, string>();
      for (const item of batch.items) {
        if (item.seq > until) break;
        const idx = item.redacted !== undefined && !this.mfaVerified ? item.redacted : item.payload;
        let data = json.get(idx);
        if (data === undefined) json.set(idx, (data = JSON.stringify(batch.payloads[idx])));
        if (!this.sendRaw(eventFrame(item.seq, item.type, item.at, data))) return false;
        this.lastSent = item.seq;
      }
      this.deps.onDelivered(batch.items.length);
      await this.waitForDrain();
    }
    return !this.closed;
  }

  /** Lets the socket flush between backlog pages instead of buffering the whole backlog. */
  private async waitForDrain(): Promise<void> {
    for (let i = 0; i < 200 && !this.closed && this.ws.bufferedAmount > this.deps.maxBufferedBytes / 4; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private sendRaw(frame: string): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount > this.deps.maxBufferedBytes) {
      this.close(WS_CLOSE.slowConsumer, 'slow consumer: resume from your last seq');
      return false;
    }
    this.ws.send(frame);
    return true;
  }

  private send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  private onMessage(raw: Buffer, isBinary: boolean): void {
    let frame: ClientFrame | null = null;
    try {
      const parsed = ClientFrame.safeParse(isBinary ? undefined : JSON.parse(raw.toString('utf8')));
      if (parsed.success) frame = parsed.data;
    } catch {
      frame = null;
    }
    if (!frame) {
      this.badFrames++;
      if (this.badFrames > MAX_BAD_FRAMES) return this.close(WS_CLOSE.protocolError, 'too many malformed frames');
      this.send({ type: 'error', code: 'validation_failed', message: 'frame must be JSON: {type: "typing"|"presence"|"ping", …}' });
      return;
    }
    if (frame.type === 'ping') return this.send({ type: 'pong', t: frame.t ?? Date.now() });
    this.deps.onClientFrame(this, frame);
  }
}
