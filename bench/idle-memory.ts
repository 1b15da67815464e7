/**
 * idle-memory — server memory per idle, authenticated WebSocket connection, beside a bare
 * `ws` server holding the same number of idle sockets.
 *
 *   npm run bench -- idle-memory [--conns 2000] [--dialect sqlite|postgres]
 *
 * Each server runs in its own child process (clients here would distort its heap and RSS).
 * Memory is read in the child after forced GCs: before connecting, with N sockets open and
 * idle, and again after they closed (what is not returned then is a leak candidate).
 */
import './lib/env';
import { dialectArg, intArg, parseArgs } from './lib/args';
import type { BenchUser } from './lib/bulk-users';
import { startChild, type BenchChild } from './lib/child';
import { waitForQuiet } from './lib/load';
import type { RawInfo } from './lib/raw-ws-proc';
import { emitJson, header, line, machine, progress } from './lib/report';
import type { ServerInfo } from './lib/server-proc';
import { fmt, round, sleep } from './lib/stats';
import { closeAll, conclaveWsUrl, connectMany } from './lib/ws-clients';

const args = parseArgs();
let conns = intArg(args, 'conns', 2000);
const dialect = dialectArg(args);
const TARGET_KIB = 24;

type Mem = NodeJS.MemoryUsage & { hubConnections?: number; connections?: number };

interface Result { before: Mem; open: Mem; after: Mem; after2: Mem; connectMs: number; open_: number }

async function measure(child: BenchChild<unknown>, urls: string[]): Promise<Result> {
  await sleep(500);
  const before = await child.request<Mem>('mem');
  const { sockets, ms } = await connectMany(urls, {}, 50);
  await sleep(2000); // let handshakes, auth and presence work settle; the sockets now only idle
  const open = await child.request<Mem>('mem');
  await closeAll(sockets);
  await sleep(1000);
  const after = await child.request<Mem>('mem');
  // A second connect/close round: memory that grows again per round is a leak, a one-off
  // rise after the first round is warm-up (JIT code, pools, caches).
  await closeAll((await connectMany(urls, {}, 50)).sockets);
  await sleep(1000);
  const after2 = await child.request<Mem>('mem');
  return { before, open, after, after2, connectMs: ms, open_: open.hubConnections ?? open.connections ?? -1 };
}

const kib = (bytes: number) => bytes / 1024;

function perConn(r: Result, n: number) {
  const d = (k: 'heapUsed' | 'external' | 'rss' | 'arrayBuffers', to: Mem = r.open) => kib(to[k] - r.before[k]) / n;
  return {
    heap: d('heapUsed'), external: d('external'), heapPlusExternal: d('heapUsed') + d('external'), rss: d('rss'),
    retainedAfterClose: d('heapUsed', r.after) + d('external', r.after),
    growthSecondRound: kib(r.after2.heapUsed + r.after2.external - r.after.heapUsed - r.after.external) / n,
  };
}

async function main(): Promise<void> {
  const m = machine();
  const notes: string[] = [];
  if (m.openFiles !== null && Number.isFinite(m.openFiles) && conns + 256 > m.openFiles) {
    notes.push(`ulimit -n is ${m.openFiles}: connections capped from ${conns} to ${m.openFiles - 256}`);
    conns = m.openFiles - 256;
  }
  header(`idle-memory: ${fmt(conns)} idle authenticated WebSocket connections (${dialect})`, ['each server in its own child process; heap+external and RSS read there after forced GC', ...notes]);
  await waitForQuiet();

  const server = await startChild<ServerInfo>('server-proc.ts', { env: { BENCH_DIALECT: dialect } });
  let conclave: Result;
  try {
    progress(`creating ${conns} users with sessions (bulk set-up)`);
    const users = await server.request<BenchUser[]>('users', { n: conns }, 300_000);
    progress('Conclave: connecting');
    conclave = await measure(server, users.map((u) => conclaveWsUrl(server.info.url, u.token)));
  } finally {
    await server.close();
  }
  const raw = await startChild<RawInfo>('raw-ws-proc.ts');
  let baseline: Result;
  try {
    progress('raw ws: connecting');
    baseline = await measure(raw, Array.from({ length: conns }, () => `${raw.info.url.replace(/^http/, 'ws')}/ws`));
  } finally {
    await raw.close();
  }

  const c = perConn(conclave, conns);
  const r = perConn(baseline, conns);
  const ratio = c.heapPlusExternal / r.heapPlusExternal;
  const row = (name: string, a: string, b: string, x = '') => line(`  ${name.padEnd(40)} ${a.padStart(10)} ${b.padStart(10)} ${x.padStart(8)}`);
  line();
  row('KiB per idle connection', 'Conclave', 'raw ws', 'ratio');
  row('JS heap (heapUsed)', fmt(c.heap, 2), fmt(r.heap, 2), `${round(c.heap / r.heap, 2)}×`);
  row('external (Buffers, native)', fmt(c.external, 2), fmt(r.external, 2));
  row('heap + external', fmt(c.heapPlusExternal, 2), fmt(r.heapPlusExternal, 2), `${round(ratio, 2)}×`);
  row('RSS', fmt(c.rss, 2), fmt(r.rss, 2), `${round(c.rss / r.rss, 2)}×`);
  row('heap+external still held after close', fmt(c.retainedAfterClose, 2), fmt(r.retainedAfterClose, 2));
  row('… growth in a 2nd connect/close round', fmt(c.growthSecondRound, 2), fmt(r.growthSecondRound, 2));
  row('connections seen by the server', fmt(conclave.open_), fmt(baseline.open_));
  row('connect all (ms)', fmt(conclave.connectMs), fmt(baseline.connectMs));
  line(`  Conclave heap before/open/after: ${fmt(kib(conclave.before.heapUsed) / 1024, 1)} / ${fmt(kib(conclave.open.heapUsed) / 1024, 1)} / ${fmt(kib(conclave.after.heapUsed) / 1024, 1)} MiB`);
  line();
  line(`  target: ≤ ${TARGET_KIB} KiB per connection (heap + external) → ${c.heapPlusExternal <= TARGET_KIB ? 'met' : `MISSED (${round(c.heapPlusExternal, 1)} KiB)`}; by RSS: ${round(c.rss, 1)} KiB`);
  emitJson({
    bench: 'idle-memory', dialect, connections: conns,
    kibPerConnection: round(c.heapPlusExternal, 2), rawKibPerConnection: round(r.heapPlusExternal, 2), ratio: round(ratio, 2),
    heapKib: round(c.heap, 2), externalKib: round(c.external, 2), rssKibPerConnection: round(c.rss, 2), rawRssKibPerConnection: round(r.rss, 2),
    retainedAfterCloseKib: round(c.retainedAfterClose, 2), rawRetainedAfterCloseKib: round(r.retainedAfterClose, 2),
    secondRoundGrowthKib: round(c.growthSecondRound, 2), rawSecondRoundGrowthKib: round(r.growthSecondRound, 2),
    targetKib: TARGET_KIB, met: c.heapPlusExternal <= TARGET_KIB, cpus: m.cpus, sharedCores: true,
  });
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`idle-memory failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
