/**
 * Exit codes and error mapping. Scripts rely on these numbers: they are part of the CLI's
 * contract (README.md, `conclave --help`); add new codes, never renumber.
 */
import { AppError, ConfigError } from '@conclave/server';

/** Process exit codes of `conclave`. */
export const EXIT = {
  ok: 0,
  /** Unexpected error (a bug, or the environment failed: disk, network…). */
  unexpected: 1,
  /** Unknown command or option, missing or malformed argument. */
  usage: 2,
  /** A CONCLAVE_* environment variable (or flag) has a bad value. */
  config: 3,
  /** No such user (or no organisation yet). */
  notFound: 4,
  /** Conflicts with the current state: email exists, already deactivated, last owner… */
  conflict: 5,
  /** Input rejected by validation or the password policy. */
  invalid: 6,
  /** The database is unreachable (`status`) or the server unavailable. */
  unavailable: 7,
  /** `audit verify`: the audit trail or export does not verify (tampered, truncated, forged). */
  auditInvalid: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and turns into `exitCode`. */
export class CliError extends Error {
  constructor(readonly exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

const APP_CODE_EXIT: Partial<Record<AppError['code'], ExitCode>> = {
  bad_request: EXIT.invalid,
  validation_failed: EXIT.invalid,
  password_policy: EXIT.invalid,
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  unavailable: EXIT.unavailable,
};

/** How a request field is named on the command line, so messages name the flag to fix. */
const FIELD_FLAGS: Record<string, string> = { email: '--email', name: '--name', role: '--role', password: 'password', clearance: '--clearance' };

/** Renames a leading `field:` in a server message to the flag that set it (`role: …` → `--role: …`). */
export function flagMessage(message: string): string {
  const m = /^([a-zA-Z]+): (.*)$/s.exec(message);
  return m && FIELD_FLAGS[m[1]!] ? `${FIELD_FLAGS[m[1]!]}: ${m[2]}` : message;
}

/** Maps any thrown value to the one-line message and exit code the CLI reports. */
export function describeError(err: unknown): { code: ExitCode; message: string } {
  if (err instanceof CliError) return { code: err.exitCode, message: err.message };
  if (err instanceof ConfigError) return { code: EXIT.config, message: oneLine(err.message) };
  if (err instanceof AppError) return { code: APP_CODE_EXIT[err.code] ?? EXIT.unexpected, message: flagMessage(oneLine(err.message)) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT.unexpected, message: `unexpected error: ${oneLine(message)}` };
}

/** `Invalid configuration:\n  A: x\n  B: y` → `invalid configuration: A: x; B: y`. */
function oneLine(message: string): string {
  const [head, ...rest] = message.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!head) return 'error';
  if (rest.length === 0) return head;
  return `${head.endsWith(':') ? head.slice(0, -1) : head}: ${rest.join('; ')}`.replace(/^Invalid/, 'invalid');
}
