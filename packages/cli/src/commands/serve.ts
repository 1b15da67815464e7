/** `conclave serve`: the same as `npm start`. */
import { serve, startupBanner, type Serving } from '@conclave/server';
import { CliError, EXIT } from '../errors';
import { loadCliConfig } from '../deployment';
import type { CommandSpec } from '../spec';

export const serveCommand: CommandSpec = {
  path: ['serve'],
  summary: 'Start the server (prints the first admin\'s login on first start).',
  options: {},
  keepAlive: true,
  details: [
    'Runs until SIGINT/SIGTERM, then shuts down gracefully (CONCLAVE_SHUTDOWN_GRACE_MS).',
    'On first start it creates the organisation and its first administrator',
    '(CONCLAVE_ADMIN_EMAIL, default admin@conclave.local) and prints the login; without',
    'CONCLAVE_ADMIN_PASSWORD the password is a one-time password shown only then.',
    'With --json the start-up notice is one JSON line: {"url", "database", "dataDir", "admin"}.',
    'Log lines (pino JSON, CONCLAVE_LOG_LEVEL) follow on stdout, as with npm start.',
  ].join('\n'),
  examples: ['conclave serve', 'CONCLAVE_PORT=9000 conclave serve --data-dir /var/lib/conclave'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const announce = (s: Serving) => {
      io.stdout.write(json
        ? JSON.stringify({ url: s.url, database: s.server.svc.database.location, dataDir: s.server.config.dataDir, admin: s.server.bootstrap.admin ?? null }) + '\n'
        : startupBanner(s));
    };
    try {
      await serve(config, announce);
    } catch (err) {
      throw new CliError(EXIT.unexpected, `cannot start: ${err instanceof Error ? err.message : String(err)}`);
    }
    return EXIT.ok;
  },
};
