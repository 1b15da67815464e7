/**
 * HTTP side of the fuzz test: turns a route into many hostile requests, sends them with
 * plain fetch (or node:http where fetch refuses, e.g. a GET with a body), and checks every
 * answer against rule 4 of ARCHITECTURE.md: a 4xx in the one error shape, never a 5xx,
 * never a stack trace.
 */
import http from 'node:http';
import { z } from 'zod';
import { ERROR_CODES, endpoints, type Endpoint, type EndpointName } from '@conclave/protocol';
import type { Rng } from './prng';
import {
  BAD_UTF8, CONTENT_TYPES, NOT_JSON, PARAM_GARBAGE, QUERY_GARBAGE, Raw, deepText, fromSchema, mutate, nastyValue, randomUlid, toJsonText,
  type JsonSchema, type Pools,
} from './values';

/** Who a request claims to be. `bad:*` carry a token or header that must not authenticate. */
export type AuthMode = 'admin' | 'member' | 'none' | `bad:${BadAuth}`;
export type BadAuth = 'garbage' | 'expired' | 'revoked' | 'deactivated' | 'long' | 'scheme' | 'lowercase' | 'latin1' | 'empty' | 'double';

export interface FuzzRequest {
  i: number;
  endpoint: EndpointName | 'unrouted';
  auth: AuthMode;
  method: string;
  path: string;
  query: string;
  contentType?: string;
  body?: Buffer;
  bodyMode: string;
  /** Every path param was schema-shaped, so a 2xx must match the endpoint's response schema. */
  routed: boolean;
  /** The route requires a session: without a valid one nothing may succeed. */
  needsAuth: boolean;
  /** The endpoint answers with file bytes, not JSON. */
  rawResponse: boolean;
}

export interface Tokens {
  admin(): string;
  member(): string;
  bad: Record<'expired' | 'revoked' | 'deactivated', string>;
}

export interface Failure {
  kind: string;
  where: string;
  detail: string;
  repro: string;
}

const jsonSchemaCache = new Map<z.ZodType, JsonSchema>();
function js(s: z.ZodType | undefined): JsonSchema | undefined {
  if (!s) return undefined;
  let out = jsonSchemaCache.get(s);
  if (!out) jsonSchemaCache.set(s, (out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema));
  return out;
}

/** encodeURIComponent that writes a lone surrogate as its raw (invalid UTF-8) bytes instead of throwing. */
export function safeEncode(s: string): string {
  return s.split(/([\ud800-\udfff])/u).map((part) => {
    if (part.length === 1 && /[\ud800-\udfff]/.test(part)) {
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(part);
  }).join('');
}

const BAD_AUTH: BadAuth[] = ['garbage', 'expired', 'revoked', 'deactivated', 'long', 'scheme', 'lowercase', 'latin1', 'empty', 'double'];

/** Builds the `i`-th request for `name`. Only the PRNG decides; tokens are resolved at send time. */
export function buildRequest(rng: Rng, i: number, name: EndpointName, needsAuth: boolean, pools: Pools, auth: AuthMode, opts: { huge?: boolean } = {}): FuzzRequest {
  const ep = endpoints[name] as Endpoint & { rawBody?: boolean; rawResponse?: boolean };
  let routed = true;
  const paramSchema = js(ep.params);
  const path = ep.path.replace(/:(\w+)/g, (_m, p: string) => {
    if (rng.chance(0.85)) {
      const v = String(fromSchema(rng, paramSchema?.properties?.[p], pools, p));
      return safeEncode(v);
    }
    routed = false;
    return rng.weighted<() => string>([
      [6, () => rng.pick(PARAM_GARBAGE)],
      [2, () => randomUlid(rng).toLowerCase()],
      [1, () => rng.str(rng.int(27, 60), '0123456789ABCDEFGHJKMNPQRSTVWXYZ')],
      [1, () => 'A'.repeat(rng.pick([200, 4_000, 8_000]))],
      [1, () => { const v = nastyValue(rng); return safeEncode((typeof v === 'string' ? v : toJsonText(v)).slice(0, 2_000)); }],
    ])();
  });

  let query = '';
  const qs = js(ep.query);
  if (qs && rng.chance(0.65)) {
    const v = rng.chance(0.5) ? fromSchema(rng, qs, pools) : mutate(rng, fromSchema(rng, qs, pools));
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw)) {
      // Kept under Node's 16 KiB header limit: a longer request line never reaches the app
      // (the raw-socket cases cover that answer).
      query = Object.entries(v).map(([k, x]) => `${safeEncode(k.slice(0, 200))}=${safeEncode((typeof x === 'string' ? x : toJsonText(x)).slice(0, 1_500))}`).join('&').slice(0, 6_000);
    }
  } else if (rng.chance(0.4)) {
    query = Array.from({ length: rng.int(1, 3) }, () => rng.pick(QUERY_GARBAGE)).join('&');
  }

  const method = rng.chance(0.04) ? rng.pick(['PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'OPTIONS', 'HEAD'].filter((m) => m !== ep.method)) : ep.method;
  if (method !== ep.method) routed = false;
  const { body, contentType, bodyMode } = ep.rawBody && rng.chance(0.5) ? octetBody(rng) : buildBody(rng, js(ep.body), pools, opts.huge ?? false);
  return { i, endpoint: name, auth, method, path, query, body, contentType, bodyMode, routed, needsAuth, rawResponse: ep.rawResponse === true };
}

/** Raw bytes for the endpoints that take `application/octet-stream` (file chunks). */
function octetBody(rng: Rng): { body?: Buffer; contentType?: string; bodyMode: string } {
  const n = rng.pick([0, 1, 17, 4_096, 70_000]);
  return { body: rng.bytes(n), contentType: rng.chance(0.85) ? 'application/octet-stream' : 'application/octet-stream; charset=binary', bodyMode: `octet:${n}` };
}

function buildBody(rng: Rng, schema: JsonSchema | undefined, pools: Pools, huge: boolean): { body?: Buffer; contentType?: string; bodyMode: string } {
  const json = 'application/json';
  if (huge) {
    // Above the 2 MiB body limit: a JSON string of 3 MiB.
    const text = JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024), clientId: 'huge' });
    return { body: Buffer.from(text), contentType: json, bodyMode: 'huge-3MiB' };
  }
  const mode = rng.weighted<string>([
    [schema ? 24 : 4, 'valid'], [schema ? 30 : 6, 'mutated'], [5, 'nasty-top'], [4, 'not-json'], [4, 'bad-utf8'], [2, 'raw-surrogate'],
    [4, 'empty'], [schema ? 4 : 12, 'none'], [4, 'content-type'], [2, 'deep'], [1, 'bom'],
  ]);
  const shaped = () => fromSchema(rng, schema ?? { type: 'object' }, pools);
  switch (mode) {
    case 'valid': return { body: Buffer.from(toJsonText(shaped())), contentType: json, bodyMode: mode };
    case 'mutated': return { body: Buffer.from(toJsonText(mutate(rng, shaped()))), contentType: rng.chance(0.9) ? json : 'application/json; charset=utf-8', bodyMode: mode };
    case 'nasty-top': return { body: Buffer.from(toJsonText(nastyValue(rng))), contentType: json, bodyMode: mode };
    case 'not-json': return { body: Buffer.from(rng.pick(NOT_JSON)), contentType: json, bodyMode: mode };
    case 'bad-utf8': {
      const bad = Buffer.from(rng.pick(BAD_UTF8));
      if (rng.chance(0.4)) return { body: bad, contentType: json, bodyMode: mode };
      const text = toJsonText({ ...(shaped() as object), text: '@@' });
      const [a, b] = text.split('@@');
      return { body: b === undefined ? Buffer.concat([Buffer.from(text), bad]) : Buffer.concat([Buffer.from(a!), bad, Buffer.from(b)]), contentType: json, bodyMode: mode };
    }
    case 'raw-surrogate': {
      // A lone surrogate written as raw (CESU-8) bytes, not as a \ud800 escape.
      const text = toJsonText({ text: 'a@@b', name: 'n', clientId: 'c' });
      const [a, b] = text.split('@@');
      return { body: Buffer.concat([Buffer.from(a!), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(b!)]), contentType: json, bodyMode: mode };
    }
    case 'empty': return { body: Buffer.alloc(0), contentType: json, bodyMode: mode };
    case 'none': return { bodyMode: mode };
    case 'content-type': {
      const ct = rng.pick(CONTENT_TYPES);
      return { body: Buffer.from(rng.chance(0.5) ? toJsonText(shaped()) : 'a=1&b=2'), contentType: ct, bodyMode: `ct:${ct.slice(0, 40)}` };
    }
    case 'deep': return { body: Buffer.from(deepText(rng)), contentType: json, bodyMode: mode };
    default: return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(toJsonText(shaped()))]), contentType: json, bodyMode: mode };
  }
}

export function pickAuth(rng: Rng, k: number): AuthMode {
  // The first requests of each route cycle through every identity; the rest are random.
  const cycle: AuthMode[] = ['admin', 'member', 'none', `bad:${BAD_AUTH[k % BAD_AUTH.length]!}`];
  if (k < 8) return cycle[k % cycle.length]!;
  return rng.weighted<AuthMode>([[45, 'admin'], [27, 'member'], [10, 'none'], [18, `bad:${rng.pick(BAD_AUTH)}`]]);
}

function authHeader(auth: AuthMode, tokens: Tokens, i: number): { header?: string; token?: string } {
  switch (auth) {
    case 'none': return {};
    case 'admin': { const token = tokens.admin(); return { header: `Bearer ${token}`, token }; }
    case 'member': { const token = tokens.member(); return { header: `Bearer ${token}`, token }; }
    case 'bad:garbage': return { header: `Bearer ${Buffer.from(`garbage-${i}`).toString('base64url').padEnd(43, 'A')}` };
    case 'bad:expired': return { header: `Bearer ${tokens.bad.expired}` };
    case 'bad:revoked': return { header: `Bearer ${tokens.bad.revoked}` };
    case 'bad:deactivated': return { header: `Bearer ${tokens.bad.deactivated}` };
    case 'bad:long': return { header: `Bearer ${'x'.repeat(201 + (i % 7_000))}` };
    case 'bad:scheme': return { header: `Basic ${tokens.admin()}` };
    case 'bad:lowercase': return { header: `bearer ${tokens.admin()}` };
    case 'bad:latin1': return { header: 'Bearer \u00ff\u00fe\u00e9' };
    case 'bad:empty': return { header: i % 2 ? 'Bearer ' : 'Bearer' };
    default: return { header: `Bearer ${tokens.admin()}, Bearer ${tokens.member()}` };
  }
}

export interface Sent {
  status: number;
  body: Buffer;
  /** The session token the request used, when it was a real one (to notice a fuzz logout). */
  token?: string;
  error?: string;
}

/** Sends one request; never throws (a transport failure is reported in `error`). */
export async function send(baseUrl: string, r: FuzzRequest, tokens: Tokens, timeoutMs: number): Promise<Sent> {
  const { header, token } = authHeader(r.auth, tokens, r.i);
  const headers: Record<string, string> = {};
  if (header !== undefined) headers.authorization = header;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  const url = `${baseUrl}${r.path}${r.query ? `?${r.query}` : ''}`;
  const needsRaw = r.body !== undefined && (r.method === 'GET' || r.method === 'HEAD');
  try {
    if (needsRaw) return { ...(await rawRequest(url, r.method, headers, r.body!, timeoutMs)), token };
    const res = await fetch(url, { method: r.method, headers, body: r.body === undefined ? undefined : new Uint8Array(r.body), signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), token };
  } catch (err) {
    return { status: 0, body: Buffer.alloc(0), token, error: describe(err) };
  }
}

/** node:http, which (unlike fetch) sends a body with GET. */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: reusing a kept-alive socket the server has just closed would
    // report the client's race as a server hang-up.
    const req = http.request(url, { method, agent: false, headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code, e?.cause?.message].filter(Boolean).join(' / ') || String(err);
}

/** Stack-trace or source-path text that must never reach a client. */
// Linear-time patterns only: responses may echo 8 KB of our input.
const LEAKS: RegExp[] = [/\n\s+at [^\n]*:\d+:\d+/, /\bat [^\s(]+ \((?:file:\/\/)?\/[^)\n]*:\d+:\d+\)/, /\.(?:ts|mts|cts|js|mjs|cjs):\d+/, /node_modules/, /Error: [^\n]*\/(?:src|work|home|usr)\//];

/** Finds a leak in `text` that is not just our own input echoed back. */
export function findLeak(text: string, sentText: string): string | null {
  for (const re of LEAKS) {
    const m = re.exec(text);
    if (m && !sentText.includes(m[0])) return m[0];
  }
  return null;
}

/** Checks one answer; returns the failures (empty when the answer is fine). */
export function check(r: FuzzRequest, s: Sent): Array<Omit<Failure, 'repro' | 'where'>> {
  const out: Array<Omit<Failure, 'repro' | 'where'>> = [];
  if (s.error) {
    out.push({ kind: s.error.includes('timed out') || s.error.includes('aborted') ? 'hang' : 'transport', detail: s.error });
    return out;
  }
  const text = s.body.toString('utf8');
  const sentText = `${r.path}?${r.query} ${r.body?.toString('utf8') ?? ''}`;
  if (s.status >= 500) out.push({ kind: `status ${s.status}`, detail: text.slice(0, 600) });
  if (r.needsAuth && (r.auth === 'none' || r.auth.startsWith('bad:')) && s.status < 400 && r.method !== 'OPTIONS') {
    out.push({ kind: 'auth bypass', detail: `${s.status} without a valid session (${r.auth})` });
  }
  const leak = findLeak(text, sentText);
  if (leak) out.push({ kind: 'leak', detail: `${leak} in ${text.slice(0, 400)}` });
  if (r.method === 'HEAD' || s.status === 204 || (r.rawResponse && s.status < 300)) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    out.push({ kind: s.status >= 400 ? 'error body not JSON' : 'success body not JSON', detail: `${s.status} ${text.slice(0, 300)}` });
    return out;
  }
  if (s.status >= 400) {
    const e = (parsed as { error?: { code?: unknown; message?: unknown } })?.error;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    if (!code || !(code in ERROR_CODES) || typeof e?.message !== 'string') {
      out.push({ kind: 'error shape', detail: `${s.status} ${text.slice(0, 300)}` });
    } else if (ERROR_CODES[code as keyof typeof ERROR_CODES].status !== s.status) {
      out.push({ kind: 'status/code mismatch', detail: `${s.status} with code ${code}` });
    }
  } else if (r.routed && r.endpoint !== 'unrouted' && s.status < 300) {
    const res = (endpoints[r.endpoint] as Endpoint).response.safeParse(parsed);
    if (!res.success) out.push({ kind: 'response schema', detail: `${res.error.issues.slice(0, 3).map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}` });
  }
  return out;
}

/** A copy-pasteable reproducer (curl), with the body inline when small, else summarised. */
export function repro(baseUrl: string, r: FuzzRequest): string {
  const url = `${baseUrl}${r.path}${r.query ? `?${r.query}` : ''}`;
  const auth = r.auth === 'none' ? '' : ` -H 'authorization: <${r.auth} token>'`;
  const ct = r.contentType ? ` -H 'content-type: ${r.contentType}'` : '';
  let body = '';
  if (r.body) {
    const isText = !r.body.includes(0) && Buffer.from(r.body.toString('utf8'), 'utf8').equals(r.body);
    if (r.body.length <= 1_500) body = isText ? ` --data-binary '${r.body.toString('utf8').replace(/'/g, `'\\''`)}'` : ` --data-binary @<(printf '%b' '${[...r.body].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}')`;
    else body = ` --data-binary @body (${r.body.length} bytes, mode ${r.bodyMode}, starts ${JSON.stringify(r.body.subarray(0, 120).toString('utf8'))})`;
  }
  const shownUrl = url.length > 600 ? `${url.slice(0, 600)}…(${url.length} chars)` : url;
  return `curl -X ${r.method} '${shownUrl}'${auth}${ct}${body}`;
}
