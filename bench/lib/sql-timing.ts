/**
 * Diagnostic only (`--sql-timing`): wraps better-sqlite3 statements in THIS process to count
 * prepares and time each statement's execution by SQL text, so a profile's anonymous native
 * `run`/`all`/`Statement` time can be attributed to concrete queries. It adds overhead of its
 * own; never use it for the reported figures.
 */
import SQLite from 'better-sqlite3';

interface Stat { prepares: number; calls: number; ms: number; prepareMs: number }
const stats = new Map<string, Stat>();
let installed = false;

export function installSqlTiming(): void {
  if (installed) return;
  installed = true;
  const proto = (SQLite as unknown as { prototype: { prepare(sql: string): unknown } }).prototype;
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const key = sql.replace(/\s+/g, ' ').replace(/\(\?(, \?)*\)/g, '(?…)').replace(/(\(\?…\), )+\(\?…\)/g, '(?…), …').slice(0, 140);
    const s = stats.get(key) ?? { prepares: 0, calls: 0, ms: 0, prepareMs: 0 };
    stats.set(key, s);
    const t0 = performance.now();
    const stmt = prepare.call(this, sql) as Record<string, (...a: unknown[]) => unknown>;
    s.prepareMs += performance.now() - t0;
    s.prepares++;
    for (const m of ['run', 'all', 'get', 'iterate']) {
      const orig = stmt[m];
      if (typeof orig !== 'function') continue;
      stmt[m] = (...a: unknown[]) => {
        const t = performance.now();
        try { return orig.apply(stmt, a); } finally { s.ms += performance.now() - t; s.calls++; }
      };
    }
    return stmt;
  };
}

export function resetSqlTiming(): void {
  // Zero in place: statements cached by the server's LRU (storage/db.ts) keep their Stat object,
  // so clearing the map would leave every later call counted nowhere.
  for (const s of stats.values()) { s.prepares = 0; s.calls = 0; s.ms = 0; s.prepareMs = 0; }
}

export function sqlTimingReport(top = 25): string {
  const rows = [...stats.entries()].filter(([, s]) => s.calls || s.prepares).sort((a, b) => (b[1].ms + b[1].prepareMs) - (a[1].ms + a[1].prepareMs)).slice(0, top);
  const total = [...stats.values()].reduce((a, s) => a + s.ms + s.prepareMs, 0);
  const calls = [...stats.values()].reduce((a, s) => a + s.calls, 0);
  const lines = [`SQL time in the server process (exec + prepare), total ${total.toFixed(0)} ms, ${calls} statement executions:`];
  for (const [sql, s] of rows) {
    lines.push(`  ${s.ms.toFixed(0).padStart(6)} ms exec ${s.prepareMs.toFixed(0).padStart(5)} ms prepare  ${String(s.calls).padStart(7)} calls  ${sql}`);
  }
  return lines.join('\n');
}
