/**
 * fanout — N subscribers in one channel: deliveries/s and send→receive latency, beside a raw
 * `ws` broadcast of the same frames to the same number of sockets, in the same run.
 *
 *   npm run bench -- fanout [--members 100,1000,5000] [--dialect sqlite|postgres]
 *     [--window 8] [--seconds 8] [--rate-seconds 6] [--load 10000] [--profile] [--sql-timing]
 *
 * Two phases per target: (1) saturated — a closed loop keeps `window` messages in flight (a
 * message leaves the window once all N sockets have it); (2) fixed load — messages at
 * load/N per second (so `load` deliveries/s), latency under a steady, sub-saturation load.
 * The server runs in a child process; the sender and all sockets run here, so latency is
 * measured on one clock.
 */
import './lib/env';
import { setMaxListeners } from 'node:events';
import { ConclaveClient } from '@conclave/sdk';
import { dialectArg, intArg, parseArgs } from './lib/args';
import { startChild, BENCH_DIR } from './lib/child';
import { FanoutTracker, summarize, type PhaseResult, type SendFn } from './lib/fanout-driver';
import { machineCpu, otherCpuPct, waitForQuiet } from './lib/load';
import type { RawInfo } from './lib/raw-ws-proc';
import { emitJson, header, line, machine, progress } from './lib/report';
import type { BenchUser } from './lib/bulk-users';
import type { ServerInfo } from './lib/server-proc';
import { fmt, round } from './lib/stats';
import { closeAll, conclaveWsUrl, connectMany } from './lib/ws-clients';

const args = parseArgs();
let members = intArg(args, 'members', 1000);
const dialect = dialectArg(args);
const window = intArg(args, 'window', 8);
const satMs = intArg(args, 'seconds', 8) * 1000;
const rateMs = intArg(args, 'rate-seconds', 6) * 1000;
const load = intArg(args, 'load', 10_000);
const profile = args.has('profile');
const sqlTiming = args.has('sql-timing');

interface TargetResult {
  connectMs: number;
  saturated: PhaseResult;
  fixed: PhaseResult;
  serverCpu: { saturated: number; fixed: number };
  clientCpu: { saturated: number; fixed: number };
  /** % of the machine used by other processes during the phase (noise indicator). */
  otherCpu: { saturated: number | null; fixed: number | null };
  frameBytes: number;
  gaps: number;
  duplicates: number;
  closes: number;
  sample: string | null;
}

type Cpu = { user: number; system: number };
const cpuPct = (a: Cpu, b: Cpu, seconds: number) => round(((b.user - a.user + b.system - a.system) / 1e6 / seconds) * 100, 0);

interface ChildHandle { request<T>(cmd: string, args?: Record<string, unknown>): Promise<T> }

async function measure(label: string, urls: string[], helloSend: SendFn, child: ChildHandle, profileFile?: string): Promise<TargetResult> {
  const childCpu = () => child.request<Cpu>('cpu');
  let tracker: FanoutTracker | null = null;
  const conn = await connectMany(urls, { onFrame: (i, d) => tracker?.onFrame(i, d), onClose: (i, c, r) => tracker?.onClose(i, c, r) });
  tracker = new FanoutTracker(urls.length, conn.helloSeq);
  progress(`${label}: ${urls.length} sockets connected in ${fmt(conn.ms)} ms; warming up`);
  await tracker.closedLoop('warm-up', helloSend, Math.min(window, 4), 1500);
  const phase = async (run: () => Promise<PhaseResult>) => {
    await waitForQuiet();
    const [s0, c0, m0, t0] = [await childCpu(), process.cpuUsage(), machineCpu(), performance.now()];
    const r = await run();
    const secs = (performance.now() - t0) / 1000;
    const [s1, c1, m1] = [await childCpu(), process.cpuUsage(), machineCpu()];
    const ours = (s1.user - s0.user + s1.system - s0.system + c1.user - c0.user + c1.system - c0.system) / 1000;
    return { r, server: cpuPct(s0, s1, secs), client: cpuPct(c0, c1, secs), other: otherCpuPct(m0, m1, ours) };
  };
  progress(`${label}: saturated phase (${satMs / 1000} s, window ${window})`);
  if (profileFile) await child.request('profile-start');
  if (sqlTiming && label === 'conclave') await child.request('sql-reset');
  const sat = await phase(() => tracker!.closedLoop('saturated', helloSend, window, satMs));
  if (sqlTiming && label === 'conclave') process.stderr.write(`${await child.request<string>('sql-report')}\n`);
  if (profileFile) progress(`server CPU profile of the saturated phase: ${(await child.request<{ file: string }>('profile-stop', { file: profileFile })).file}`);
  const rate = load / urls.length;
  progress(`${label}: fixed-load phase (${fmt(load)} deliveries/s = ${round(rate, 1)} msg/s, ${rateMs / 1000} s)`);
  const fixed = await phase(() => tracker!.fixedRate('fixed', helloSend, rate, rateMs));
  const closesDuringRun = tracker.closes.length;
  await closeAll(conn.sockets);
  return {
    connectMs: conn.ms, saturated: sat.r, fixed: fixed.r,
    serverCpu: { saturated: sat.server, fixed: fixed.server }, clientCpu: { saturated: sat.client, fixed: fixed.client },
    otherCpu: { saturated: sat.other, fixed: fixed.other },
    frameBytes: tracker.frames ? tracker.frameBytes / tracker.frames : 0,
    gaps: tracker.gaps, duplicates: tracker.duplicates, closes: closesDuringRun, sample: tracker.sample,
  };
}

async function main(): Promise<void> {
  const m = machine();
  const notes: string[] = [];
  // Each socket costs one descriptor here and one in the server child; keep headroom for the rest.
  if (m.openFiles !== null && Number.isFinite(m.openFiles) && members + 256 > m.openFiles) {
    notes.push(`ulimit -n is ${m.openFiles}: members capped from ${members} to ${m.openFiles - 256} (raise it in the shell to go higher; Node cannot)`);
    members = m.openFiles - 256;
  }
  header(`fanout: ${fmt(members)} subscribers in one channel (${dialect})`, [
    'server in a child process; sender + all subscriber sockets in this process (one clock for latency)',
    ...notes,
  ]);

  // ---- Conclave ----
  const server = await startChild<ServerInfo>('server-proc.ts', {
    env: { BENCH_DIALECT: dialect, BENCH_SQL_TIMING: sqlTiming ? '1' : '0' },
  });
  let conclave: TargetResult;
  try {
    progress(`creating ${members} users with sessions (bulk set-up)`);
    const users = await server.request<BenchUser[]>('users', { n: members }, 300_000);
    const { conversationId } = await server.request<{ conversationId: string }>('channel', { name: `fanout-${members}`, memberIds: users.map((u) => u.id) }, 300_000);
    const sender = new ConclaveClient({ baseUrl: server.info.url, token: server.info.adminToken, timeoutMs: 60_000, sendRetry: { retries: 0 } });
    // The SDK adds one abort listener per in-flight request to its lifetime signal (removed when
    // the request settles); with `window` > 10 Node would print a false leak warning.
    setMaxListeners(0, sender.http.signal);
    const send: SendFn = (text, clientId) => sender.messages.send(conversationId, { text, clientId });
    conclave = await measure('conclave', users.map((u) => conclaveWsUrl(server.info.url, u.token)), send, server,
      profile ? `${BENCH_DIR}/profiles/fanout-${members}-${dialect}-${Date.now()}.cpuprofile` : undefined);
    sender.close();
  } finally {
    await server.close();
  }

  // ---- raw baseline: same frames, same socket count ----
  const raw = await startChild<RawInfo>('raw-ws-proc.ts');
  let baseline: TargetResult;
  try {
    if (conclave.sample) {
      const msg = (JSON.parse(conclave.sample) as { event: { data: { message: Record<string, unknown> } } }).event.data.message;
      await raw.request('template', { message: msg });
    }
    const url = raw.info.url;
    const send: SendFn = async (text, clientId) => {
      const res = await fetch(`${url}/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, clientId }) });
      if (res.status !== 201) throw new Error(`raw send: ${res.status}`);
      await res.json();
    };
    baseline = await measure('raw', Array.from({ length: members }, () => `${url.replace(/^http/, 'ws')}/ws`), send, raw);
  } finally {
    await raw.close();
  }

  // ---- report ----
  const c = { sat: summarize(conclave.saturated), fix: summarize(conclave.fixed) };
  const r = { sat: summarize(baseline.saturated), fix: summarize(baseline.fixed) };
  const ratio = c.sat.deliveriesPerSec / r.sat.deliveriesPerSec;
  const row = (name: string, a: string | number, b: string | number, x = '') => line(`  ${name.padEnd(38)} ${String(a).padStart(14)} ${String(b).padStart(14)} ${x.padStart(9)}`);
  line();
  row('', 'Conclave', 'raw ws', 'ratio');
  row('saturated deliveries/s', fmt(c.sat.deliveriesPerSec), fmt(r.sat.deliveriesPerSec), `${round(ratio * 100, 1)}%`);
  row('saturated messages/s', fmt(c.sat.messagesPerSec, 1), fmt(r.sat.messagesPerSec, 1));
  row('saturated latency p50 / p99 ms', `${c.sat.p50Ms} / ${c.sat.p99Ms}`, `${r.sat.p50Ms} / ${r.sat.p99Ms}`);
  row(`fixed ${fmt(load)}/s: achieved deliveries/s`, fmt(c.fix.deliveriesPerSec), fmt(r.fix.deliveriesPerSec));
  row(`fixed ${fmt(load)}/s: latency p50 / p99 ms`, `${c.fix.p50Ms} / ${c.fix.p99Ms}`, `${r.fix.p50Ms} / ${r.fix.p99Ms}`);
  row(`fixed ${fmt(load)}/s: latency max ms`, c.fix.maxMs, r.fix.maxMs);
  row('server CPU % (saturated / fixed)', `${conclave.serverCpu.saturated} / ${conclave.serverCpu.fixed}`, `${baseline.serverCpu.saturated} / ${baseline.serverCpu.fixed}`);
  row('client CPU % (saturated / fixed)', `${conclave.clientCpu.saturated} / ${conclave.clientCpu.fixed}`, `${baseline.clientCpu.saturated} / ${baseline.clientCpu.fixed}`);
  row('other processes, % of machine', `${conclave.otherCpu.saturated} / ${conclave.otherCpu.fixed}`, `${baseline.otherCpu.saturated} / ${baseline.otherCpu.fixed}`);
  row('avg message frame bytes', fmt(conclave.frameBytes), fmt(baseline.frameBytes));
  row('delivered / expected (saturated)', `${fmt(c.sat.delivered)}/${fmt(c.sat.expected)}`, `${fmt(r.sat.delivered)}/${fmt(r.sat.expected)}`);
  row('seq gaps / duplicates / socket closes', `${conclave.gaps} / ${conclave.duplicates} / ${conclave.closes}`, `${baseline.gaps} / ${baseline.duplicates} / ${baseline.closes}`);
  row('connect all sockets (ms)', fmt(conclave.connectMs), fmt(baseline.connectMs));
  line();
  line(`  target: ≥ 40% of raw deliveries/s → ${ratio >= 0.4 ? 'met' : `MISSED (${round(ratio * 100, 1)}%)`}`);
  if (members === 1000 && load === 10_000) {
    line(`  target: p99 < 50 ms at 1k members and 10k deliveries/s → ${c.fix.p99Ms < 50 ? 'met' : `MISSED (${c.fix.p99Ms} ms)`}`);
  }
  if (profile) line(`  server CPU profile of the saturated phase in ${BENCH_DIR}/profiles (summarise: npx tsx bench/lib/profile-summary.ts <file>)`);
  emitJson({
    bench: 'fanout', members, dialect,
    deliveriesPerSec: c.sat.deliveriesPerSec, rawDeliveriesPerSec: r.sat.deliveriesPerSec, ratio: round(ratio, 3),
    p50Ms: c.fix.p50Ms, p99Ms: c.fix.p99Ms, rawP50Ms: r.fix.p50Ms, rawP99Ms: r.fix.p99Ms, loadDeliveriesPerSec: load,
    achievedDeliveriesPerSec: c.fix.deliveriesPerSec,
    saturatedP50Ms: c.sat.p50Ms, saturatedP99Ms: c.sat.p99Ms, rawSaturatedP50Ms: r.sat.p50Ms, rawSaturatedP99Ms: r.sat.p99Ms,
    serverCpuPct: conclave.serverCpu, rawServerCpuPct: baseline.serverCpu, otherCpuPct: conclave.otherCpu, rawOtherCpuPct: baseline.otherCpu,
    frameBytes: Math.round(conclave.frameBytes), rawFrameBytes: Math.round(baseline.frameBytes),
    gaps: conclave.gaps, duplicates: conclave.duplicates, closes: conclave.closes,
    window, cpus: m.cpus, sharedCores: true,
  });
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`fanout failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
