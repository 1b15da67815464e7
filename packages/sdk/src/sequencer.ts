import type { ResponseOf, ServerFrame, SyncEvent } from '@conclave/protocol';

/**
 * One page of GET /api/v1/sync with `events` typed as the {@link SyncEvent} union (the zod
 * schema types `data` as unknown; the payload table in events.ts defines its real shape).
 */
export type SyncPage = Omit<ResponseOf<'sync'>, 'events'> & { events: SyncEvent[] };

/** A durable-event handler. May be async: the next event waits until it settles. */
export type EventHandler = (event: SyncEvent) => void | Promise<void>;

/** What the sequencer needs from the subscription that owns it. */
export interface SequencerHooks {
  handler: EventHandler;
  onReset?: () => void | Promise<void>;
  report(err: unknown): void;
  /** GET /api/v1/sync after `since`. */
  sync(since: number, limit: number): Promise<SyncPage>;
  /** The repair sync for a frame of connection `gen` failed: the owner replaces that socket so the server replays from lastSeq instead. */
  onRepairFailed(err: unknown, gen: number): void;
}

const SYNC_PAGE = 1000;

/**
 * The MSG-4 delivery guarantee, independent of sockets: frames from any connection go through
 * one FIFO queue processed by a single async loop, so a gap repair (an HTTP round trip) or a
 * slow async handler never lets a later event overtake an earlier one. The handler sees each
 * event once (seq <= lastSeq is a duplicate) and in strictly increasing seq order.
 */
export class EventSequencer {
  #lastSeq: number | null;
  #queue: Array<{ gen: number; frame: ServerFrame }> = [];
  #draining = false;
  #stopped = false;
  /** Frames from connections older than this are dropped (after a failed repair). */
  #minGen = 0;

  constructor(private readonly hooks: SequencerHooks, since: number | null) {
    this.#lastSeq = since;
  }

  /** Seq of the last event handed to the handler (or adopted from hello / reset); null until known. */
  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  /** Queues a hello, event or reset frame received on connection `gen`. */
  push(gen: number, frame: ServerFrame): void {
    if (this.#stopped) return;
    this.#queue.push({ gen, frame });
    if (!this.#draining) void this.#drain();
  }

  /** Forgets queued frames of connections before `gen`: the next connection replays them from lastSeq. */
  dropBefore(gen: number): void {
    this.#minGen = Math.max(this.#minGen, gen);
  }

  /** Stops for good: queued frames are dropped and nothing more reaches the handler. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const item = this.#queue.shift()!;
        if (item.gen < this.#minGen) continue;
        try {
          await this.#process(item.gen, item.frame);
        } catch (err) {
          this.hooks.report(err);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  async #process(gen: number, frame: ServerFrame): Promise<void> {
    if (frame.type === 'hello') {
      if (this.#lastSeq === null) this.#lastSeq = frame.seq;
      // The server is behind our cursor (restored from backup, another cluster): our seqs mean
      // nothing there, so treat it as a reset rather than drop its events as duplicates.
      else if (frame.seq < this.#lastSeq) await this.#reset(frame.seq);
      return;
    }
    if (frame.type === 'reset') {
      await this.#reset(frame.seq);
      return;
    }
    if (frame.type !== 'event') return;
    const ev = frame.event;
    // Before hello there is no cursor to compare with; the server sends hello first, so this is not expected.
    if (this.#lastSeq === null || ev.seq <= this.#lastSeq) return;
    if (ev.seq > this.#lastSeq + 1) {
      if (!(await this.#repair(gen))) return;
      if (this.#stopped || ev.seq <= this.#lastSeq) return;
      // Still a hole after a complete sync: the server's log is authoritative, so deliver what exists.
    }
    await this.#deliver(ev);
  }

  async #deliver(ev: SyncEvent): Promise<void> {
    try {
      await this.hooks.handler(ev);
    } catch (err) {
      // The event counts as delivered: redelivering after a handler bug would loop forever.
      this.hooks.report(err);
    }
    this.#lastSeq = ev.seq;
  }

  async #reset(seq: number): Promise<void> {
    try {
      await this.hooks.onReset?.();
    } catch (err) {
      this.hooks.report(err);
    }
    this.#lastSeq = seq;
  }

  /**
   * Fetches everything after lastSeq over HTTP and delivers it in order. False when that was
   * impossible: frames of this connection are then dropped and the owner reconnects, so the
   * server's replay from lastSeq repairs the gap instead.
   */
  async #repair(gen: number): Promise<boolean> {
    try {
      for (;;) {
        const since = this.#lastSeq!;
        const res = await this.hooks.sync(since, SYNC_PAGE);
        if (this.#stopped) return false;
        if (res.reset) {
          await this.#reset(res.seq);
          return true;
        }
        const events = [...res.events].sort((a, b) => a.seq - b.seq);
        for (const ev of events) {
          if (this.#stopped) return false;
          if (ev.seq > this.#lastSeq!) await this.#deliver(ev);
        }
        // hasMore without progress would loop forever; stop and let the caller continue.
        if (!res.hasMore || this.#lastSeq === since) return true;
      }
    } catch (err) {
      if (this.#stopped) return false;
      this.dropBefore(gen + 1);
      this.hooks.onRepairFailed(err, gen);
      return false;
    }
  }
}
