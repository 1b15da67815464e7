/** `npm start`: read config, open storage, create the first admin on first start, serve. */
import { ConfigError, loadConfig } from './config/config';
import { serve } from './serve';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/CONFIGURATION.md.\n`);
      process.exit(2);
    }
    throw err;
  }
  await serve(config);
}

main().catch((err) => {
  process.stderr.write(`Conclave failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
