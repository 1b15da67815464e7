/**
 * Many lightweight WebSocket clients (the `ws` package directly; the SDK's per-subscription
 * machinery would cost more client CPU than the server work being measured).
 */
import WebSocket from 'ws';

export interface ClientHooks {
  /** Every frame after the first (hello). */
  onFrame?(index: number, data: Buffer): void;
  /** A socket closed after its hello. */
  onClose?(index: number, code: number, reason: string): void;
}

export interface Connected {
  sockets: WebSocket[];
  /** `seq` of each socket's hello frame. */
  helloSeq: number[];
  ms: number;
}

/** Opens one socket per url, `concurrency` handshakes at a time; resolves when every hello arrived. */
export async function connectMany(urls: string[], hooks: ClientHooks = {}, concurrency = 100, timeoutMs = 120_000): Promise<Connected> {
  const t0 = performance.now();
  const sockets: WebSocket[] = new Array(urls.length);
  const helloSeq: number[] = new Array(urls.length).fill(-1);
  let next = 0;
  const deadline = Date.now() + timeoutMs;
  const one = (i: number) => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(urls[i]!, { perMessageDeflate: false });
    sockets[i] = ws;
    let greeted = false;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`socket ${i}: no hello within ${timeoutMs} ms`)); }, Math.max(1, deadline - Date.now()));
    ws.on('message', (data: Buffer) => {
      if (!greeted) {
        greeted = true;
        clearTimeout(timer);
        const hello = JSON.parse(data.toString('utf8')) as { type: string; seq?: number };
        if (hello.type !== 'hello') return reject(new Error(`socket ${i}: expected hello, got ${hello.type}`));
        helloSeq[i] = hello.seq ?? 0;
        resolve();
        return;
      }
      hooks.onFrame?.(i, data);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!greeted) reject(new Error(`socket ${i}: closed before hello (${code} ${reason.toString()})`));
      else hooks.onClose?.(i, code, reason.toString());
    });
    ws.on('error', (err) => { if (!greeted) { clearTimeout(timer); reject(err); } });
  });
  const workers = Array.from({ length: Math.min(concurrency, urls.length) }, async () => {
    while (next < urls.length) await one(next++);
  });
  try {
    await Promise.all(workers);
  } catch (err) {
    closeAll(sockets);
    throw err;
  }
  return { sockets, helloSeq, ms: performance.now() - t0 };
}

/** Closes every socket and waits (bounded) until they are closed. */
export async function closeAll(sockets: Array<WebSocket | undefined>, waitMs = 10_000): Promise<void> {
  const open = sockets.filter((s): s is WebSocket => !!s && s.readyState !== WebSocket.CLOSED);
  await Promise.race([
    Promise.all(open.map((s) => new Promise<void>((r) => { s.once('close', () => r()); try { s.close(1000, 'bench done'); } catch { s.terminate(); } }))),
    new Promise<void>((r) => setTimeout(r, waitMs)),
  ]);
  for (const s of open) if (s.readyState !== WebSocket.CLOSED) s.terminate();
}

/** Conclave's socket URL for a session token. */
export function conclaveWsUrl(httpUrl: string, token: string, since?: number): string {
  const u = new URL('/api/v1/ws', httpUrl.replace(/^http/, 'ws'));
  u.searchParams.set('token', token);
  if (since !== undefined) u.searchParams.set('since', String(since));
  return u.toString();
}
