/** Closed-loop driver: `concurrency` workers call `fn` back to back until `ms` have passed. */
export interface LoopResult { count: number; errors: number; seconds: number; perSec: number; firstError: string | null }

export async function runFor(ms: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<LoopResult> {
  const t0 = performance.now();
  const end = t0 + ms;
  let next = 0;
  let count = 0;
  let errors = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await fn(next++);
        count++;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { count, errors, seconds, perSec: count / seconds, firstError };
}
