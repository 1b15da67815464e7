/** Tiny `--name value` / `--flag` parser for the benchmark scripts (no dependency needed). */

export type Args = Map<string, string>;

export function parseArgs(argv: string[] = process.argv.slice(2)): Args {
  const out: Args = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) { out.set(a.slice(2, eq), a.slice(eq + 1)); continue; }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { out.set(a.slice(2), next); i++; } else out.set(a.slice(2), 'true');
  }
  return out;
}

export function intArg(args: Args, name: string, dflt: number): number {
  const v = args.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${v}"`);
  return Math.floor(n);
}

export function listArg(args: Args, name: string, dflt: string[]): string[] {
  const v = args.get(name);
  return v === undefined ? dflt : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export type Dialect = 'sqlite' | 'postgres';

export function dialectArg(args: Args, dflt: Dialect = 'sqlite'): Dialect {
  const v = args.get('dialect') ?? dflt;
  if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--dialect: sqlite or postgres, got "${v}"`);
  return v;
}
