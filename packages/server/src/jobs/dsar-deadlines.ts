/**
 * Raises deadline alerts for open data-subject requests (GOV-3) every DSAR_SCAN_INTERVAL_MS.
 * Alerts are deduplicated per request and kind, so ticks and nodes may overlap freely.
 */
import type { DsarDeadlines } from '../modules/dsar/deadlines';

/** Deadlines are counted in days: a scan every 15 minutes is prompt enough and costs nothing. */
export const DSAR_SCAN_INTERVAL_MS = 15 * 60_000;

export function startDsarDeadlines(deadlines: DsarDeadlines, intervalMs: number, onError: (err: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = deadlines.tick().catch(onError).finally(() => { running = null; });
  };
  const timer = setInterval(tick, Math.max(20, intervalMs));
  timer.unref();
  // A restarted server should not wait a whole interval to notice a deadline.
  const first = setTimeout(tick, 5_000);
  first.unref();
  return async () => {
    clearInterval(timer);
    clearTimeout(first);
    await running;
  };
}
