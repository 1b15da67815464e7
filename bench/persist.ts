/**
 * persist — persisted messages/s (message row + event log + audit row, one transaction each),
 * beside plain INSERTs of the same message and audit rows with the same driver.
 *
 *   npm run bench -- persist [--dialect sqlite,postgres] [--seconds 5] [--concurrency 32] [--profile] [--sql-timing]
 *
 * Three figures per dialect:
 *  - action layer: MessageActions.send through the route handler, in this process (no HTTP);
 *  - HTTP: the SDK sending to a server in a child process, `concurrency` requests in flight;
 *  - raw: BEGIN; INSERT message; INSERT audit; COMMIT with better-sqlite3 / pg (prepared once),
 *    into tables made by Conclave's own migrations (same indexes, same row sizes).
 * The channel has 2 members (sender + one), so each message also writes 2 user_events rows.
 */
import './lib/env';
import { setMaxListeners } from 'node:events';
import { ConclaveClient } from '@conclave/sdk';
import { startTestServer } from '@conclave/testkit';
import { dialectArg, intArg, parseArgs } from './lib/args';
import { bulkCreateUsers, type BenchUser } from './lib/bulk-users';
import { BENCH_DIR, profileStart, profileStop, startChild } from './lib/child';
import { actorForToken, directSender } from './lib/direct';
import { machineCpu, otherCpuPct, waitForQuiet } from './lib/load';
import { preparePostgres } from './lib/pg-bench';
import { runFor, type LoopResult } from './lib/loop';
import { rawInsertLoop } from './lib/raw-db';
import { installSqlTiming, resetSqlTiming, sqlTimingReport } from './lib/sql-timing';
import { emitJson, header, line, machine, progress } from './lib/report';
import type { ServerInfo } from './lib/server-proc';
import { fmt, round } from './lib/stats';
import { countRows, type RowCounts } from './lib/verify';

const args = parseArgs();
const dialect = dialectArg(args);
const ms = intArg(args, 'seconds', 5) * 1000;
const concurrency = intArg(args, 'concurrency', 32);
const profile = args.has('profile');
const sqlTiming = args.has('sql-timing');
const TEXT = 'persist benchmark message: '.padEnd(140, 'x');
const TARGET = dialect === 'sqlite' ? 5000 : 3000;

interface Measured { loop: LoopResult; cpuPct: number; otherPct: number | null }

interface Hooks { start?(): Promise<unknown>; stop?(): Promise<unknown> }

/** Waits for a quiet machine, then runs `fn` between the hooks (profilers, SQL timing) and accounts CPU. */
async function measured(fn: () => Promise<LoopResult>, childCpu?: () => Promise<{ user: number; system: number }>, hooks: Hooks = {}): Promise<Measured> {
  await waitForQuiet();
  await hooks.start?.();
  const c0 = process.cpuUsage();
  const s0 = childCpu ? await childCpu() : { user: 0, system: 0 };
  const m0 = machineCpu();
  const loop = await fn();
  const c1 = process.cpuUsage();
  const s1 = childCpu ? await childCpu() : { user: 0, system: 0 };
  const m1 = machineCpu();
  await hooks.stop?.();
  const ours = (c1.user - c0.user + c1.system - c0.system + s1.user - s0.user + s1.system - s0.system) / 1000;
  const serverMs = childCpu ? (s1.user - s0.user + s1.system - s0.system) / 1000 : ours;
  return { loop, cpuPct: round((serverMs / 1000 / loop.seconds) * 100, 0), otherPct: otherCpuPct(m0, m1, ours) };
}

function checkPersisted(label: string, before: RowCounts, after: RowCounts, acked: number, warm: number): string {
  const msgs = after.messages - before.messages;
  const audits = after.auditSendSuccess - before.auditSendSuccess;
  const ok = msgs === acked + warm && audits === acked + warm;
  return `${label}: ${fmt(msgs)} message rows and ${fmt(audits)} messages.send audit rows for ${fmt(acked + warm)} acknowledged sends → ${ok ? 'consistent' : 'MISMATCH'}`;
}

async function main(): Promise<void> {
  const m = machine();
  header(`persist: messages/s incl. audit row (${dialect})`, [
    dialect === 'postgres' ? 'PostgreSQL runs on the same machine; its backend CPU is not in "server CPU %"' : 'SQLite WAL, synchronous=NORMAL (the server\'s settings)',
  ]);
  const checks: string[] = [];

  // ---- action layer, in-process ----
  if (sqlTiming) installSqlTiming();
  progress('action layer: starting an in-process server');
  if (dialect === 'postgres') await preparePostgres();
  const ts = await startTestServer({ dialect });
  let action: Measured;
  let msgTpl: Record<string, unknown>;
  let auditTpl: Record<string, unknown>;
  try {
    const [u] = await bulkCreateUsers(ts.server, ts.server.bootstrap.orgId, 1);
    const { conversation } = await ts.admin.client.conversations.create({ kind: 'channel', name: 'persist', memberIds: [u!.id] });
    const send = directSender(ts.server, await actorForToken(ts.server, ts.admin.client.token!));
    const warm = await runFor(500, 4, (i) => send(conversation.id, TEXT, `warm-${i}`));
    const before = await countRows(ts.server);
    progress(`action layer: ${ms / 1000} s, ${concurrency} in flight`);
    action = await measured(() => runFor(ms, concurrency, (i) => send(conversation.id, TEXT, `a-${i}`)), undefined, {
      start: async () => { if (profile) await profileStart(); if (sqlTiming) resetSqlTiming(); },
      stop: async () => {
        if (sqlTiming) process.stderr.write(`action layer ${sqlTimingReport()}\n`);
        if (profile) progress(`action-layer CPU profile (this process): ${await profileStop(`${BENCH_DIR}/profiles/persist-action-${dialect}-${Date.now()}.cpuprofile`)}`);
      },
    });
    const after = await countRows(ts.server);
    checks.push(checkPersisted('action layer', before, after, action.loop.count, 0));
    void warm;
    const db = ts.server.svc.database.db;
    msgTpl = (await db.selectFrom('messages').selectAll().where('conversation_id', '=', conversation.id).limit(1).executeTakeFirstOrThrow()) as Record<string, unknown>;
    auditTpl = (await db.selectFrom('audit_log').selectAll().where('action', '=', 'messages.send').limit(1).executeTakeFirstOrThrow()) as Record<string, unknown>;
  } finally {
    await ts.close();
  }

  // ---- HTTP, server in a child process ----
  const child = await startChild<ServerInfo>('server-proc.ts', { env: { BENCH_DIALECT: dialect, BENCH_SQL_TIMING: sqlTiming ? '1' : '0' } });
  let http: Measured;
  try {
    const [u] = await child.request<BenchUser[]>('users', { n: 1 });
    const { conversationId } = await child.request<{ conversationId: string }>('channel', { name: 'persist-http', memberIds: [u!.id] });
    const client = new ConclaveClient({ baseUrl: child.info.url, token: child.info.adminToken, sendRetry: { retries: 0 } });
    setMaxListeners(0, client.http.signal); // one abort listener per in-flight request (removed when it settles)
    const warm = await runFor(500, 4, () => client.messages.send(conversationId, { text: TEXT }));
    const before = await child.request<RowCounts>('counts');
    progress(`HTTP: ${ms / 1000} s, ${concurrency} in flight`);
    const profileFile = `${BENCH_DIR}/profiles/persist-http-${dialect}-${Date.now()}.cpuprofile`;
    http = await measured(() => runFor(ms, concurrency, () => client.messages.send(conversationId, { text: TEXT })), () => child.request('cpu'), {
      start: async () => { if (profile) await child.request('profile-start'); if (sqlTiming) await child.request('sql-reset'); },
      stop: async () => {
        if (sqlTiming) process.stderr.write(`HTTP ${await child.request<string>('sql-report')}\n`);
        if (profile) progress(`server CPU profile: ${(await child.request<{ file: string }>('profile-stop', { file: profileFile })).file}`);
      },
    });
    const after = await child.request<RowCounts>('counts');
    checks.push(checkPersisted('HTTP', before, after, http.loop.count, 0));
    void warm;
    client.close();
  } finally {
    await child.close();
  }

  // ---- raw baseline ----
  const rawConc = dialect === 'sqlite' ? 1 : concurrency;
  progress(`raw ${dialect}: ${ms / 1000} s, ${rawConc} transaction(s) in flight`);
  await waitForQuiet();
  const raw = await rawInsertLoop(dialect, msgTpl, auditTpl, ms, rawConc);
  let rawSerial = raw;
  if (dialect === 'postgres') {
    progress('raw postgres, one transaction at a time (Conclave serialises writes per organisation)');
    await waitForQuiet();
    rawSerial = await rawInsertLoop(dialect, msgTpl, auditTpl, ms, 1);
  }

  const ratio = action.loop.perSec / raw.perSec;
  const httpRatio = http.loop.perSec / raw.perSec;
  const row = (name: string, v: string, x = '', y = '') => line(`  ${name.padEnd(52)} ${v.padStart(10)} ${x.padStart(9)} ${y.padStart(22)}`);
  line();
  row('', 'msgs/s', 'vs raw', 'server CPU % / other %');
  row(`Conclave action layer (${concurrency} in flight)`, fmt(action.loop.perSec), `${round(ratio * 100, 1)}%`, `${action.cpuPct} / ${action.otherPct ?? '?'}`);
  row(`Conclave HTTP via SDK (${concurrency} in flight)`, fmt(http.loop.perSec), `${round(httpRatio * 100, 1)}%`, `${http.cpuPct} / ${http.otherPct ?? '?'}`);
  row(`raw ${dialect === 'sqlite' ? 'better-sqlite3' : 'pg'} msg+audit INSERT tx (${rawConc} in flight)`, fmt(raw.perSec), '100%');
  if (dialect === 'postgres') row('raw pg msg+audit INSERT tx (1 in flight)', fmt(rawSerial.perSec), `${round((rawSerial.perSec / raw.perSec) * 100, 1)}%`);
  line(`  errors: action ${action.loop.errors}, HTTP ${http.loop.errors}${action.loop.firstError ?? http.loop.firstError ? ` (first: ${action.loop.firstError ?? http.loop.firstError})` : ''}`);
  for (const c of checks) line(`  check: ${c}`);
  line(`  message body ${(msgTpl.body as Uint8Array).length} bytes sealed; audit details ${String(auditTpl.details).length} chars`);
  line();
  line(`  target: ≥ ${fmt(TARGET)} msgs/s → action layer ${action.loop.perSec >= TARGET ? 'met' : `MISSED (${round((action.loop.perSec / TARGET) * 100, 0)}% of target)`}, HTTP ${http.loop.perSec >= TARGET ? 'met' : `MISSED (${round((http.loop.perSec / TARGET) * 100, 0)}% of target)`}`);
  emitJson({
    bench: 'persist', dialect, concurrency,
    messagesPerSec: Math.round(action.loop.perSec), httpMessagesPerSec: Math.round(http.loop.perSec),
    rawMessagesPerSec: Math.round(raw.perSec), rawSerialMessagesPerSec: Math.round(rawSerial.perSec),
    ratio: round(ratio, 3), httpRatio: round(httpRatio, 3), targetMessagesPerSec: TARGET,
    serverCpuPct: { action: action.cpuPct, http: http.cpuPct }, otherCpuPct: { action: action.otherPct, http: http.otherPct },
    errors: action.loop.errors + http.loop.errors, consistent: checks.every((c) => c.endsWith('consistent')), cpus: m.cpus, sharedCores: true,
  });
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`persist failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
