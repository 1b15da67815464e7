/** Argument parsing and error mapping, in-process (fast): the contract scripts rely on. */
import { describe, expect, it } from 'vitest';
import { AppError, ConfigError } from '@conclave/server';
import { COMMANDS } from './commands/index';
import { describeError, EXIT } from './errors';
import { helpFor } from './help';
import { parseCommandLine } from './parse';

const parse = (...argv: string[]) => parseCommandLine(argv, COMMANDS);
const usageOf = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    return describeError(err);
  }
  throw new Error('expected a usage error');
};

describe('parseCommandLine', () => {
  it('finds the command with global flags anywhere', () => {
    const p = parse('--data-dir', '/tmp/x', 'user', 'deactivate', '--json', 'bob@example.com');
    expect(p).toMatchObject({ kind: 'run', command: { path: ['user', 'deactivate'] }, args: ['bob@example.com'], values: { 'data-dir': '/tmp/x', json: true } });
  });

  it('answers --help, help <command> and --version', () => {
    expect(parse('user', 'create', '--help')).toEqual({ kind: 'help', topic: ['user', 'create'] });
    expect(parse('help', 'user')).toEqual({ kind: 'help', topic: ['user'] });
    expect(parse('--version')).toEqual({ kind: 'version' });
    expect(helpFor(['user'], COMMANDS)).toMatch(/user deactivate <id\|email>/);
  });

  it('names what is wrong in usage errors (exit 2)', () => {
    expect(usageOf()).toEqual({ code: EXIT.usage, message: expect.stringMatching(/missing command/) });
    expect(usageOf('user')).toEqual({ code: EXIT.usage, message: 'missing subcommand: conclave user <create|list|deactivate|reactivate>' });
    expect(usageOf('user', 'deactivate')).toEqual({ code: EXIT.usage, message: expect.stringMatching(/missing argument <id\|email>/) });
    expect(usageOf('user', 'list', 'extra')).toEqual({ code: EXIT.usage, message: expect.stringMatching(/unexpected argument 'extra'/) });
    expect(usageOf('status', '--all')).toEqual({ code: EXIT.usage, message: expect.stringMatching(/unknown option --all for `conclave status`/) });
    expect(usageOf('user', 'create', '--name', 'N', '--email')).toEqual({ code: EXIT.usage, message: expect.stringMatching(/--email needs a value/) });
    expect(usageOf('user', 'list', '--json=yes')).toEqual({ code: EXIT.usage, message: expect.stringMatching(/--json does not take a value/) });
  });
});

describe('describeError', () => {
  it('maps server errors to exit codes and flag names', () => {
    expect(describeError(new AppError('validation_failed', 'role: unknown role "x"'))).toEqual({ code: EXIT.invalid, message: '--role: unknown role "x"' });
    expect(describeError(new AppError('password_policy', 'password must have: a digit')).code).toBe(EXIT.invalid);
    expect(describeError(new AppError('conflict', 'taken')).code).toBe(EXIT.conflict);
    expect(describeError(new AppError('not_found', 'user not found')).code).toBe(EXIT.notFound);
    expect(describeError(new Error('boom'))).toEqual({ code: EXIT.unexpected, message: 'unexpected error: boom' });
  });

  it('puts a configuration error on one line', () => {
    const err = new ConfigError('Invalid configuration:\n  CONCLAVE_PORT: bad\n  CONCLAVE_HOST: worse');
    expect(describeError(err)).toEqual({ code: EXIT.config, message: 'invalid configuration: CONCLAVE_PORT: bad; CONCLAVE_HOST: worse' });
  });
});
