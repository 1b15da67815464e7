/**
 * Prepares the benchmarks' own PostgreSQL database (see lib/env.ts for why it is separate):
 * creates it when missing and drops schemas left behind by benchmark or testkit processes
 * that no longer exist (a run stopped by the runner's time limit, a crash). Schemas whose
 * owning process is still alive are never touched. Idempotent; cheap after the first call.
 */
import pg from 'pg';
import { BENCH_DATABASE, PG_URL, SOURCE_PG_URL } from './env';

/** testkit `t_<pid>_<n>_<hex>`, raw baseline `bench_raw_<pid>_<hex>`, diagnostics `diag_a_<pid>`. */
const OWNED = /^(?:t|bench_raw|diag_[a-z])_(\d+)(?:_|$)/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let prepared: Promise<void> | null = null;

export function preparePostgres(): Promise<void> {
  prepared ??= doPrepare();
  return prepared;
}

async function doPrepare(): Promise<void> {
  let c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: database does not exist
    const admin = new pg.Client({ connectionString: SOURCE_PG_URL, connectionTimeoutMillis: 5000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${BENCH_DATABASE}"`);
    } catch (e) {
      // Another benchmark process created it meanwhile.
      if (!['42P04', '23505'].includes((e as { code?: string }).code ?? '')) throw e;
    } finally {
      await admin.end();
    }
    c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    await c.connect();
  }
  try {
    const { rows } = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace`);
    for (const { nspname } of rows) {
      const m = OWNED.exec(nspname);
      if (!m || alive(Number(m[1]))) continue;
      await c.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
      process.stderr.write(`  … dropped stale PostgreSQL schema ${nspname} (its process ${m[1]} is gone)\n`);
    }
  } finally {
    await c.end();
  }
}
