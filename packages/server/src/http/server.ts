/**
 * HTTP transport (rule 1): decode → authenticate → validate → call the route's handler →
 * encode. No business logic here. Every error leaves as `{ error: { code, message, details } }`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { endpoints, type BinaryBody } from '@conclave/protocol';
import type { Logger } from 'pino';
import { AppError } from '../kernel/errors';
import type { Actor } from '../kernel/actor';
import { anonymousActor } from '../kernel/actor';
import type { ActionRunner } from '../kernel/action';
import type { Authenticator } from '../modules/identity/identity.auth';
import { errorBody } from './errors';
import type { Metrics } from './metrics';
import type { RouteDef } from './route';

export interface HttpDeps {
  log: Logger;
  routes: RouteDef[];
  auth: Authenticator;
  runner: ActionRunner;
  metrics: Metrics;
  orgId: () => string;
  maxBodyBytes: number;
  /** Body limit of raw-bytes routes (file chunks); default maxBodyBytes. */
  maxChunkBytes?: number;
  trustProxy: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    // Request lines are logged by our onResponse hook with metadata only (no query strings).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxBodyBytes,
    trustProxy: deps.trustProxy,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    // Errors raised by fastify's router before any route runs (bad percent-encoding, a path
    // parameter longer than maxParamLength) get our error shape too (rule 4).
    frameworkErrors: (err, _req, reply) => {
      const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'a path parameter is longer than 100 characters; no object has such an id'
        : 'the request path is not valid (bad percent-encoding)';
      deps.metrics.httpErrors.inc({ code: 'bad_request' });
      void (reply as unknown as { code(n: number): { send(b: unknown): unknown } }).code(400).send(errorBody(new AppError('bad_request', message)));
    },
    // Requests node's HTTP parser refuses (broken framing, bad header bytes, oversized request
    // line) never reach fastify: answer them in our shape and close the connection.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, reason, e] = err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', new AppError('headers_too_large', 'the request line and headers exceed 16 KiB')]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [503, 'Service Unavailable', new AppError('unavailable', 'the request was not received in time')]
          : [400, 'Bad Request', new AppError('bad_request', 'the request is not valid HTTP/1.1 (framing, method or header bytes)')];
      const body = JSON.stringify(errorBody(e));
      if (socket.writable) {
        socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.destroy();
    },
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  // Strict JSON: invalid UTF-8 is refused instead of silently becoming U+FFFD.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return done(new AppError('bad_request', 'the request body is not valid UTF-8'), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('bad_request', 'the request body is not valid JSON'), undefined);
    }
  });

  // Raw bytes (file chunks) for the endpoints that declare `rawBody`; refused everywhere else below.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body: Buffer, done) => done(null, body));

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    // Metadata only: no query string (it may hold a token), no bodies.
    req.log.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err);
    deps.metrics.httpErrors.inc({ code: e.code });
    if (e.code === 'internal') {
      const incidentId = randomUUID();
      req.log.error({ err, incidentId, route: req.routeOptions.url }, 'unhandled error');
      return reply.code(500).send(errorBody(new AppError('internal', 'internal error; the administrator can look up this incident id', { incidentId })));
    }
    return reply.code(e.status).send(errorBody(e));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(new AppError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));
  });

  for (const r of deps.routes) registerRoute(app, r, deps);
  return app;
}

function registerRoute(app: FastifyInstance, r: RouteDef, deps: HttpDeps): void {
  const ep = endpoints[r.endpoint];
  const raw = { body: 'rawBody' in ep && ep.rawBody === true, response: 'rawResponse' in ep && ep.rawResponse === true };
  app.route({
    method: ep.method,
    url: ep.path,
    ...(raw.body ? { bodyLimit: deps.maxChunkBytes ?? deps.maxBodyBytes } : {}),
    handler: async (req, reply) => {
      const ip = req.ip ?? null;
      const ua = (req.headers['user-agent'] ?? null)?.slice(0, 400) ?? null;
      let actor: Actor = anonymousActor(deps.orgId(), ip, ua);
      if (r.auth !== 'none') {
        const header = req.headers.authorization;
        const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
        const { actor: a, restriction } = await deps.auth.authenticate(token, ip, ua);
        if (restriction && !(r.allowRestricted ?? []).includes(restriction)) {
          throw restriction === 'password_change'
            ? new AppError('password_change_required', 'change your one-time password first (POST /api/v1/auth/password)')
            : new AppError('mfa_enrollment_required', 'your organisation requires MFA: enrol an authenticator app (POST /api/v1/auth/totp/enroll) or a security key (POST /api/v1/auth/webauthn/register/options) first');
        }
        if (r.auth === 'mfa' && !a.mfaVerified) throw new AppError('forbidden', 'this needs a session signed in with MFA', undefined, 'mfa_step_up');
        actor = a;
      }
      if (Buffer.isBuffer(req.body) !== raw.body && (raw.body || req.body !== undefined)) {
        throw new AppError('unsupported_media_type', raw.body ? 'send the bytes as application/octet-stream' : 'send the request body as application/json');
      }
      const input = {
        params: parse('params' in ep ? ep.params : undefined, req.params, 'path'),
        query: parse('query' in ep ? ep.query : undefined, req.query ?? {}, 'query'),
        body: parse('body' in ep ? ep.body : undefined, req.body, 'body', req),
      };
      try {
        const result = await r.handler({ actor, ...input } as never);
        if (r.auditSuccess && actor.kind === 'user') {
          const params = (input.params ?? {}) as Record<string, unknown>;
          await deps.runner.run(actor, r.action, { targetType: r.auditSuccess.targetType, targetId: String(params[r.auditSuccess.param ?? 'id'] ?? '') || null, details: { ...params } }, async () => undefined);
        }
        if (raw.response) return sendBinary(reply, r.status ?? 200, result as BinaryBody);
        return reply.code(r.status ?? 200).send(result);
      } catch (err) {
        // Reads that were denied are audited here; actions audit their own failures.
        if (err instanceof AppError && err.outcome === 'denied' && !(err as AppError & { audited?: boolean }).audited && actor.kind === 'user') {
          await deps.runner.recordFailure(actor, r.action, err, {});
        }
        throw err;
      }
    },
  });
}

/**
 * Sends file bytes: never sniffed or rendered as HTML by a browser (nosniff, a sandboxing CSP),
 * never cached, with an RFC 6266 filename.
 */
function sendBinary(reply: import('fastify').FastifyReply, status: number, b: BinaryBody) {
  const ascii = b.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  reply.code(status).headers({
    'content-type': b.contentType,
    'content-disposition': `${b.disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(b.fileName)}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
    // Browsers' PDF viewers do not run in a sandboxed document; everything else gets the sandbox.
    'content-security-policy': `default-src 'none'; img-src data:; style-src 'unsafe-inline'${b.contentType === 'application/pdf' ? '' : '; sandbox'}`,
    ...(b.size !== undefined && b.stream ? { 'content-length': String(b.size) } : {}),
  });
  return reply.send(b.stream ? Readable.from(b.stream) : Buffer.from(b.bytes ?? new Uint8Array()));
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body', req?: FastifyRequest): unknown {
  if (!schema) {
    if (where === 'body' && value !== undefined && req && !['GET', 'DELETE'].includes(req.method)) {
      throw new AppError('validation_failed', 'this endpoint takes no request body');
    }
    return undefined;
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 20).map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const first = issues[0]!;
  return (() => { throw new AppError('validation_failed', `${first.path}: ${first.message}`, { issues }); })();
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new AppError('payload_too_large', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new AppError('unsupported_media_type', 'send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new AppError('bad_request', 'the request body is malformed');
    default:
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new AppError('bad_request', 'the request is malformed');
      return new AppError('internal', 'internal error');
  }
}
