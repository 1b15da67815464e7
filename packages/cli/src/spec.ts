/** How commands describe themselves: options, arguments, help text and the function that runs them. */
import type { Readable, Writable } from 'node:stream';

/** One command-line option, as node:util parseArgs understands it plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the flag, e.g. `--email <address>`. */
  placeholder?: string;
  description: string;
  required?: boolean;
}

/** The streams and environment a command runs with (process.* in production). */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What a command receives after parsing. */
export interface CommandInput {
  /** Parsed option values (global and the command's own). */
  values: Record<string, string | boolean | undefined>;
  /** Arguments after the command words. */
  args: string[];
  io: CliIO;
  /** `--json` was given: write machine-readable output on stdout. */
  json: boolean;
}

/** A runnable command such as `user create`. */
export interface CommandSpec {
  /** Command words, e.g. ['user', 'create']. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, in order, e.g. [{ name: 'id|email', required: true }]. */
  args?: Array<{ name: string; required: boolean; description: string }>;
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs (output format, notes). */
  details?: string;
  examples?: string[];
  /**
   * Runs the command; resolves to the exit code. Long-running commands (serve) resolve once
   * started and set `keepAlive`.
   */
  run(input: CommandInput): Promise<number>;
  /** The process must stay alive after run() resolves (serve). */
  keepAlive?: boolean;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', placeholder: '<dir>', description: 'Data directory (overrides CONCLAVE_DATA_DIR; default ./data).' },
  'database-url': { type: 'string', placeholder: '<url>', description: 'Database URL, sqlite:<path> or postgres://… (overrides CONCLAVE_DATABASE_URL).' },
  json: { type: 'boolean', description: 'Machine-readable JSON on stdout.' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
};
