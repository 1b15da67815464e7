/**
 * WebSocket transport at /api/v1/ws (MSG-4, MSG-5): authenticates before the upgrade
 * (Bearer header or ?token=, since browsers cannot set headers), then hands the socket to a
 * Connection. Typing and presence are ephemeral and never stored.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { WS_CLOSE, type ClientFrame } from '@conclave/protocol';
import type { Authenticator } from '../modules/identity/identity.auth';
import { closePeers, findMember, memberIds } from '../modules/conversations/conversations.store';
import type { SyncQueries } from '../modules/sync/sync.queries';
import type { Hub } from '../realtime/hub';
import type { Services } from '../services';
import { AppError } from '../kernel/errors';
import { Connection } from './connection';
import type { Metrics } from '../http/metrics';
import { errorBody } from '../http/errors';

const TYPING_MIN_INTERVAL_MS = 2_000;

type WsRequest = FastifyRequest & { conclaveActor?: { userId: string; sessionId: string | null; orgId: string; mfaVerified: boolean }; conclaveDenied?: AppError };

export interface WsDeps {
  svc: Services;
  auth: Authenticator;
  hub: Hub;
  sync: SyncQueries;
  metrics: Metrics;
}

export function registerWebSocket(app: FastifyInstance, deps: WsDeps): void {
  const { svc, hub, metrics } = deps;
  const lastTyping = new Map<string, number>();

  svc.presence.onChange((userId, status) => {
    void closePeers(svc.database.db, userId)
      .then((peers) => peers.length && hub.ephemeral(peers, { type: 'presence', userId, status }))
      .catch((err) => svc.log.warn({ err }, 'presence fan-out failed'));
  });

  const onClientFrame = (conn: Connection, frame: ClientFrame) => {
    if (frame.type === 'presence') return svc.presence.setAway(conn.userId, conn.id, frame.status === 'away');
    if (frame.type === 'typing') {
      const key = `${conn.id}:${frame.conversationId}`;
      const now = Date.now();
      if ((lastTyping.get(key) ?? 0) > now - TYPING_MIN_INTERVAL_MS) return;
      lastTyping.set(key, now);
      if (lastTyping.size > 50_000) lastTyping.clear();
      void (async () => {
        if (!(await findMember(svc.database.db, frame.conversationId, conn.userId))) return;
        const others = (await memberIds(svc.database.db, frame.conversationId)).filter((u) => u !== conn.userId);
        if (others.length) hub.ephemeral(others, { type: 'typing', conversationId: frame.conversationId, userId: conn.userId });
      })().catch((err) => svc.log.warn({ err }, 'typing fan-out failed'));
    }
  };

  app.get('/api/v1/ws', {
    websocket: true,
    preValidation: async (req: FastifyRequest, reply) => {
      try {
        const q = req.query as Record<string, string | undefined>;
        if (q.since !== undefined && !/^\d{1,15}$/.test(q.since)) throw new AppError('validation_failed', 'since: must be a non-negative integer');
        const header = req.headers.authorization;
        const token = header?.startsWith('Bearer ') ? header.slice(7) : q.token;
        const { actor, restriction } = await deps.auth.authenticate(token, req.ip, req.headers['user-agent'] ?? null);
        if (restriction) throw new AppError(restriction === 'password_change' ? 'password_change_required' : 'mfa_enrollment_required', 'finish signing in before opening a realtime connection');
        (req as WsRequest).conclaveActor = actor;
      } catch (err) {
        // Browsers see only 1006 for a refused handshake, so auth failures upgrade and then
        // close with a code the client can act on; malformed requests are refused with 400.
        const e = err instanceof AppError ? err : new AppError('internal', 'internal error');
        if (e.code === 'validation_failed') return reply.code(400).send(errorBody(e));
        (req as WsRequest).conclaveDenied = e;
      }
    },
  }, (socket, req) => {
    const denied = (req as WsRequest).conclaveDenied;
    if (denied) {
      socket.close(WS_CLOSE.unauthenticated, `${denied.code}: ${denied.message}`.slice(0, 120));
      return;
    }
    const actor = (req as WsRequest).conclaveActor!;
    const sinceRaw = (req.query as Record<string, string | undefined>).since;
    const conn = new Connection(randomUUID(), actor.orgId, actor.userId, actor.sessionId!, actor.mfaVerified, socket, {
      sync: deps.sync,
      maxBufferedBytes: svc.config.wsMaxBufferBytes,
      onDelivered: (n) => metrics.wsDeliveries.inc(n),
      onClientFrame,
      onError: (err) => svc.log.warn({ err }, 'ws repair failed'),
    });
    hub.add(conn);
    metrics.wsConnections.inc();
    const leave = svc.presence.connect(actor.userId, conn.id);
    socket.on('close', () => {
      hub.remove(conn);
      metrics.wsConnections.dec();
      leave();
    });
    socket.on('error', () => conn.close(WS_CLOSE.protocolError, 'socket error'));
    conn.start(sinceRaw === undefined ? null : Number(sinceRaw)).catch((err) => {
      svc.log.warn({ err }, 'ws start failed');
      conn.close(WS_CLOSE.shuttingDown, 'temporary failure; reconnect');
    });
  });
}
