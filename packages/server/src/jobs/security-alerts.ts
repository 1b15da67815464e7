/**
 * Runs the security alert rules over the audit stream (MON-1) every
 * CONCLAVE_ALERT_SCAN_SECONDS. A scan reads only rows after each organisation's cursor.
 */
import type { AlertEngine } from '../modules/audit/alerts/engine';

export function startSecurityAlerts(engine: AlertEngine, intervalMs: number, onError: (err: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = engine.tick().catch(onError).finally(() => { running = null; });
  }, Math.max(20, intervalMs));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
