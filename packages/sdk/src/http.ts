import {
  endpoints,
  type BodyOf, type EndpointName, type ParamsOf, type QueryOf, type ResponseOf,
} from '@conclave/protocol';
import { ConclaveError } from './errors';

type IsNever<T> = [T] extends [never] ? true : false;
type ParamsPart<N extends EndpointName> = IsNever<ParamsOf<N>> extends true ? { params?: undefined } : { params: ParamsOf<N> };
type QueryPart<N extends EndpointName> = IsNever<QueryOf<N>> extends true
  ? { query?: undefined }
  : {} extends QueryOf<N> ? { query?: QueryOf<N> } : { query: QueryOf<N> };
type BodyPart<N extends EndpointName> = IsNever<BodyOf<N>> extends true
  ? { body?: undefined }
  : undefined extends BodyOf<N> ? { body?: BodyOf<N> } : { body: BodyOf<N> };

/**
 * What one call to endpoint `N` takes: `params` / `query` / `body` exactly as api.ts declares
 * them (required when the endpoint requires them, absent when it has none), plus an optional
 * AbortSignal.
 */
export type RequestArgs<N extends EndpointName> = ParamsPart<N> & QueryPart<N> & BodyPart<N> & { signal?: AbortSignal };

/** The argument list of {@link HttpTransport.request}: the args object may be left out when nothing in it is required. */
export type RequestArgsTuple<N extends EndpointName> = {} extends RequestArgs<N> ? [args?: RequestArgs<N>] : [args: RequestArgs<N>];

/** A `fetch`-compatible function (global fetch, undici, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Settings of {@link HttpTransport}. */
export interface HttpOptions {
  /** Server origin, optionally with a path prefix (`https://chat.example.com`). */
  baseUrl: string;
  /** Bearer token sent with every request while set. */
  token?: string | null;
  /** Defaults to the global `fetch`, looked up at call time so late polyfills work. */
  fetch?: FetchLike;
  /** Check every response body against the api.ts zod schema (off by default: costs CPU per call). */
  validateResponses?: boolean;
  /** Give up on a request after this long, as a `network` error. Default 30 000 ms; 0 disables. */
  timeoutMs?: number;
}

/** Fills `:name` segments of an api.ts path; every value is URI-encoded so ids and emoji stay one segment. */
export function buildPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, key: string) => {
    const v = params?.[key];
    if (v === undefined || v === null || v === '') {
      throw new ConclaveError('invalid_argument', `missing path parameter "${key}" for ${template}`);
    }
    return encodeURIComponent(String(v));
  });
}

/** Serialises a query object; undefined values are left out rather than sent as "undefined". */
export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/**
 * Strips trailing slashes and, in a browser, resolves a relative base (e.g. '' or '/chat') against the page.
 * @throws ConclaveError `invalid_argument` when the result is not an absolute http(s) URL.
 */
export function normaliseBaseUrl(baseUrl: string): string {
  const loc = (globalThis as { location?: { href?: string } }).location?.href;
  const abs = loc && !/^[a-z][a-z0-9+.-]*:/i.test(baseUrl) ? new URL(baseUrl || '/', loc).href : baseUrl;
  // Fail at construction, not as a puzzling `network` error on the first call.
  let protocol = '';
  try {
    protocol = new URL(abs).protocol;
  } catch {
    // Reported below, with the value the caller gave.
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConclaveError('invalid_argument', `baseUrl must be an absolute http(s) URL, got "${baseUrl}"`);
  }
  return abs.replace(/\/+$/, '');
}

/**
 * Typed HTTP access to every endpoint in api.ts. Transport only: the resource groups in
 * client.ts give the endpoints friendly names.
 */
export class HttpTransport {
  /** Normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  /** Current bearer token; null when logged out. */
  token: string | null;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly validate: boolean;
  private readonly timeoutMs: number;
  /** Aborts every in-flight request when the owning client closes. */
  private readonly lifetime = new AbortController();

  constructor(opts: HttpOptions) {
    this.baseUrl = normaliseBaseUrl(opts.baseUrl);
    this.token = opts.token ?? null;
    this.fetchImpl = opts.fetch;
    this.validate = opts.validateResponses ?? false;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Aborts in-flight requests and makes later ones fail with `aborted`. */
  close(): void {
    this.lifetime.abort();
  }

  /** Aborted when {@link close} is called; lets callers tie their own waits to the client's lifetime. */
  get signal(): AbortSignal {
    return this.lifetime.signal;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.lifetime.signal.aborted;
  }

  /**
   * Calls endpoint `name` and resolves with its typed response body.
   * @throws ConclaveError with the server's code on a non-2xx answer, `network` when no
   *   answer arrived, `aborted` when cancelled, `bad_response` when the body is not the contract's JSON.
   */
  async request<N extends EndpointName>(name: N, ...rest: RequestArgsTuple<N>): Promise<ResponseOf<N>> {
    const ep = endpoints[name];
    const args = (rest[0] ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; signal?: AbortSignal };
    const url = this.baseUrl + buildPath(ep.path, args.params) + buildQuery(args.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    // Endpoints declaring a body (even an optional empty one) always get a JSON body: a POST
    // with a JSON content type but no body is rejected by common servers, and `{}` matches `Empty`.
    if ('body' in ep && ep.body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(args.body ?? {});
    }

    const ctrl = new AbortController();
    let timedOut = false;
    const onAbort = () => ctrl.abort();
    const sources = [this.lifetime.signal, args.signal].filter((s): s is AbortSignal => !!s);
    for (const s of sources) {
      if (s.aborted) ctrl.abort();
      else s.addEventListener('abort', onAbort, { once: true });
    }
    const timer = this.timeoutMs > 0 ? setTimeout(() => { timedOut = true; ctrl.abort(); }, this.timeoutMs) : undefined;

    try {
      const fetchFn = this.fetchImpl ?? globalThis.fetch;
      if (typeof fetchFn !== 'function') throw new ConclaveError('network', 'no fetch implementation available; pass one as the `fetch` option');
      let res: Response;
      let text: string;
      try {
        if (ctrl.signal.aborted) throw new Error('aborted before sending');
        res = await fetchFn(url, { method: ep.method, headers, body: payload, signal: ctrl.signal });
        text = await res.text();
      } catch (err) {
        if (err instanceof ConclaveError) throw err;
        if (timedOut) throw new ConclaveError('network', `${ep.method} ${ep.path} timed out after ${this.timeoutMs} ms`, { cause: err });
        if (ctrl.signal.aborted) throw new ConclaveError('aborted', `${ep.method} ${ep.path} was aborted`, { cause: err });
        throw new ConclaveError('network', `${ep.method} ${ep.path} failed: ${describe(err)}`, { cause: err });
      }
      const json = parseJson(text);
      if (!res.ok) throw errorFromResponse(res.status, json, text);
      if (json === undefined) {
        throw new ConclaveError('bad_response', `${ep.method} ${ep.path} answered ${res.status} without a JSON body`, { status: res.status });
      }
      if (this.validate) {
        const parsed = ep.response.safeParse(json);
        if (!parsed.success) {
          throw new ConclaveError('bad_response', `${ep.method} ${ep.path} response does not match the contract`, {
            status: res.status, details: { issues: parsed.error.issues },
          });
        }
        return parsed.data as ResponseOf<N>;
      }
      return json as ResponseOf<N>;
    } finally {
      // Clearing the timer and listeners matters: a stray 30 s timer keeps Node processes alive.
      if (timer !== undefined) clearTimeout(timer);
      for (const s of sources) s.removeEventListener('abort', onAbort);
    }
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    // undici hides the useful part ("ECONNRESET", "other side closed") in `cause`.
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/** Turns a non-2xx answer into a ConclaveError, keeping the server's code when the body is the documented shape. */
export function errorFromResponse(status: number, json: unknown, text = ''): ConclaveError {
  const e = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string') {
    const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined;
    return new ConclaveError(e.code, typeof e.message === 'string' ? e.message : e.code, { status, details });
  }
  // Not our JSON (a proxy or load balancer answered): keep the status, say what arrived.
  const code = status === 502 || status === 503 || status === 504 ? 'unavailable' : 'bad_response';
  const snippet = text.slice(0, 200);
  return new ConclaveError(code, `HTTP ${status}${snippet ? `: ${snippet}` : ''}`, { status });
}
