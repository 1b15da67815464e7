/**
 * Command-line parsing with node:util parseArgs: find the command words, then parse strictly
 * with that command's options so an unknown or misspelt flag is a usage error naming it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './errors';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './spec';

/** The outcome of parsing: something to run, or help/version to print. */
export type Parsed =
  | { kind: 'version' }
  | { kind: 'help'; topic: string[] }
  | { kind: 'run'; command: CommandSpec; values: Record<string, string | boolean | undefined>; args: string[] };

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

function toParseOptions(specs: Record<string, OptionSpec>): ParseOptions {
  const out: ParseOptions = {};
  for (const [name, o] of Object.entries(specs)) out[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  return out;
}

/** Parses `argv` (without node and script) against `commands`; throws a usage CliError. */
export function parseCommandLine(argv: string[], commands: CommandSpec[]): Parsed {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, version: { type: 'boolean', description: '' } };
  for (const c of commands) Object.assign(all, c.options);
  // Loose pass: learn the command words while consuming option values correctly.
  const loose = parseArgs({ args: argv, options: toParseOptions(all), strict: false, allowPositionals: true, tokens: true });
  for (const t of loose.tokens ?? []) {
    if (t.kind === 'option' && !(t.name in all)) throw usage(`unknown option ${t.rawName}`);
  }
  const words = loose.positionals;
  const wantsHelp = loose.values.help === true;
  if (words[0] === 'help') return { kind: 'help', topic: words.slice(1) };
  if (words.length === 0) {
    if (loose.values.version === true) return { kind: 'version' };
    if (wantsHelp) return { kind: 'help', topic: [] };
    throw usage('missing command (see conclave --help)');
  }
  const command = findCommand(words, commands);
  if (wantsHelp) return { kind: 'help', topic: command ? command.path : words };
  if (!command) throw unknownCommand(words, commands);

  const own = { ...GLOBAL_OPTIONS, ...command.options };
  let strict;
  try {
    strict = parseArgs({ args: argv, options: toParseOptions(own), strict: true, allowPositionals: true });
  } catch (err) {
    throw usage(`${parseErrorMessage(err)} for \`conclave ${command.path.join(' ')}\``);
  }
  const args = strict.positionals.slice(command.path.length);
  const specs = command.args ?? [];
  if (args.length > specs.length) throw usage(`unexpected argument '${args[specs.length]}' for \`conclave ${command.path.join(' ')}\``);
  const missingArg = specs.find((a, i) => a.required && args[i] === undefined);
  if (missingArg) throw usage(`missing argument <${missingArg.name}> for \`conclave ${command.path.join(' ')}\``);
  for (const [name, o] of Object.entries(own)) {
    const v = strict.values[name];
    if (o.required && v === undefined) throw usage(`missing required option --${name} for \`conclave ${command.path.join(' ')}\``);
    if (o.type === 'string' && v === '') throw usage(`--${name} must not be empty`);
  }
  return { kind: 'run', command, values: strict.values as Record<string, string | boolean | undefined>, args };
}

/** The command whose words start `words` (longest match). */
export function findCommand(words: string[], commands: CommandSpec[]): CommandSpec | undefined {
  return commands
    .filter((c) => c.path.every((w, i) => words[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

function unknownCommand(words: string[], commands: CommandSpec[]) {
  const group = commands.filter((c) => c.path.length > 1 && c.path[0] === words[0]);
  if (group.length === 0) return usage(`unknown command '${words[0]}' (see conclave --help)`);
  const subs = group.map((c) => c.path[1]).join('|');
  return words[1] === undefined
    ? usage(`missing subcommand: conclave ${words[0]} <${subs}>`)
    : usage(`unknown command '${words[0]} ${words[1]}' (expected conclave ${words[0]} <${subs}>)`);
}

/** parseArgs messages are long and suggest `--`; keep what names the problem. */
function parseErrorMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(e.message ?? '')?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0] ?? quoted;
      if (/argument missing/.test(e.message ?? '')) return `option ${flag} needs a value`;
      if (/ambiguous/.test(e.message ?? '')) return `option ${flag} needs a value (for a value starting with '-', write ${flag}=<value>)`;
      return `option ${flag} does not take a value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument '${quoted}'`;
    default: return e.message ?? String(err);
  }
}
