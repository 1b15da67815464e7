/**
 * Scheduled retention (GOV-1): every CONCLAVE_RETENTION_INTERVAL_HOURS, one retention run of
 * the organisation by the system actor. A run still going (or started by hand) is left alone.
 * In a cluster, give the schedule to one node (set the variable to 0 on the others).
 */
import { systemActor } from '../kernel/actor';
import { AppError } from '../kernel/errors';
import type { RetentionRunner } from '../modules/governance/retention.runner';

export function startRetentionJob(runner: RetentionRunner, orgId: () => string, intervalMs: number, onError: (err: unknown) => void): () => Promise<void> {
  const timer = setInterval(() => {
    const org = orgId();
    if (!org) return;
    runner.start(systemActor(org, 'retention'), 'schedule').catch((err) => {
      if (!(err instanceof AppError && err.code === 'conflict')) onError(err);
    });
  }, Math.max(1000, intervalMs));
  timer.unref();
  return async () => clearInterval(timer);
}
