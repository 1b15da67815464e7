/** Help texts: global, per group (`conclave user --help`) and per command. */
import { usage } from './errors';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './spec';

/** The exit-code contract, as shown in help and README.md. */
export const EXIT_CODE_HELP = [
  '  0  ok',
  '  1  unexpected error',
  '  2  usage error: unknown command or option, missing or malformed argument',
  '  3  configuration error: a CONCLAVE_* variable (or flag) has a bad value',
  '  4  not found: no such user, or no organisation yet',
  '  5  conflict: email already used, already (de)activated, last owner',
  '  6  invalid input: validation or password policy',
  '  7  unavailable: the database is unreachable',
  '  8  audit verification failed: the audit trail or export was altered, cut or forged',
].join('\n');

const FOOTER = [
  'Configuration: the same CONCLAVE_* environment variables as the server (docs/CONFIGURATION.md);',
  '--data-dir and --database-url override them. Errors are one line on stderr: "conclave: <message>"',
  '(set CONCLAVE_DEBUG=1 for stack traces).',
  '',
  'Exit codes:',
  EXIT_CODE_HELP,
].join('\n');

function synopsis(c: CommandSpec): string {
  const args = (c.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`));
  const opts = Object.entries(c.options).map(([n, o]) => {
    const flag = `--${n}${o.type === 'string' ? ` ${o.placeholder ?? '<value>'}` : ''}`;
    return o.required ? flag : `[${flag}]`;
  });
  return ['conclave', ...c.path, ...args, ...opts].join(' ');
}

function optionLines(specs: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(specs).map(([n, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${n}${o.type === 'string' ? ` ${o.placeholder ?? '<value>'}` : ''}`,
    o.description + (o.required ? ' (required)' : ''),
  ]);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([f, d]) => `  ${f!.padEnd(width)}  ${d}`);
}

function commandList(commands: CommandSpec[], extra: string[][] = []): string[] {
  const rows = [...commands.map((c) => [[...c.path, ...(c.args ?? []).map((a) => `<${a.name}>`)].join(' '), c.summary]), ...extra];
  const width = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([n, s]) => `  ${n!.padEnd(width)}  ${s}`);
}

/** `conclave --help`. */
export function globalHelp(commands: CommandSpec[]): string {
  return [
    'conclave: run and administer a Conclave deployment',
    '',
    'Usage: conclave <command> [options]',
    '',
    'Commands:',
    ...commandList(commands, [['help [<command>]', 'Show help for a command.']]),
    '',
    'Global options:',
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: 'boolean', description: 'Print the version.' } }),
    '',
    FOOTER,
    '',
  ].join('\n');
}

/** Help for one command. */
export function commandHelp(c: CommandSpec): string {
  const lines = [`Usage: ${synopsis(c)}`, '', c.summary];
  if (c.args?.length) lines.push('', 'Arguments:', ...c.args.map((a) => `  <${a.name}>  ${a.description}`));
  if (Object.keys(c.options).length) lines.push('', 'Options:', ...optionLines(c.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (c.details) lines.push('', c.details);
  if (c.examples?.length) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  lines.push('', FOOTER, '');
  return lines.join('\n');
}

/** Help for a topic (command words); a usage error when no command or group matches. */
export function helpFor(topic: string[], commands: CommandSpec[]): string {
  if (topic.length === 0) return globalHelp(commands);
  const exact = commands.find((c) => c.path.length === topic.length && c.path.every((w, i) => topic[i] === w));
  if (exact) return commandHelp(exact);
  const group = commands.filter((c) => c.path.length > topic.length && topic.every((w, i) => c.path[i] === w));
  if (group.length === 0) throw usage(`unknown command '${topic.join(' ')}' (see conclave --help)`);
  return [`Usage: conclave ${topic.join(' ')} <command> [options]`, '', 'Commands:', ...commandList(group), '', `Run conclave ${topic.join(' ')} <command> --help for details.`, ''].join('\n');
}
