/**
 * WebSocket side of the fuzz test: several authenticated sockets receive thousands of frames
 * (binary, text garbage, invalid UTF-8, JSON of the wrong shape, frames above the 64 KiB
 * limit, valid typing/presence/ping frames with random ids), reconnecting whenever the server
 * closes them. Every server frame must be JSON of a known type; every close must carry a code
 * the protocol explains.
 */
import WebSocket from 'ws';
import { ClientFrame, ERROR_CODES, WS_CLOSE } from '@conclave/protocol';
import type { Rng } from './prng';
import { BAD_UTF8, NASTY_STRINGS, NOT_JSON, Raw, deepText, mutate, nastyValue, randomUlid, toJsonText, type Pools } from './values';
import { findLeak } from './http';

export type WsFrame =
  | { kind: 'text'; label: string; data: string }
  | { kind: 'bytes-as-text'; label: string; data: Buffer }
  | { kind: 'binary'; label: string; data: Buffer }
  | { kind: 'ping'; label: string; data: Buffer };

const SERVER_FRAME_TYPES = new Set(['hello', 'event', 'reset', 'ephemeral', 'pong', 'error']);

export function buildFrames(rng: Rng, n: number, pools: Pools): WsFrame[] {
  const frames: WsFrame[] = [];
  let huge = 0;
  for (let i = 0; i < n; i++) {
    const kind = rng.weighted<string>([
      [14, 'valid'], [12, 'wrong-shape'], [6, 'garbage'], [4, 'binary'], [3, 'bad-utf8'], [2, 'control'], [1, 'huge'], [3, 'typing-random'],
    ]);
    if (kind === 'huge' && huge >= 12) { i--; continue; }
    frames.push(buildFrame(rng, kind, pools));
    if (kind === 'huge') huge++;
  }
  return frames;
}

function buildFrame(rng: Rng, kind: string, pools: Pools): WsFrame {
  const id = () => (rng.chance(0.5) && pools.ids.length ? rng.pick(pools.ids) : randomUlid(rng));
  switch (kind) {
    case 'valid': {
      const v = rng.pick([
        { type: 'ping' }, { type: 'ping', t: rng.int(0, 2 ** 31) }, { type: 'presence', status: rng.pick(['online', 'away']) },
        { type: 'typing', conversationId: id() },
      ]);
      return { kind: 'text', label: `valid:${v.type}`, data: JSON.stringify(v) };
    }
    case 'typing-random':
      return { kind: 'text', label: 'typing:random-id', data: JSON.stringify({ type: 'typing', conversationId: rng.chance(0.7) ? randomUlid(rng) : rng.pick(NASTY_STRINGS) }) };
    case 'wrong-shape': {
      const base = rng.pick<unknown>([
        { type: 'ping', t: rng.pick([1.5, -1, 1e308, '1', null]) }, { type: 'presence', status: rng.pick(['offline', 'busy', '', null, 1]) },
        { type: 'typing', conversationId: rng.pick(NASTY_STRINGS) }, { type: rng.pick(['subscribe', 'message', 'hello', 'event', 'PING', '', '__proto__']) },
        { type: 'typing' }, { conversationId: id() }, { type: ['ping'] }, { type: { toString: 'ping' } }, [{ type: 'ping' }],
      ]);
      const v = rng.chance(0.6) ? mutate(rng, base) : nastyValue(rng);
      return { kind: 'text', label: 'wrong-shape', data: toJsonText(v instanceof Raw ? v : v) };
    }
    case 'garbage':
      return { kind: 'text', label: 'garbage', data: rng.chance(0.5) ? rng.pick(NOT_JSON) : rng.chance(0.5) ? deepText(rng) : rng.pick(NASTY_STRINGS) };
    case 'binary':
      return { kind: 'binary', label: 'binary', data: rng.chance(0.5) ? rng.bytes(rng.int(0, 512)) : Buffer.from(JSON.stringify({ type: 'ping' })) };
    case 'bad-utf8':
      return { kind: 'bytes-as-text', label: 'bad-utf8-text', data: Buffer.concat([Buffer.from('{"type":"ping","x":"'), Buffer.from(rng.pick(BAD_UTF8)), Buffer.from('"}')]) };
    case 'control':
      return { kind: 'ping', label: 'control-ping', data: rng.bytes(rng.int(0, 125)) };
    default: {
      const size = rng.pick([64 * 1024 + 1, 100_000, 1024 * 1024]);
      return rng.chance(0.5)
        ? { kind: 'text', label: `huge:${size}`, data: JSON.stringify({ type: 'ping', pad: 'x'.repeat(size) }) }
        : { kind: 'binary', label: `huge-binary:${size}`, data: Buffer.alloc(size, 0x41) };
    }
  }
}

export interface WsStats {
  framesSent: number;
  connections: number;
  serverFrames: number;
  closes: Record<string, number>;
  failures: Array<{ kind: string; detail: string }>;
}

interface WsOptions {
  wsUrl: string;
  token: () => string;
  frames: WsFrame[];
  lanes: number;
  rng: Rng;
  deadlineMs: number;
}

/** Runs the frames over `lanes` sockets, reconnecting each lane until the frames run out. */
export async function runWsFuzz(o: WsOptions): Promise<WsStats> {
  const stats: WsStats = { framesSent: 0, connections: 0, serverFrames: 0, closes: {}, failures: [] };
  let next = 0;
  const end = Date.now() + o.deadlineMs;
  const lane = async (laneNo: number) => {
    while (next < o.frames.length && Date.now() < end) {
      const since = laneNo % 2 === 0 ? `&since=${o.rng.pick([0, 1, 5, 999_999_999])}` : '';
      await runSocket(`${o.wsUrl}?token=${encodeURIComponent(o.token())}${since}`, () => (next < o.frames.length ? o.frames[next++]! : null), stats, end);
    }
  };
  await Promise.all(Array.from({ length: o.lanes }, (_x, k) => lane(k)));
  return stats;
}

/** What the server must do with a frame: accept it, count it as malformed, or drop the connection. */
export type Verdict = 'ok' | 'bad' | 'control' | 'close1007' | 'close1009';

const MAX_PAYLOAD = 64 * 1024;
const MAX_BAD_FRAMES = 10;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Predicts the server's verdict with the same schema it uses (ClientFrame), so the test can demand it exactly. */
export function verdict(f: WsFrame): Verdict {
  if (f.kind === 'ping') return 'control';
  const bytes = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
  if (bytes.length > MAX_PAYLOAD) return 'close1009';
  if (f.kind === 'binary') return 'bad';
  let text: string;
  try { text = strictUtf8.decode(bytes); } catch { return 'close1007'; }
  try { return ClientFrame.safeParse(JSON.parse(text)).success ? 'ok' : 'bad'; } catch { return 'bad'; }
}

function runSocket(url: string, take: () => WsFrame | null, stats: WsStats, end: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 8 * 1024 * 1024 });
    stats.connections++;
    const history: string[] = [];
    let hello = false;
    let done = false;
    let bad = 0;
    let errorFrames = 0;
    /** Close codes the server owes us after the frame that ended our sending; null while we may still send. */
    let owed: number[] | null = null;
    const finish = () => { if (!done) { done = true; clearTimeout(guard); resolve(); } };
    const guard = setTimeout(() => {
      stats.failures.push({ kind: 'ws hang', detail: `no progress for 15 s; frames: ${history.join(', ') || 'none'}` });
      ws.terminate();
      finish();
    }, 15_000);

    const pump = async () => {
      // Bursts of a few frames, then yield, so errors and closes interleave with sending.
      while (ws.readyState === WebSocket.OPEN && Date.now() < end && owed === null) {
        for (let k = 0; k < 8 && ws.readyState === WebSocket.OPEN && owed === null; k++) {
          const f = take();
          if (!f) { ws.close(1000, 'done'); return; }
          history.push(f.label);
          if (history.length > 12) history.shift();
          if (f.kind === 'text') ws.send(f.data);
          else if (f.kind === 'bytes-as-text') ws.send(f.data, { binary: false });
          else if (f.kind === 'binary') ws.send(f.data, { binary: true });
          else ws.ping(f.data);
          stats.framesSent++;
          guard.refresh();
          const v = verdict(f);
          if (v === 'bad' && ++bad > MAX_BAD_FRAMES) owed = [WS_CLOSE.protocolError];
          // The ws library refuses these itself; @fastify/websocket then terminates the socket,
          // so the close frame may or may not reach us before the TCP connection drops (1006).
          if (v === 'close1007') owed = [1007, 1006];
          if (v === 'close1009') owed = [1009, 1006];
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      if (ws.readyState === WebSocket.OPEN && owed === null) ws.close(1000, 'deadline');
    };

    ws.on('message', (data, isBinary) => {
      stats.serverFrames++;
      guard.refresh();
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      if (isBinary) stats.failures.push({ kind: 'ws binary frame from server', detail: text.slice(0, 200) });
      let f: { type?: string; code?: string; message?: string };
      try {
        f = JSON.parse(text);
      } catch {
        stats.failures.push({ kind: 'ws frame not JSON', detail: text.slice(0, 200) });
        return;
      }
      if (!f || !SERVER_FRAME_TYPES.has(f.type ?? '')) stats.failures.push({ kind: 'ws unknown frame', detail: text.slice(0, 200) });
      if (f.type === 'error') {
        errorFrames++;
        if (!(f.code! in ERROR_CODES) || typeof f.message !== 'string') stats.failures.push({ kind: 'ws error frame shape', detail: text.slice(0, 200) });
      }
      const leak = findLeak(text, '');
      if (leak) stats.failures.push({ kind: 'ws leak', detail: leak });
      if (f.type === 'hello' && !hello) { hello = true; void pump(); }
    });
    ws.on('unexpected-response', (_req, res) => {
      stats.failures.push({ kind: 'ws handshake refused', detail: String(res.statusCode) });
      finish();
    });
    ws.on('error', () => { /* the close event follows and carries the code */ });
    ws.on('close', (code, reason) => {
      const key = String(code);
      stats.closes[key] = (stats.closes[key] ?? 0) + 1;
      const frames = history.join(', ') || 'none';
      if (!hello) stats.failures.push({ kind: 'ws closed before hello', detail: `${code} ${reason.toString()}` });
      else if (owed === null && code !== 1000 && code !== 1005) stats.failures.push({ kind: `ws close ${code} unprovoked`, detail: `${reason.toString().slice(0, 120)} (frames, oldest first: ${frames})` });
      else if (owed !== null && !owed.includes(code)) stats.failures.push({ kind: `ws close ${code}, expected ${owed.join(' or ')}`, detail: `${reason.toString().slice(0, 120)} (frames, oldest first: ${frames})` });
      else if (owed?.[0] === WS_CLOSE.protocolError && errorFrames !== MAX_BAD_FRAMES) {
        stats.failures.push({ kind: 'ws error frames before 4009', detail: `${errorFrames} error frames for ${bad} malformed frames (expected ${MAX_BAD_FRAMES})` });
      }
      finish();
    });
  });
}

/** Handshake fuzz: bad tokens must be refused with 4003, a malformed `since` with a 400 error body. */
export async function fuzzHandshakes(wsUrl: string, goodToken: string, badTokens: string[]): Promise<{ tried: number; failures: Array<{ kind: string; detail: string }> }> {
  const failures: Array<{ kind: string; detail: string }> = [];
  const cases: Array<{ q: string; expect: 'close4003' | 'http400' | 'open'; headers?: Record<string, string> }> = [
    { q: '', expect: 'close4003' },
    ...badTokens.map((t) => ({ q: `?token=${encodeURIComponent(t)}`, expect: 'close4003' as const })),
    { q: `?token=${'x'.repeat(5_000)}`, expect: 'close4003' },
    { q: '?token=%00', expect: 'close4003' },
    { q: '?token=', expect: 'close4003' },
    { q: '?token=a&token=b', expect: 'close4003' },
    { q: '', expect: 'close4003', headers: { authorization: 'Bearer nope' } },
    ...['-1', 'abc', '1e3', '0x10', '9999999999999999999', '', '1.5', '%00'].map((s) => ({ q: `?token=${encodeURIComponent(goodToken)}&since=${s}`, expect: 'http400' as const })),
    { q: `?token=${encodeURIComponent(goodToken)}&since=999999999999999`, expect: 'open' },
    { q: `?token=${encodeURIComponent(goodToken)}&since=0&since=1`, expect: 'http400' },
  ];
  for (const c of cases) {
    const got = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl + c.q, { headers: c.headers });
      const t = setTimeout(() => { ws.terminate(); resolve('hang'); }, 5_000);
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          clearTimeout(t);
          const body = Buffer.concat(chunks).toString('utf8');
          let code = '';
          try { code = (JSON.parse(body) as { error: { code: string } }).error.code; } catch { code = `not-json:${body.slice(0, 100)}`; }
          resolve(`http${res.statusCode}:${code}`);
        });
      });
      ws.on('message', (d) => { if (String(d).includes('"hello"')) { clearTimeout(t); ws.close(1000); resolve('open'); } });
      ws.on('error', () => undefined);
      ws.on('close', (code) => { clearTimeout(t); resolve(`close${code}`); });
    });
    const ok = c.expect === 'open' ? got === 'open' : c.expect === 'close4003' ? got === 'close4003' : got.startsWith('http400:validation_failed');
    if (!ok) failures.push({ kind: 'ws handshake', detail: `${c.q.slice(0, 80)} ${c.headers ? JSON.stringify(c.headers) : ''} → ${got} (expected ${c.expect})` });
  }
  return { tried: cases.length, failures };
}
