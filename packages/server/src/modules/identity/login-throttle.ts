/**
 * Per-address brute-force brake (IAM-1, MON-1). Per-account lockout lives in the users table;
 * this catches one address spraying many accounts. In memory per node: a determined attacker
 * spreading over nodes still meets the per-account lockout.
 */
const WINDOW_MS = 15 * 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly maxFailuresPerWindow = 30) {}

  /** Milliseconds until `ip` may try again, or 0. */
  retryAfter(ip: string | null, now: number): number {
    if (!ip) return 0;
    const list = this.prune(ip, now);
    if (list.length < this.maxFailuresPerWindow) return 0;
    return list[0]! + WINDOW_MS - now;
  }

  fail(ip: string | null, now: number): void {
    if (!ip) return;
    const list = this.prune(ip, now);
    list.push(now);
    this.failures.set(ip, list);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  private prune(ip: string, now: number): number[] {
    const list = (this.failures.get(ip) ?? []).filter((t) => t > now - WINDOW_MS);
    if (list.length) this.failures.set(ip, list);
    else this.failures.delete(ip);
    return list;
  }
}

/** Per-account lockout: after 5 consecutive failures, 1 minute, doubling up to 1 hour. */
export function lockoutMs(failedLogins: number): number {
  if (failedLogins < 5) return 0;
  return Math.min(60_000 * 2 ** (failedLogins - 5), 60 * 60_000);
}
