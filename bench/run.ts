/**
 * Benchmark runner: `npm run bench` runs every benchmark; `npm run bench -- <name> [flags]`
 * runs one (names: persist, catchup, idle-memory, search, audit-verify, retention, mls, fanout). Each run is its own process with a
 * hard time limit, so a stuck run is stopped and the others still run; every run prints its
 * figures and, as its last stdout line, one JSON object. See bench/README.md.
 */
import './lib/env';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR, REPO_ROOT } from './lib/child';
import { PG_URL } from './lib/env';
import { preparePostgres } from './lib/pg-bench';

interface Bench {
  file: string;
  /** The flag that takes a comma list and becomes one run per value. */
  expand?: { flag: string; dflt: string[] };
  timeoutMs(value: string | undefined): number;
}

const BENCHES: Record<string, Bench> = {
  persist: { file: 'persist.ts', expand: { flag: 'dialect', dflt: ['sqlite', 'postgres'] }, timeoutMs: () => 5 * 60_000 },
  catchup: { file: 'catchup.ts', expand: { flag: 'dialect', dflt: ['sqlite', 'postgres'] }, timeoutMs: () => 10 * 60_000 },
  'idle-memory': { file: 'idle-memory.ts', timeoutMs: () => 5 * 60_000 },
  search: { file: 'search.ts', expand: { flag: 'dialect', dflt: ['sqlite', 'postgres'] }, timeoutMs: () => 12 * 60_000 },
  'audit-verify': { file: 'audit-verify.ts', timeoutMs: () => 6 * 60_000 },
  mls: { file: 'mls.ts', timeoutMs: () => 10 * 60_000 },
  retention: { file: 'retention.ts', expand: { flag: 'dialect', dflt: ['sqlite', 'postgres'] }, timeoutMs: () => 10 * 60_000 },
  fanout: { file: 'fanout.ts', expand: { flag: 'members', dflt: ['100', '1000', '5000'] }, timeoutMs: (m) => (Number(m) >= 5000 ? 12 : 6) * 60_000 },
};

/** Creates the benchmarks' PostgreSQL database when missing (lib/pg-bench.ts); false when unreachable. */
async function postgresReachable(): Promise<boolean> {
  try {
    await preparePostgres();
    return true;
  } catch (err) {
    process.stderr.write(`note: PostgreSQL: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
}

/** Runs one benchmark process; resolves with its last stdout line (the JSON) or null on failure. */
function runOne(file: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; last: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, file), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      tail = (tail + d.toString('utf8')).slice(-64 * 1024);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      process.stderr.write(`\n!! ${file} ${args.join(' ')} exceeded ${timeoutMs / 1000} s; stopping it (pid ${child.pid})\n`);
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(limit);
      clearTimeout(killTimer);
      const lines = tail.trim().split('\n');
      const last = lines[lines.length - 1] ?? null;
      resolve({ ok: code === 0, last: last?.startsWith('{') ? last : null });
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const names = argv.filter((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1]!.startsWith('--') || argv[i - 1]!.includes('=')) && a in BENCHES);
  const unknown = argv.filter((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1]!.startsWith('--')) && !(a in BENCHES));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  const flags = argv.filter((a) => !names.includes(a));
  const selected = names.length ? names : Object.keys(BENCHES);
  const pgOk = await postgresReachable();
  if (!pgOk) process.stderr.write(`note: PostgreSQL at ${PG_URL} is not reachable; PostgreSQL runs are skipped (set CONCLAVE_TEST_PG_URL)\n`);

  const results: Array<{ run: string; ok: boolean; json: string | null }> = [];
  for (const name of selected) {
    const b = BENCHES[name]!;
    let values: Array<string | undefined> = [undefined];
    let rest = flags;
    if (b.expand) {
      const i = flags.findIndex((f) => f === `--${b.expand!.flag}` || f.startsWith(`--${b.expand!.flag}=`));
      let list = b.expand.dflt;
      if (i >= 0) {
        const f = flags[i]!;
        const v = f.includes('=') ? f.slice(f.indexOf('=') + 1) : flags[i + 1] ?? '';
        list = v.split(',').map((s) => s.trim()).filter(Boolean);
        rest = flags.filter((_, j) => j !== i && !(j === i + 1 && !f.includes('=')));
      }
      values = list;
    }
    for (const v of values) {
      const runArgs = v === undefined ? rest : [`--${b.expand!.flag}`, v, ...rest];
      const label = `${name}${v === undefined ? '' : ` --${b.expand!.flag} ${v}`}`;
      const usesPg = v === 'postgres' || rest.some((f, j) => (f === '--dialect' && rest[j + 1] === 'postgres') || f === '--dialect=postgres');
      if (usesPg && !pgOk) { results.push({ run: label, ok: false, json: null }); process.stderr.write(`skipped ${label}: PostgreSQL unreachable\n`); continue; }
      process.stdout.write(`\n`);
      const r = await runOne(b.file, runArgs, b.timeoutMs(v));
      results.push({ run: label, ok: r.ok, json: r.last });
    }
  }
  if (results.length > 1) {
    process.stderr.write('\n== summary (JSON lines above, one per run) ==\n');
    for (const r of results) process.stderr.write(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.run}\n`);
  }
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

void main();
