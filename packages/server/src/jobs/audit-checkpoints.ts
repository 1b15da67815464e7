/**
 * Signs audit checkpoints (AUD-2): checks every few seconds whether an organisation has
 * CONCLAVE_AUDIT_CHECKPOINT_ROWS new rows, or any new rows and CONCLAVE_AUDIT_CHECKPOINT_SECONDS
 * since its last checkpoint. The stop function seals the chain one last time (graceful shutdown).
 */
import type { AuditCheckpoints } from '../modules/audit/checkpoints';

export function startAuditCheckpoints(checkpoints: AuditCheckpoints, intervalMs: number, onError: (err: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const tickMs = Math.max(50, Math.min(5_000, intervalMs));
  const timer = setInterval(() => {
    if (running) return;
    running = checkpoints.tick().catch(onError).finally(() => { running = null; });
  }, tickMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await checkpoints.sealAll().catch(onError);
  };
}
