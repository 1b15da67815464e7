/**
 * The local deployment as the CLI sees it: the server's configuration (CONCLAVE_* variables,
 * overridden by --data-dir / --database-url) and the composed server, opened without binding
 * a port or creating the first admin, acting as the system actor so every write still goes
 * through runAction and is audited.
 */
import fs from 'node:fs';
import pino, { type Logger } from 'pino';
import {
  createServer, findDefaultOrg, loadConfig, openDatabase, pingDatabase, systemActor,
  type Actor, type Config, type ConclaveServer, type Database,
} from '@conclave/server';
import { CliError, EXIT } from './errors';

/** Label written to the audit log (user_agent of the system actor) for CLI actions. */
export const AUDIT_LABEL = 'cli';

/** Builds the server configuration from the environment and the global flags (throws ConfigError). */
export function loadCliConfig(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Config {
  const e: NodeJS.ProcessEnv = { ...env };
  if (typeof values['data-dir'] === 'string') e.CONCLAVE_DATA_DIR = values['data-dir'];
  if (typeof values['database-url'] === 'string') e.CONCLAVE_DATABASE_URL = values['database-url'];
  return loadConfig(e);
}

/** The SQLite file named by a database URL, or null for PostgreSQL. */
export function sqliteFile(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
}

/** An opened deployment: the composed server (not listening), its organisation and the CLI's actor. */
export interface Deployment {
  server: ConclaveServer;
  orgId: string;
  /** The system actor the CLI acts as (audited as actor_type 'system', label 'cli'). */
  actor: Actor;
}

/** Log lines go to stderr so stdout stays clean for output (and --json). */
function stderrLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: ['*.password', '*.token'] }, pino.destination({ dest: 2, sync: true }));
}

function noOrganisation(): CliError {
  return new CliError(EXIT.notFound, 'no organisation yet: run `conclave serve` once first');
}

/**
 * Fails (exit 4) before anything is created when the deployment was never started: no SQLite
 * file, or no organisation row. Opening the server would otherwise create a database and a
 * master key in what may simply be a mistyped --data-dir.
 */
async function requireOrganisation(config: Config): Promise<void> {
  const file = sqliteFile(config.databaseUrl);
  if (file !== null && file !== ':memory:' && !fs.existsSync(file)) throw noOrganisation();
  let database: Database | null = null;
  try {
    database = openDatabase(config.databaseUrl, { schema: config.databaseSchema, poolSize: 1 });
    if (!(await pingDatabase(database))) throw new CliError(EXIT.unavailable, `database unreachable: ${database.location}`);
    const org = await findDefaultOrg(database.db).catch(() => undefined);
    if (!org) throw noOrganisation();
  } finally {
    await database?.close();
  }
}

/**
 * Opens the deployment, runs `fn`, and always closes the server and database afterwards so the
 * process can exit at once.
 */
export async function withDeployment<T>(config: Config, fn: (d: Deployment) => Promise<T>): Promise<T> {
  await requireOrganisation(config);
  const server = await createServer(config, { skipBootstrap: true, log: stderrLogger(config) });
  try {
    if (!server.bootstrap.orgId) throw noOrganisation();
    return await fn({ server, orgId: server.bootstrap.orgId, actor: systemActor(server.bootstrap.orgId, AUDIT_LABEL) });
  } finally {
    await server.close();
  }
}
