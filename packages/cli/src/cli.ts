/** The CLI as a function: argv and streams in, exit code out (main.ts binds it to the process). */
import { VERSION } from '@conclave/server';
import { COMMANDS } from './commands/index';
import { describeError, EXIT } from './errors';
import { helpFor } from './help';
import { parseCommandLine } from './parse';
import type { CliIO } from './spec';

/** Outcome of {@link run}: the exit code, and whether the process must stay up (serve). */
export interface RunResult {
  code: number;
  keepAlive: boolean;
}

/**
 * Runs one `conclave` invocation. Never throws: failures are written to stderr as one line
 * `conclave: <message>` (plus the stack when CONCLAVE_DEBUG=1) and mapped to an exit code.
 */
export async function run(argv: string[], io: CliIO): Promise<RunResult> {
  try {
    const parsed = parseCommandLine(argv, COMMANDS);
    if (parsed.kind === 'version') {
      io.stdout.write(`conclave ${VERSION}\n`);
      return { code: EXIT.ok, keepAlive: false };
    }
    if (parsed.kind === 'help') {
      io.stdout.write(helpFor(parsed.topic, COMMANDS));
      return { code: EXIT.ok, keepAlive: false };
    }
    const { command, values, args } = parsed;
    const code = await command.run({ values, args, io, json: values.json === true });
    return { code, keepAlive: code === EXIT.ok && command.keepAlive === true };
  } catch (err) {
    const { code, message } = describeError(err);
    io.stderr.write(`conclave: ${message}\n`);
    if (io.env.CONCLAVE_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return { code, keepAlive: false };
  }
}
