import { WS_CLOSE, type ClientFrame, type Ephemeral, type ServerFrame } from '@conclave/protocol';
import { ConclaveError, isConclaveError } from './errors';
import { EventSequencer, type EventHandler, type SyncPage } from './sequencer';
import { WS_OPEN, backoffDelay, buildWsUrl, frameText, type BackoffOptions, type WebSocketLike } from './socket';

export type { EventHandler, SyncPage } from './sequencer';

/**
 * Connection state reported to `onState`:
 * - `connecting`: a socket is being opened (first connect, and every reconnect attempt).
 * - `open`: the server said `hello`; events flow.
 * - `reconnecting`: the connection was lost; another attempt is scheduled after `info.delayMs`.
 * - `closed`: final. By `close()`, or because the server revoked / refused the session
 *   (`info.code` 4001 or 4003) — those are not retried, since the token will not work again.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'reconnecting';

/** Details accompanying a state change. */
export interface StateInfo {
  /** WebSocket close code that caused the change, if any. */
  code?: number;
  /** Human-readable reason. */
  reason?: string;
  /** Reconnect attempt number (1-based) for `reconnecting`. */
  attempt?: number;
  /** Delay before the next attempt for `reconnecting`. */
  delayMs?: number;
  /** For `open`: the server's current seq (`hello.seq`). */
  seq?: number;
  /** For `open`: the seq the server resumed from (`hello.resumedFrom`), null for a fresh start. */
  resumedFrom?: number | null;
}

/** Options of `client.subscribe`. */
export interface SubscribeOptions {
  /**
   * Last seq the caller has already applied (e.g. from `client.sync()` or a stored cursor).
   * Every event after it is delivered. Omitted: start at the server's current seq (from
   * `hello`), i.e. only events that happen from now on.
   */
  since?: number;
  /** Typing and presence signals: not ordered, not replayed, may be lost. */
  onEphemeral?: (signal: Ephemeral) => void;
  /** Connection state changes (see {@link ConnectionState}). */
  onState?: (state: ConnectionState, info?: StateInfo) => void;
  /**
   * The server no longer has the events after our seq (its log was trimmed): refetch your
   * state here. Delivery resumes after it settles, from the seq the server gave. Without this
   * callback the missed events are silently skipped.
   */
  onReset?: () => void | Promise<void>;
  /** A handler threw, a repair sync failed, or the server sent an `error` frame. Default: console.error. */
  onError?: (err: unknown) => void;
  /** Ping interval, default 25 000 ms. */
  pingIntervalMs?: number;
  /** Reconnect when no frame arrived for this long, default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Reconnect backoff, default 250 ms doubling to 10 s, with jitter. */
  backoff?: BackoffOptions;
}

/** A live subscription returned by `client.subscribe`. */
export interface Subscription {
  /** Stops for good: no reconnect, timers cleared, socket closed, queued frames dropped. */
  close(): void;
  /** Seq of the last event delivered to the handler (null until known). Persist it to resume later. */
  readonly lastSeq: number | null;
  /** Current connection state. */
  readonly state: ConnectionState;
  /** Tells the conversation you are typing. False when not connected (the signal is dropped). */
  sendTyping(conversationId: string): boolean;
  /** Sets your presence; remembered and re-sent after reconnects. False when not connected right now. */
  setPresence(status: 'online' | 'away'): boolean;
}

/** What a subscription needs from its client; an interface so the client and tests share one path. */
export interface RealtimeDeps {
  baseUrl: string;
  getToken(): string | null;
  /** GET /api/v1/sync. */
  sync(since: number, limit: number, signal: AbortSignal): Promise<SyncPage>;
  /** False only when the server says the token is no longer valid (`unauthenticated`). */
  checkAuth(signal: AbortSignal): Promise<boolean>;
  resolveWebSocket(): Promise<new (url: string) => WebSocketLike>;
}

/**
 * One resumable WebSocket subscription (MSG-4). This class owns the socket lifecycle
 * (connect, heartbeat, backoff, terminal closes); ordering and exactly-once delivery live in
 * {@link EventSequencer}, which outlives individual sockets.
 */
export class RealtimeSubscription implements Subscription {
  #state: ConnectionState = 'connecting';
  #closed = false;
  #ws: WebSocketLike | null = null;
  /** Id of the newest connection; frames are tagged with it so stale ones can be discarded. */
  #gen = 0;
  #helloSeen = false;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Cancels an in-flight repair sync or auth probe on close(). */
  readonly #httpAbort = new AbortController();
  #presence: 'online' | 'away' | null = null;
  readonly #seq: EventSequencer;
  readonly #pingMs: number;
  readonly #idleMs: number;

  constructor(
    private readonly deps: RealtimeDeps,
    handler: EventHandler,
    private readonly opts: SubscribeOptions = {},
    private readonly onFinished?: () => void,
  ) {
    if (opts.since !== undefined && (!Number.isSafeInteger(opts.since) || opts.since < 0)) {
      throw new ConclaveError('invalid_argument', 'since must be a non-negative integer');
    }
    this.#pingMs = opts.pingIntervalMs ?? 25_000;
    this.#idleMs = opts.idleTimeoutMs ?? 60_000;
    this.#seq = new EventSequencer({
      handler,
      onReset: opts.onReset,
      report: (err) => this.#report(err),
      sync: (since, limit) => deps.sync(since, limit, this.#httpAbort.signal),
      onRepairFailed: (err, gen) => this.#onRepairFailed(err, gen),
    }, opts.since ?? null);
    // Deferred so the caller holds the Subscription before the first onState call.
    queueMicrotask(() => void this.#connect());
  }

  get lastSeq(): number | null {
    return this.#seq.lastSeq;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  close(): void {
    this.#finish({ reason: 'closed by client' });
  }

  sendTyping(conversationId: string): boolean {
    return this.#send({ type: 'typing', conversationId });
  }

  setPresence(status: 'online' | 'away'): boolean {
    this.#presence = status;
    return this.#send({ type: 'presence', status });
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    this.#setState('connecting');
    let Ctor: new (url: string) => WebSocketLike;
    try {
      Ctor = await this.deps.resolveWebSocket();
    } catch (err) {
      this.#report(err);
      this.#finish({ reason: `no WebSocket implementation: ${(err as Error).message}` });
      return;
    }
    if (this.#closed) return;
    const token = this.deps.getToken();
    if (!token) {
      this.#finish({ code: WS_CLOSE.unauthenticated, reason: 'not logged in' });
      return;
    }
    const gen = ++this.#gen;
    this.#helloSeen = false;
    let ws: WebSocketLike;
    try {
      ws = new Ctor(buildWsUrl(this.deps.baseUrl, token, this.#seq.lastSeq));
    } catch (err) {
      this.#report(err);
      void this.#onLost(1006, `cannot open WebSocket: ${(err as Error).message}`);
      return;
    }
    this.#ws = ws;
    // Armed before `open` too, so a handshake that hangs is also abandoned.
    this.#armIdle(ws);
    ws.onopen = () => {
      if (ws !== this.#ws) return;
      this.#pingTimer = setInterval(() => this.#send({ type: 'ping', t: Date.now() }), this.#pingMs);
    };
    ws.onmessage = (ev) => {
      if (ws !== this.#ws) return;
      this.#armIdle(ws);
      let frame: ServerFrame;
      try {
        frame = JSON.parse(frameText(ev.data)) as ServerFrame;
      } catch (err) {
        this.#report(new ConclaveError('bad_response', 'unreadable WebSocket frame', { cause: err }));
        return;
      }
      this.#onFrame(gen, frame);
    };
    // Never null: `ws` (Node) throws on an 'error' event without a listener.
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (ws !== this.#ws) return;
      this.#teardownSocket(false);
      void this.#onLost(ev.code, ev.reason || `closed with code ${ev.code}`);
    };
  }

  #onFrame(gen: number, frame: ServerFrame): void {
    switch (frame.type) {
      case 'hello':
        this.#helloSeen = true;
        this.#attempt = 0;
        this.#setState('open', { seq: frame.seq, resumedFrom: frame.resumedFrom });
        // Presence lives on the connection server-side; restore "away" after a reconnect.
        if (this.#presence === 'away') this.#send({ type: 'presence', status: 'away' });
        this.#seq.push(gen, frame);
        return;
      case 'event':
      case 'reset':
        this.#seq.push(gen, frame);
        return;
      case 'ephemeral':
        // Not ordered against events and never replayed, so it skips the queue.
        try {
          this.opts.onEphemeral?.(frame.signal);
        } catch (err) {
          this.#report(err);
        }
        return;
      case 'error':
        this.#report(new ConclaveError(frame.code, frame.message));
        return;
      default:
        return; // pong, or a frame type added later: it only proves liveness.
    }
  }

  /** The socket is gone (server close, network loss, idle): decide between final close and reconnect. */
  async #onLost(code: number | undefined, reason: string): Promise<void> {
    if (this.#closed) return;
    if (code === WS_CLOSE.revoked || code === WS_CLOSE.unauthenticated) {
      this.#finish({ code, reason });
      return;
    }
    // A handshake refused with HTTP 401 reaches browsers only as 1006; ask over HTTP whether
    // the token still works instead of retrying a dead session forever.
    if (!this.#helloSeen) {
      const stillValid = await this.deps.checkAuth(this.#httpAbort.signal).catch(() => true);
      if (this.#closed) return;
      if (!stillValid) {
        this.#finish({ code: WS_CLOSE.unauthenticated, reason: 'session is no longer valid' });
        return;
      }
    }
    const delayMs = backoffDelay(this.#attempt, this.opts.backoff);
    this.#attempt += 1;
    this.#setState('reconnecting', { code, reason, attempt: this.#attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#connect();
    }, delayMs);
  }

  #onRepairFailed(err: unknown, gen: number): void {
    this.#report(err);
    if (isConclaveError(err, 'unauthenticated')) {
      this.#finish({ code: WS_CLOSE.unauthenticated, reason: 'session is no longer valid' });
    } else if (gen === this.#gen && this.#ws) {
      // A fresh socket resumes from lastSeq, so the server's replay fills the gap.
      this.#teardownSocket(false);
      void this.#onLost(undefined, 'gap repair via /sync failed');
    }
  }

  /** Closes the current socket (if any) and silences its callbacks; graceful = send a 1000 close. */
  #teardownSocket(graceful: boolean): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#pingTimer = this.#idleTimer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      if (graceful && ws.readyState === WS_OPEN) ws.close(1000, 'client closed');
      else if (ws.terminate) ws.terminate(); // `ws`: no 30 s closing handshake on a dead link
      else ws.close();
    } catch {
      // Already closing or closed: nothing left to release.
    }
  }

  #armIdle(ws: WebSocketLike): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (ws !== this.#ws) return;
      this.#teardownSocket(false);
      void this.#onLost(undefined, `no frame for ${this.#idleMs} ms`);
    }, this.#idleMs);
  }

  #finish(info: StateInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#teardownSocket(true);
    this.#seq.stop();
    this.#httpAbort.abort();
    this.#emitState('closed', info);
    this.onFinished?.();
  }

  #send(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WS_OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  #setState(state: ConnectionState, info?: StateInfo): void {
    if (!this.#closed) this.#emitState(state, info);
  }

  #emitState(state: ConnectionState, info?: StateInfo): void {
    this.#state = state;
    try {
      this.opts.onState?.(state, info);
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    if (!this.opts.onError) {
      console.error('[conclave] subscription:', err);
      return;
    }
    try {
      this.opts.onError(err);
    } catch {
      // An error reporter that throws has nowhere further to report to.
    }
  }
}
