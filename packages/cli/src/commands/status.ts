/** `conclave status`: is the deployment healthy? Database, migrations, organisation, users, server. */
import fs from 'node:fs';
import { MIGRATIONS, findDefaultOrg, listUsers, openDatabase, pingDatabase, type Config, type Database } from '@conclave/server';
import { EXIT, usage } from '../errors';
import { loadCliConfig, sqliteFile } from '../deployment';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';

/** What `status --json` prints. */
export interface StatusReport {
  database: { location: string; reachable: boolean; error: string | null };
  migrations: { state: 'up_to_date' | 'pending' | 'not_initialised' | 'newer_than_cli' | 'unknown'; applied: string[]; pending: string[] };
  org: { id: string; name: string } | null;
  users: { active: number; deactivated: number } | null;
  server: { url: string; ready: boolean; detail: string } | null;
}

export const statusCommand: CommandSpec = {
  path: ['status'],
  summary: 'Show database, migrations, organisation, user counts and server readiness.',
  options: {
    url: { type: 'string', placeholder: '<url>', description: 'Server to probe at /readyz (default http://localhost:$CONCLAVE_PORT).' },
  },
  details: [
    'Reads only: creates nothing, even when the database does not exist yet.',
    'Exit 0 when the database is reachable (whether or not the server answers), 7 when not.',
    'With --json: {"database", "migrations", "org", "users", "server"}.',
  ].join('\n'),
  examples: ['conclave status', 'conclave status --url https://chat.example.com --json'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const url = typeof values.url === 'string' ? values.url : config.port ? `http://localhost:${config.port}` : null;
    if (url !== null && !/^https?:\/\/[^/]/.test(url)) throw usage('--url: must be an http:// or https:// URL');
    const [report, server] = await Promise.all([inspectDatabase(config), url ? probe(url) : Promise.resolve(null)]);
    const full: StatusReport = { ...report, server };
    if (json) writeJson(io.stdout, full);
    else io.stdout.write(render(full));
    if (full.database.reachable) return EXIT.ok;
    io.stderr.write(`conclave: database unreachable: ${full.database.location}: ${full.database.error}\n`);
    return EXIT.unavailable;
  },
};

async function inspectDatabase(config: Config): Promise<Omit<StatusReport, 'server'>> {
  const file = sqliteFile(config.databaseUrl);
  const none = { migrations: { state: 'unknown' as const, applied: [], pending: [] }, org: null, users: null };
  if (file !== null && file !== ':memory:' && !fs.existsSync(file)) {
    return { database: { location: `sqlite:${file}`, reachable: false, error: 'does not exist yet (run `conclave serve` once)' }, ...none };
  }
  let database: Database | null = null;
  try {
    database = openDatabase(config.databaseUrl, { schema: config.databaseSchema, poolSize: 1 });
    if (!(await pingDatabase(database))) return { database: { location: database.location, reachable: false, error: 'does not answer' }, ...none };
    const migrations = await migrationState(database);
    const org = migrations.applied.length ? await findDefaultOrg(database.db).catch(() => undefined) : undefined;
    let users: StatusReport['users'] = null;
    if (org) {
      const rows = await listUsers(database.db, org.id, { includeDeactivated: true, limit: 1_000_000 });
      users = { active: rows.filter((r) => r.status === 'active').length, deactivated: rows.filter((r) => r.status !== 'active').length };
    }
    return { database: { location: database.location, reachable: true, error: null }, migrations, org: org ? { id: org.id, name: org.settings.name } : null, users };
  } catch (err) {
    return { database: { location: database?.location ?? config.databaseUrl.replace(/\/\/[^@/]*@/, '//'), reachable: false, error: err instanceof Error ? err.message : String(err) }, ...none };
  } finally {
    await database?.close();
  }
}

/** Applied vs known migrations, read from Kysely's bookkeeping table without migrating. */
async function migrationState(database: Database): Promise<StatusReport['migrations']> {
  const known = Object.keys(MIGRATIONS);
  const applied = await database.db.withTables<{ kysely_migration: { name: string; timestamp: string } }>()
    .selectFrom('kysely_migration').select('name').orderBy('name').execute()
    .then((rows) => rows.map((r) => r.name), () => [] as string[]);
  const pending = known.filter((n) => !applied.includes(n));
  const state = applied.length === 0 ? 'not_initialised' : applied.some((n) => !known.includes(n)) ? 'newer_than_cli' : pending.length ? 'pending' : 'up_to_date';
  return { state, applied, pending };
}

async function probe(url: string): Promise<NonNullable<StatusReport['server']>> {
  try {
    const res = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return { url, ready: res.ok, detail: res.ok ? 'ready' : `not ready (${res.status}${body?.error?.message ? `: ${body.error.message}` : ''})` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.name : 'error');
    return { url, ready: false, detail: `not answering (${cause})` };
  }
}

const MIGRATION_TEXT: Record<StatusReport['migrations']['state'], string> = {
  up_to_date: 'up to date', pending: 'pending (applied at next start)', not_initialised: 'not initialised',
  newer_than_cli: 'database is newer than this CLI', unknown: 'unknown',
};

function render(r: StatusReport): string {
  const lines = [
    `database:   ${r.database.location} — ${r.database.reachable ? 'reachable' : `unreachable: ${r.database.error}`}`,
    `migrations: ${MIGRATION_TEXT[r.migrations.state]}${r.migrations.applied.length ? ` (${r.migrations.applied.length} applied${r.migrations.pending.length ? `, ${r.migrations.pending.length} pending: ${r.migrations.pending.join(', ')}` : ''})` : ''}`,
    `org:        ${r.org ? `${r.org.name} (${r.org.id})` : r.database.reachable ? 'none yet (run `conclave serve` once)' : '-'}`,
    `users:      ${r.users ? `${r.users.active} active, ${r.users.deactivated} deactivated` : '-'}`,
    `server:     ${r.server ? `${r.server.url} — ${r.server.detail}` : 'not probed (no --url and CONCLAVE_PORT=0)'}`,
  ];
  return lines.join('\n') + '\n';
}
