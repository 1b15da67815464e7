/**
 * Serving: start the composed server, announce where it listens (and the first admin's login on
 * first start), and shut down gracefully on SIGINT/SIGTERM. Shared by `npm start` (main.ts) and
 * `conclave serve`, so both behave the same.
 */
import type { Config } from './config/config';
import { createServer, type ConclaveServer } from './app';

/** A started server and the URL it listens on. */
export interface Serving {
  server: ConclaveServer;
  /** The bound URL, with a wildcard host shown as localhost. */
  url: string;
}

/** Human-readable start-up lines: URL, storage and, on first start, the first admin's login. */
export function startupBanner({ server, url }: Serving): string {
  const lines = [`Conclave is running at ${url}`, `  database: ${server.svc.database.location}`, `  data dir: ${server.config.dataDir}`];
  return [...lines, ...firstAdminLines(server)].join('\n') + '\n';
}

function firstAdminLines(server: ConclaveServer): string[] {
  const admin = server.bootstrap.admin;
  if (!admin) return [];
  return ['', 'First start: created the organisation and its first administrator.', `  email:    ${admin.email}`,
    admin.oneTimePassword
      ? `  password: ${admin.oneTimePassword}   (one-time: you must change it at first login)`
      : '  password: the one in CONCLAVE_ADMIN_PASSWORD'];
}

/**
 * Starts the server and installs signal handlers that close it within `config.shutdownGraceMs`
 * and then exit the process. `announce` receives the started server (default: prints
 * {@link startupBanner} on stdout). Rejects if the server cannot start (e.g. port in use).
 */
export async function serve(config: Config, announce: (s: Serving) => void = (s) => process.stdout.write(startupBanner(s))): Promise<Serving> {
  const server = await createServer(config);
  let bound: string;
  try {
    bound = await server.listen();
  } catch (err) {
    // The first admin exists now; its one-time password must not be lost with the failed start.
    const admin = firstAdminLines(server);
    if (admin.length) process.stdout.write(admin.slice(1).join('\n') + '\n');
    await server.close().catch(() => undefined);
    throw err;
  }
  const serving: Serving = { server, url: bound.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost') };
  announce(serving);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.svc.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), config.shutdownGraceMs);
    timer.unref();
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return serving;
}
