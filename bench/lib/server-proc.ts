/**
 * Child process: a real Conclave server (testkit, temp data dir or fresh PostgreSQL schema)
 * plus set-up commands over IPC. Started by lib/child.ts; see serveIpc for the protocol.
 * Environment: BENCH_DIALECT=sqlite|postgres.
 */
import './env';
import { ConclaveClient } from '@conclave/sdk';
import { startTestServer } from '@conclave/testkit';
import { bulkAddMembers, bulkCreateUsers } from './bulk-users';
import { serveIpc, settledMemory } from './child';
import { preparePostgres } from './pg-bench';
import { actorForToken, directSender } from './direct';
import { countRows } from './verify';
import { installSqlTiming, resetSqlTiming, sqlTimingReport } from './sql-timing';

export interface ServerInfo {
  url: string;
  orgId: string;
  adminId: string;
  adminToken: string;
  dialect: 'sqlite' | 'postgres';
  databaseUrl: string;
  schema: string | null;
  pid: number;
}

async function main(): Promise<void> {
  const dialect = process.env.BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
  if (process.env.BENCH_SQL_TIMING === '1') installSqlTiming();
  if (dialect === 'postgres') await preparePostgres();
  const ts = await startTestServer({ dialect });
  const server = ts.server;
  const orgId = server.bootstrap.orgId;
  const adminToken = ts.admin.client.token!;
  // The testkit's clients validate every response with zod; the bench does not need that.
  const admin = new ConclaveClient({ baseUrl: ts.url, token: adminToken });
  const adminActor = await actorForToken(server, adminToken);
  const send = directSender(server, adminActor);

  serveIpc({
    users: async (a) => bulkCreateUsers(server, orgId, Number(a.n), String(a.prefix ?? 'bench')),
    /**
     * A channel owned by the admin. Small member lists go through the API; large ones are
     * inserted directly (bulkAddMembers explains why).
     */
    channel: async (a) => {
      const ids = a.memberIds as string[];
      const viaApi = ids.length <= 50;
      const { conversation } = await admin.conversations.create({ kind: 'channel', name: String(a.name), memberIds: viaApi ? ids : [] });
      if (!viaApi) await bulkAddMembers(server, conversation.id, ids);
      return { conversationId: conversation.id };
    },
    /** Sends `count` messages as the admin through the action layer (set-up for catch-up). */
    send: async (a) => {
      const count = Number(a.count);
      const concurrency = Number(a.concurrency ?? 8);
      const text = String(a.text ?? 'x');
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          await send(String(a.conversationId), text, `bench-${process.pid}-${Date.now()}-${i}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { ms: performance.now() - t0 };
    },
    /** Row counts, to check that every acknowledged send persisted with its audit row. */
    counts: async () => countRows(server),
    'sql-reset': async () => { resetSqlTiming(); return { ok: true }; },
    'sql-report': async () => sqlTimingReport(),
    mem: async () => ({ ...(await settledMemory()), hubConnections: server.hub.connections }),
  }, () => ts.close());

  const info: ServerInfo = {
    url: ts.url, orgId, adminId: ts.admin.user.id, adminToken, dialect,
    databaseUrl: ts.config.databaseUrl, schema: ts.config.databaseSchema ?? null, pid: process.pid,
  };
  process.send!({ type: 'ready', info });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'fatal', error: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
