/** Process entry of `conclave` (loaded by bin/conclave.mjs): run, flush, exit with the code. */
import { run } from './cli';

const flush = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));

const { code, keepAlive } = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
if (!keepAlive) {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  // Exit at once even if a library left a handle open: the command is done and everything is closed.
  process.exit(code);
}
