/**
 * Output conventions: human-readable lines first, then exactly one JSON object as the LAST
 * line of stdout (machine-readable figures). Child processes write to stderr only, so nothing
 * can land after the JSON line.
 */
import os from 'node:os';
import { execSync } from 'node:child_process';

export function openFileLimit(): number | null {
  try {
    const v = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
    return v === 'unlimited' ? Infinity : Number(v);
  } catch {
    return null;
  }
}

/** Machine context, printed at the top of every benchmark and stored in its JSON. */
export function machine(): { cpus: number; cpuModel: string; memGiB: number; node: string; openFiles: number | null } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    openFiles: openFileLimit(),
  };
}

export function header(title: string, notes: string[] = []): void {
  const m = machine();
  line(`== ${title} ==`);
  line(`machine: ${m.cpus} cores (${m.cpuModel}), ${m.memGiB} GiB RAM, Node ${m.node}, ulimit -n ${m.openFiles ?? '?'}`);
  line('note: benchmark clients and the server share these cores (loopback only); figures are for comparing with the raw baseline of the same run, not absolute capacity.');
  for (const n of notes) line(`note: ${n}`);
}

export function line(s = ''): void {
  process.stdout.write(s + '\n');
}

/** Prints the final JSON line. Call once, last. */
export function emitJson(obj: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Status to stderr (progress that must not be mistaken for results). */
export function progress(s: string): void {
  process.stderr.write(`  … ${s}\n`);
}
