/**
 * Optional alert webhook (MON-1). Nothing leaves the server unless an administrator sets
 * CONCLAVE_ALERT_WEBHOOK_URL (GOV-4). The body is the alert's metadata; with
 * CONCLAVE_ALERT_WEBHOOK_SECRET it carries `X-Conclave-Signature: sha256=<hex HMAC of the body>`.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alert } from '@conclave/protocol';

export interface WebhookTarget {
  url?: string;
  secret?: string;
  /** Blocked by CONCLAVE_OUTBOUND_BLOCK (GOV-4): never calls out, whatever `url` says. */
  blocked?: boolean;
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

export class AlertWebhook {
  constructor(private readonly target: WebhookTarget, private readonly log: Logger, private readonly backoffMs = 1_000) {}

  get enabled(): boolean {
    return !!this.target.url && !this.target.blocked;
  }

  /** Posts the alert; retries twice with backoff; failures are logged, never thrown. */
  async send(orgId: string, alert: Alert): Promise<boolean> {
    const { url, secret } = this.target;
    if (!url || this.target.blocked) return false;
    const body = JSON.stringify({ type: 'conclave.alert', org: orgId, alert });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'conclave-alerts' };
    if (secret) headers['x-conclave-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
        if (res.ok) return true;
        this.log.warn({ status: res.status, attempt, alertId: alert.id }, 'alert webhook answered with an error');
      } catch (err) {
        this.log.warn({ err: (err as Error).message, attempt, alertId: alert.id }, 'alert webhook failed');
      }
      if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, this.backoffMs * 3 ** (attempt - 1)));
    }
    return false;
  }
}
