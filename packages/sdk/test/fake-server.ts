/**
 * A tiny stand-in for the Conclave server, speaking just enough of the wire contract
 * (WS hello/replay/live, GET /api/v1/sync, GET /api/v1/me) to test the SDK without the real
 * server. Tests script it through hooks and inspect what it saw.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerFrame, SyncEvent } from '@conclave/protocol';

/** The token the fake server accepts. */
export const GOOD_TOKEN = 'good-token';
/** Conversation id used in fabricated events (a syntactically valid ULID). */
export const CONV_ID = '01HZY0000000000000000000AA';

/** A fabricated durable event with the given seq. */
export function makeEvent(seq: number): SyncEvent {
  return { seq, type: 'read.updated', at: 1_700_000_000_000 + seq, data: { conversationId: CONV_ID, lastReadPosition: seq } };
}

/** One accepted WebSocket connection, as the fake server saw it. */
export interface FakeConn {
  url: URL;
  ws: WebSocket;
  /** Parsed client frames. */
  received: Array<Record<string, unknown>>;
  send(frame: ServerFrame): void;
}

/** One HTTP request, as the fake server saw it. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Handle on a running fake server. */
export interface FakeServer {
  baseUrl: string;
  /** Server-side event log; `log[i].seq` should be i + 1. */
  log: SyncEvent[];
  connections: FakeConn[];
  requests: SeenRequest[];
  /** `since` of every /sync call, in order. */
  syncCalls: number[];
  /** Events per /sync page (to exercise hasMore paging). */
  syncPageSize: number;
  /** Delay before answering /sync, so live frames can arrive during a repair. */
  syncDelayMs: number;
  /** When set, /sync answers `reset: true` with this seq (the log was trimmed). */
  syncResetTo: number | null;
  /** When true, WS upgrades are refused with HTTP 401 and /me answers 401. */
  rejectAuth: boolean;
  /** Replaces the default on-connect behaviour (hello + replay of everything after `since`). */
  onConnection: ((conn: FakeConn, since: number | null) => void) | null;
  /** Handles a non-sync HTTP request; return false to fall through to the default 404. */
  onHttp: ((req: SeenRequest, res: ServerResponse) => boolean | Promise<boolean>) | null;
  /** Appends events to the log and pushes them live to every open connection. */
  publish(...seqs: number[]): void;
  waitForConnections(n: number): Promise<FakeConn>;
  close(): Promise<void>;
}

/** Polls `cond` every 5 ms until true, failing after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts a fake server on an ephemeral port. */
export async function startFakeServer(): Promise<FakeServer> {
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  const fake: FakeServer = {
    baseUrl: '',
    log: [],
    connections: [],
    requests: [],
    syncCalls: [],
    syncPageSize: 1000,
    syncDelayMs: 0,
    syncResetTo: null,
    rejectAuth: false,
    onConnection: null,
    onHttp: null,
    publish(...seqs) {
      for (const seq of seqs) {
        const event = makeEvent(seq);
        if (!fake.log.some((e) => e.seq === seq)) fake.log.push(event);
        for (const c of fake.connections) c.send({ type: 'event', event });
      }
      fake.log.sort((a, b) => a.seq - b.seq);
    },
    async waitForConnections(n) {
      await waitFor(() => fake.connections.length >= n, 3000, `${n} connection(s)`);
      return fake.connections[n - 1];
    },
    async close() {
      for (const c of fake.connections) c.ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const seen: SeenRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', fake.baseUrl), headers: req.headers, body };
    fake.requests.push(seen);
    if (fake.onHttp && (await fake.onHttp(seen, res))) return;
    const authed = req.headers.authorization === `Bearer ${GOOD_TOKEN}` && !fake.rejectAuth;
    if (seen.url.pathname === '/api/v1/me') {
      if (!authed) return json(res, 401, { error: { code: 'unauthenticated', message: 'no session' } });
      return json(res, 200, { ok: true });
    }
    if (seen.url.pathname === '/api/v1/sync') {
      const since = Number(seen.url.searchParams.get('since'));
      fake.syncCalls.push(since);
      if (fake.syncDelayMs) await new Promise((r) => setTimeout(r, fake.syncDelayMs));
      if (!authed) return json(res, 401, { error: { code: 'unauthenticated', message: 'no session' } });
      const head = fake.log.at(-1)?.seq ?? 0;
      if (fake.syncResetTo !== null) return json(res, 200, { events: [], seq: fake.syncResetTo, hasMore: false, reset: true });
      const after = fake.log.filter((e) => e.seq > since);
      const events = after.slice(0, fake.syncPageSize);
      return json(res, 200, { events, seq: events.at(-1)?.seq ?? head, hasMore: after.length > events.length, reset: false });
    }
    json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  }

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/api/v1/ws' || fake.rejectAuth) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: FakeConn = {
        url,
        ws,
        received: [],
        send(frame) {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
        },
      };
      ws.on('message', (data) => conn.received.push(JSON.parse(String(data)) as Record<string, unknown>));
      fake.connections.push(conn);
      if (url.searchParams.get('token') !== GOOD_TOKEN) {
        ws.close(4003, 'unauthenticated');
        return;
      }
      const sinceParam = url.searchParams.get('since');
      const since = sinceParam === null ? null : Number(sinceParam);
      if (fake.onConnection) return fake.onConnection(conn, since);
      const head = fake.log.at(-1)?.seq ?? 0;
      conn.send({ type: 'hello', userId: 'U', sessionId: 'S', seq: head, resumedFrom: since });
      if (since !== null) for (const event of fake.log.filter((e) => e.seq > since)) conn.send({ type: 'event', event });
    });
  });

  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  fake.baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return fake;
}
