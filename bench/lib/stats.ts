/** Latency histogram and small number helpers shared by the benchmarks. */

/**
 * Fixed-resolution histogram: 0.05 ms buckets up to 60 s (1.2 M counters, 4.8 MB). Recording is
 * O(1) and allocation-free, so recording millions of deliveries does not disturb the run.
 */
export class Histogram {
  private static readonly RES = 0.05;
  private readonly buckets = new Uint32Array(Math.ceil(60_000 / Histogram.RES) + 1);
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    const i = Math.min(this.buckets.length - 1, Math.floor(v / Histogram.RES));
    this.buckets[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The p-th percentile (0..100), in ms, at 0.05 ms resolution (upper edge of the bucket). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return (i + 1) * Histogram.RES;
    }
    return this.max;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }
}

/** Rounds for display and JSON (keeps figures readable without pretending to more precision). */
export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Formats an integer with thin grouping for human output. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
