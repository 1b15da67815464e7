/**
 * Composition root: builds every object by explicit constructor wiring and returns a server
 * that can start and stop. Used by main.ts, the CLI and the testkit.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KeyRing, keyProviderFromEnv, loadOrCreateKeyFile } from '@conclave/crypto';
import { WS_CLOSE } from '@conclave/protocol';
import type { Config } from './config/config';
import { ActionRunner } from './kernel/action';
import { systemActor } from './kernel/actor';
import { systemClock, type Clock } from './kernel/clock';
import { newId } from './kernel/ids';
import { KeyService } from './kernel/keys';
import { openDatabase, pingDatabase, type Database } from './storage/db';
import { migrate } from './storage/migrate';
import { withWriteTransaction } from './storage/tx';
import { MemoryBroker, type Broker } from './realtime/broker';
import { RedisBroker } from './realtime/redis-broker';
import { Hub } from './realtime/hub';
import { MemoryPresence } from './realtime/presence';
import { Publisher } from './realtime/publisher';
import { EventRenderer } from './realtime/render';
import { buildHttpServer } from './http/server';
import { createMetrics, type Metrics } from './http/metrics';
import { buildOpenApi } from './http/openapi';
import type { RouteDef } from './http/route';
import { registerWebSocket } from './ws/ws';
import type { Services } from './services';
import { IdentityActions } from './modules/identity/identity.actions';
import { IdentityQueries } from './modules/identity/identity.queries';
import { Authenticator } from './modules/identity/identity.auth';
import { identityRoutes } from './modules/identity/identity.routes';
import { UserAdminActions } from './modules/identity/users.actions';
import { AccessActions } from './modules/access/access.actions';
import { AccessQueries } from './modules/access/access.queries';
import { accessRoutes } from './modules/access/access.routes';
import { OrgActions } from './modules/org/org.actions';
import { orgRoutes } from './modules/org/org.routes';
import { defaultOrgSettings, findDefaultOrg, insertOrg } from './modules/org/org.store';
import { seedRoles } from './modules/access/access.store';
import { ConversationActions } from './modules/conversations/conversations.actions';
import { ConversationQueries } from './modules/conversations/conversations.queries';
import { conversationRoutes } from './modules/conversations/conversations.routes';
import { MessageActions } from './modules/messages/messages.actions';
import { MessageQueries } from './modules/messages/messages.queries';
import { messageRoutes } from './modules/messages/messages.routes';
import { SyncQueries } from './modules/sync/sync.queries';
import { syncRoutes } from './modules/sync/sync.routes';
import { mlsRoutes } from './modules/mls/mls.routes';
import { archiveMessageHooks } from './modules/archive/archive.hooks';
import { archiveRoutes } from './modules/archive/archive.routes';
import { fileURLToPath } from 'node:url';
import { landingPage } from './http/landing';
import { registerWebClient, webClientBuilt } from './http/web-client';
import { mfaOnlyConversations } from './modules/conversations/conversations.access';
import { startSessionSweep } from './jobs/session-sweep';
import { startAuditCheckpoints } from './jobs/audit-checkpoints';
import { startSecurityAlerts } from './jobs/security-alerts';
import { AuditService } from './modules/audit/audit.service';
import { contentModules } from './modules/files/content.module';
import { ediscoveryRoutes } from './modules/ediscovery/ediscovery.routes';
import { DsarService } from './modules/dsar/dsar.service';
import { DSAR_SCAN_INTERVAL_MS, startDsarDeadlines } from './jobs/dsar-deadlines';
import { GovernanceService } from './modules/governance/governance.service';
import { startRetentionJob } from './jobs/retention';

export const VERSION = '0.1.0';

export interface BootstrapResult {
  orgId: string;
  created: boolean;
  admin?: { email: string; oneTimePassword: string | null };
}

export interface ConclaveServer {
  config: Config;
  svc: Services;
  http: FastifyInstance;
  hub: Hub;
  metrics: Metrics;
  routes: RouteDef[];
  identity: IdentityActions;
  /** User administration (create, update, offboard) — used by the CLI with a system actor. */
  users: UserAdminActions;
  /** Roles, departments, presets — used by the CLI with a system actor. */
  access: AccessActions;
  /** Audit trail: signing key, checkpoints, exports, verification, alert rules — used by the CLI. */
  audit: AuditService;
  /** Retention, legal holds, receipts, erasure (GOV-1..3) — used by the CLI and tests. */
  governance: GovernanceService;
  bootstrap: BootstrapResult;
  /** Listens on config.host:config.port; resolves to the bound URL. */
  listen(): Promise<string>;
  /** Graceful shutdown: stop accepting, close sockets (clients resume elsewhere), drain, close DB. */
  close(): Promise<void>;
}

export interface CreateOptions {
  clock?: Clock;
  log?: Logger;
  /** Skip first-admin creation (CLI commands that only need the database). */
  skipBootstrap?: boolean;
  /** Run the audit checkpoint and security-alert jobs (default: unless skipBootstrap, i.e. not in CLI commands). */
  backgroundJobs?: boolean;
}

export async function createServer(config: Config, opts: CreateOptions = {}): Promise<ConclaveServer> {
  const log = opts.log ?? pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.password', '*.token'] });
  const clock = opts.clock ?? systemClock;
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const ring = await openKeyRing(config, log);
  const database = openDatabase(config.databaseUrl, { schema: config.databaseSchema });
  await migrate(database);

  const broker: Broker = config.redisUrl ? new RedisBroker(config.redisUrl, (err) => log.warn({ err }, 'redis bus error')) : new MemoryBroker();
  if (broker instanceof RedisBroker) await broker.whenReady();
  const hub = new Hub(broker);
  const presence = new MemoryPresence();
  const keys = new KeyService(ring);
  let publisher: Publisher | null = null;
  const runner = new ActionRunner({
    database, clock,
    onEvents: (events) => publisher?.publish(events),
    onError: (err, action) => log.error({ err, action }, 'after-commit step failed'),
  });
  const svc: Services = { config, database, runner, keys, clock, log, presence };

  const conversationQueries = new ConversationQueries(svc);
  const messageQueries = new MessageQueries(svc);
  const renderer = new EventRenderer(conversationQueries, messageQueries, mfaOnlyConversations);
  publisher = new Publisher(database, renderer, broker, (err) => log.error({ err }, 'realtime publish failed'));
  const sync = new SyncQueries(svc, renderer);
  const auth = new Authenticator(svc);
  const revoked = (userId: string, sessionIds: string[] | 'all', reason: string) => hub.revoke(userId, sessionIds, reason);
  const identity = new IdentityActions(svc, revoked);
  const users = new UserAdminActions(svc, revoked);
  const audit = new AuditService(svc);
  const access = new AccessActions(svc);
  const identityQueries = new IdentityQueries(svc);
  const content = contentModules(svc, identityQueries);
  const messageActions = new MessageActions(svc, { ...content.messageHooks, ...archiveMessageHooks });
  const dsar = new DsarService(svc, content.files);
  const governance = new GovernanceService(svc, { auditKeys: audit.keys, files: content.files });

  const routes: RouteDef[] = [
    ...identityRoutes(identity, users, identityQueries),
    ...accessRoutes(access, new AccessQueries(svc)),
    ...orgRoutes(new OrgActions(svc)),
    ...conversationRoutes(new ConversationActions(svc, conversationQueries), conversationQueries),
    ...messageRoutes(messageActions, messageQueries),
    ...content.routes(messageActions),
    ...syncRoutes(sync),
    ...audit.routes(),
    ...mlsRoutes(svc),
    ...archiveRoutes(svc),
    ...ediscoveryRoutes(svc, audit.keys, content),
    ...dsar.routes(),
    ...governance.routes(),
  ];

  const bootstrap = opts.skipBootstrap ? { orgId: (await findDefaultOrg(database.db))?.id ?? '', created: false } : await bootstrapOrg(svc, users);
  const metrics = createMetrics();
  const http = await buildHttpServer({ log, routes, auth, runner, metrics, orgId: () => bootstrap.orgId, maxBodyBytes: config.maxBodyBytes, maxChunkBytes: config.uploadChunkBytes, trustProxy: config.trustProxy });
  registerWebSocket(http, { svc, auth, hub, sync, metrics });

  let ready = true;
  const openapi = buildOpenApi(routes, VERSION);
  http.get('/healthz', async () => ({ status: 'ok', version: VERSION }));
  http.get('/readyz', async (_req, reply) => {
    const ok = ready && (await pingDatabase(database));
    return reply.code(ok ? 200 : 503).send(ok ? { status: 'ready' } : { error: { code: 'unavailable', message: ready ? 'database unreachable' : 'shutting down' } });
  });
  http.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await metrics.registry.metrics()));
  http.get('/api/v1/openapi.json', async () => openapi);
  // The web client and admin console, from the same origin as the API (a status page until built).
  const webDir = config.webDir ?? fileURLToPath(new URL('../../web/dist', import.meta.url));
  if (webClientBuilt(webDir)) registerWebClient(http, webDir);
  else http.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(landingPage(VERSION)));

  const stopSweep = startSessionSweep(database, hub, clock, (err) => log.warn({ err }, 'session sweep failed'));
  const jobs = opts.backgroundJobs ?? !opts.skipBootstrap;
  const stopCheckpoints = jobs ? startAuditCheckpoints(audit.checkpoints, config.auditCheckpointIntervalMs, (err) => log.warn({ err }, 'audit checkpoint failed')) : async () => {};
  const stopRetention = jobs && config.retentionIntervalMs > 0 ? startRetentionJob(governance.retention, () => bootstrap.orgId, config.retentionIntervalMs, (err) => log.warn({ err }, 'scheduled retention run failed')) : async () => {};
  const stopAlerts = jobs ? startSecurityAlerts(audit.alerts, config.alerts.scanIntervalMs, (err) => log.warn({ err }, 'security alert scan failed')) : async () => {};
  const stopDsar = jobs ? startDsarDeadlines(dsar.deadlines, DSAR_SCAN_INTERVAL_MS, (err) => log.warn({ err }, 'dsar deadline scan failed')) : async () => {};
  let closing: Promise<void> | null = null;
  return {
    config, svc, http, hub, metrics, routes, identity, users, access, audit, governance, bootstrap,
    async listen() {
      return http.listen({ port: config.port, host: config.host });
    },
    close() {
      closing ??= (async () => {
        ready = false;
        stopSweep();
        for (const c of hub.all()) (c as unknown as { close(code: number, reason: string): void }).close(WS_CLOSE.shuttingDown, 'server shutting down; reconnect and resume');
        await publisher!.drain();
        await http.close();
        await stopRetention();
        await governance.retention.stop();
        await stopAlerts();
        await stopDsar();
        await stopCheckpoints();
        await broker.close();
        await database.close();
      })();
      return closing;
    },
  };
}

async function openKeyRing(config: Config, log: Logger): Promise<KeyRing> {
  if (config.masterKey) return new KeyRing(keyProviderFromEnv(config.masterKey));
  const res = await loadOrCreateKeyFile(config.keyFile);
  for (const w of res.warnings) log.warn({ keyFile: config.keyFile }, w);
  if (res.created) log.info({ keyFile: config.keyFile }, 'generated a new master key (mode 0600): back it up apart from the database');
  return new KeyRing(res.provider);
}

/** First start: create the organisation and its first admin (owner). */
async function bootstrapOrg(svc: Services, users: UserAdminActions): Promise<BootstrapResult> {
  const existing = await findDefaultOrg(svc.database.db);
  if (existing) return { orgId: existing.id, created: false };
  const orgId = newId(svc.clock.now());
  const settings = defaultOrgSettings(svc.config.orgName);
  await withWriteTransaction(svc.database, orgId, async (trx) => {
    if (await findDefaultOrg(trx)) return;
    await insertOrg(trx, orgId, settings, svc.clock.now());
    await seedRoles(trx, orgId, svc.clock.now());
  });
  const org = (await findDefaultOrg(svc.database.db))!;
  if (org.id !== orgId) return { orgId: org.id, created: false };
  const email = svc.config.adminEmail ?? 'admin@conclave.local';
  const { oneTimePassword } = await users.createUser(systemActor(orgId, 'bootstrap'), {
    email, name: 'Administrator', role: 'owner', clearance: settings.levels[settings.levels.length - 1],
    ...(svc.config.adminPassword ? { password: svc.config.adminPassword } : {}),
  });
  return { orgId, created: true, admin: { email, oneTimePassword } };
}

export { path };
