/** Output helpers: JSON for scripts, aligned tables for people. */
import type { Writable } from 'node:stream';

/** Writes `value` as pretty JSON plus a newline. */
export function writeJson(out: Writable, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

/** Formats rows as a left-aligned table with a header; cells are made single-line. */
export function table(header: string[], rows: string[][]): string {
  const clean = (s: string) => s.replace(/[\r\n\t]+/g, ' ');
  const all = [header, ...rows.map((r) => r.map(clean))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
