/**
 * Machine-wide CPU accounting (Linux /proc/stat), so a run can say how much of the machine
 * OTHER processes used while it measured — on a shared 2-core box that is the main source of
 * noise, and a figure taken under heavy foreign load must be read as such.
 */
import fs from 'node:fs';
import os from 'node:os';
import { sleep } from './stats';

export interface CpuSnapshot { busyMs: number; at: number }

export function machineCpu(): CpuSnapshot | null {
  try {
    const first = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = first.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
    const busy = f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
    const hz = 100; // USER_HZ is 100 on every Linux we run on.
    return { busyMs: (busy * 1000) / hz, at: performance.now() };
  } catch {
    return null;
  }
}

/** % of the whole machine (all cores) used by processes other than ours between two snapshots. */
export function otherCpuPct(a: CpuSnapshot | null, b: CpuSnapshot | null, ourCpuMs: number): number | null {
  if (!a || !b) return null;
  const wall = b.at - a.at;
  if (wall <= 0) return null;
  const other = Math.max(0, b.busyMs - a.busyMs - ourCpuMs);
  return Math.round((other / (wall * os.cpus().length)) * 100);
}

/**
 * Waits (at most `maxMs`, default 60 s or BENCH_QUIET_WAIT_S) until the machine is mostly idle,
 * sampling 1 s at a time; returns the last measured busy %. Benchmarks start from a quiet
 * machine when they can.
 */
export async function waitForQuiet(maxBusyPct = 25, maxMs = Number(process.env.BENCH_QUIET_WAIT_S ?? 60) * 1000): Promise<number | null> {
  const end = Date.now() + maxMs;
  let pct: number | null = null;
  do {
    const a = machineCpu();
    await sleep(1000);
    pct = otherCpuPct(a, machineCpu(), 0);
    if (pct === null || pct <= maxBusyPct) return pct;
    process.stderr.write(`  … machine busy (${pct}% of all cores used by other processes); waiting for it to calm down\n`);
  } while (Date.now() < end);
  return pct;
}
