/**
 * The slice of the WebSocket API the SDK uses. Both the browser's `WebSocket` and the `ws`
 * package's class provide it, so either (or a test double) can be injected.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the TCP connection without a closing handshake. */
  terminate?: () => void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/**
 * Any WebSocket constructor taking a URL: `globalThis.WebSocket`, `ws`'s `WebSocket`, a mock.
 * Typed loosely on purpose: the DOM and `ws` typings disagree on event types.
 */
export type WebSocketConstructor = new (url: string) => object;

/** `WebSocket.OPEN`, spelled out because `ws` and the DOM expose it on different objects. */
export const WS_OPEN = 1;

/**
 * Finds a WebSocket implementation: the injected one, else the platform's, else the `ws`
 * package. The dynamic import runs only in runtimes without a global WebSocket (Node 20), so
 * browser bundles never execute it and esbuild keeps `ws` external.
 */
export async function resolveWebSocket(injected?: WebSocketConstructor): Promise<new (url: string) => WebSocketLike> {
  if (injected) return injected as unknown as new (url: string) => WebSocketLike;
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === 'function') return global as new (url: string) => WebSocketLike;
  const mod = (await import('ws')) as unknown as { WebSocket?: unknown; default?: unknown };
  const ctor = mod.WebSocket ?? mod.default;
  if (typeof ctor !== 'function') throw new Error('no WebSocket implementation: install "ws" or pass the WebSocket option');
  return ctor as new (url: string) => WebSocketLike;
}

/**
 * `${baseUrl with http→ws}/api/v1/ws?token=…[&since=…]`. The token travels in the query
 * because browsers cannot set headers on a WebSocket handshake.
 */
export function buildWsUrl(baseUrl: string, token: string, since: number | null): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/ws`);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.searchParams.set('token', token);
  if (since !== null) url.searchParams.set('since', String(since));
  return url.toString();
}

/** Backoff settings for reconnects. */
export interface BackoffOptions {
  /** First delay, default 250 ms. */
  initialMs?: number;
  /** Ceiling, default 10 000 ms. */
  maxMs?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal
 * jitter" (half fixed, half random) so a server restart is not met by every client at once,
 * yet no client retries in a tight loop.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 10_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Frame payloads arrive as text from browsers, and as text or Buffer from `ws`. */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
  return String(data);
}
