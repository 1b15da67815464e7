/**
 * catchup — a subscriber disconnects, N messages (default 10 000) are sent to its channel, it
 * reconnects with since=<last seq>: time from opening the socket until the N-th event has
 * arrived (and been JSON-parsed), beside reading the same rows raw from the database.
 *
 *   npm run bench -- catchup [--dialect sqlite,postgres] [--messages 10000] [--repeat 3] [--profile]
 *
 * The server runs in a child process; the subscriber here. The backlog is sent through the
 * action layer (set-up, not measured). Each repetition replays the same backlog.
 */
import './lib/env';
import WebSocket from 'ws';
import { dialectArg, intArg, parseArgs } from './lib/args';
import type { BenchUser } from './lib/bulk-users';
import { BENCH_DIR, startChild } from './lib/child';
import { waitForQuiet } from './lib/load';
import { rawReadEvents } from './lib/raw-db';
import { emitJson, header, line, machine, progress } from './lib/report';
import type { ServerInfo } from './lib/server-proc';
import { fmt, median, round } from './lib/stats';
import { closeAll, conclaveWsUrl, connectMany } from './lib/ws-clients';

const args = parseArgs();
const dialect = dialectArg(args);
const count = intArg(args, 'messages', 10_000);
const repeat = intArg(args, 'repeat', 3);
const profile = args.has('profile');
const TEXT = 'catch-up benchmark message: '.padEnd(140, 'x');

interface Catchup { helloMs: number; firstEventMs: number; totalMs: number; events: number; gaps: number; bytes: number }

/** Opens the socket with `since` and resolves when `count` message events arrived, in order. */
function catchUp(url: string, since: number, timeoutMs = 60_000): Promise<Catchup> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let helloMs = -1;
    let firstEventMs = -1;
    let events = 0;
    let last = since;
    let gaps = 0;
    let bytes = 0;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`catch-up: only ${events}/${count} events after ${timeoutMs} ms`)); }, timeoutMs);
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString('utf8')) as { type: string; event?: { seq: number; type: string } };
      if (f.type === 'hello') { helloMs = performance.now() - t0; return; }
      if (f.type !== 'event' || !f.event) return;
      if (firstEventMs < 0) firstEventMs = performance.now() - t0;
      if (f.event.seq !== last + 1) gaps++;
      last = f.event.seq;
      bytes += data.length;
      if (f.event.type === 'message.created' && ++events === count) {
        const totalMs = performance.now() - t0;
        clearTimeout(timer);
        ws.close(1000, 'done');
        resolve({ helloMs, firstEventMs, totalMs, events, gaps, bytes });
      }
    });
    ws.on('close', (code, reason) => { if (events < count) { clearTimeout(timer); reject(new Error(`closed after ${events} events: ${code} ${reason.toString()}`)); } });
    ws.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

async function main(): Promise<void> {
  const m = machine();
  header(`catchup: reconnect and receive ${fmt(count)} missed messages (${dialect})`, ['server in a child process, subscriber here']);
  const child = await startChild<ServerInfo>('server-proc.ts', { env: { BENCH_DIALECT: dialect } });
  const runs: Catchup[] = [];
  const raws: number[] = [];
  let sendMs = 0;
  try {
    const [u] = await child.request<BenchUser[]>('users', { n: 1 });
    const { conversationId } = await child.request<{ conversationId: string }>('channel', { name: 'catchup', memberIds: [u!.id] });
    const { sockets, helloSeq } = await connectMany([conclaveWsUrl(child.info.url, u!.token)]);
    const since = helloSeq[0]!;
    await closeAll(sockets);
    progress(`subscriber offline at seq ${since}; sending ${fmt(count)} messages (set-up)`);
    sendMs = (await child.request<{ ms: number }>('send', { conversationId, count, concurrency: 8, text: TEXT }, 600_000)).ms;
    for (let r = 0; r < repeat; r++) {
      await waitForQuiet();
      const file = `${BENCH_DIR}/profiles/catchup-${dialect}-${Date.now()}.cpuprofile`;
      if (profile && r === 0) await child.request('profile-start');
      runs.push(await catchUp(conclaveWsUrl(child.info.url, u!.token, since), since));
      if (profile && r === 0) progress(`server CPU profile: ${(await child.request<{ file: string }>('profile-stop', { file })).file}`);
      progress(`catch-up ${r + 1}/${repeat}: ${fmt(runs[r]!.totalMs)} ms`);
    }
    for (let r = 0; r < repeat; r++) {
      const res = await rawReadEvents(dialect, child.info.databaseUrl, child.info.schema, u!.id, since);
      if (res.rows !== count) throw new Error(`raw read returned ${res.rows} rows, expected ${count}`);
      raws.push(res.ms);
    }
  } finally {
    await child.close();
  }
  const med = median(runs.map((r) => r.totalMs));
  const rawMed = median(raws);
  const first = runs[0]!;
  line();
  line(`  backlog set-up: ${fmt(count)} sends through the action layer in ${fmt(sendMs)} ms (${fmt((count / sendMs) * 1000)} msgs/s, not the measured figure)`);
  line(`  Conclave catch-up, socket open → ${fmt(count)}th event: first ${fmt(first.totalMs)} ms, median of ${repeat} ${fmt(med)} ms (${fmt((count / med) * 1000)} events/s)`);
  line(`    hello after ${fmt(first.helloMs, 1)} ms, first event after ${fmt(first.firstEventMs, 1)} ms; ${fmt(first.bytes / 1024)} KiB of frames; seq gaps ${runs.reduce((a, r) => a + r.gaps, 0)}`);
  line(`  raw ${dialect === 'sqlite' ? 'better-sqlite3' : 'pg'} read of the same ${fmt(count)} rows (user_events ⋈ events ⋈ messages), median: ${fmt(rawMed, 1)} ms`);
  line(`  Conclave takes ${round(med / rawMed, 1)}× the raw read (raw/Conclave = ${round((rawMed / med) * 100, 1)}%)`);
  line();
  line(`  target: < 1 s → ${med < 1000 ? 'met' : `MISSED (${fmt(med)} ms)`}`);
  emitJson({
    bench: 'catchup', dialect, messages: count, catchupMs: Math.round(med), firstRunMs: Math.round(first.totalMs), runsMs: runs.map((r) => Math.round(r.totalMs)),
    eventsPerSec: Math.round((count / med) * 1000), rawReadMs: round(rawMed, 1), ratio: round(rawMed / med, 4), slowdown: round(med / rawMed, 1),
    helloMs: round(first.helloMs, 1), firstEventMs: round(first.firstEventMs, 1), gaps: runs.reduce((a, r) => a + r.gaps, 0),
    targetMs: 1000, met: med < 1000, cpus: m.cpus, sharedCores: true,
  });
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`catchup failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
