/**
 * Data residency (GOV-4): the complete list of places this server may connect to, derived from
 * its configuration — nothing else is ever contacted. Infrastructure the deployment runs on
 * (PostgreSQL, Redis, S3-compatible storage, a virus scanner) is listed for the record;
 * integrations that send data to a third party (today: the alert webhook) can additionally be
 * blocked with CONCLAVE_OUTBOUND_BLOCK, which wins over their own setting.
 */
import type { Config } from '../config/config';

export type OutboundKind = 'infrastructure' | 'integration';

export interface OutboundDestination {
  /** Stable name, as used in CONCLAVE_OUTBOUND_BLOCK. */
  name: string;
  kind: OutboundKind;
  purpose: string;
  /** Where, without credentials or path secrets. */
  target: string;
  /** The variable that configured it. */
  setting: string;
  blocked: boolean;
}

/** Integration names CONCLAVE_OUTBOUND_BLOCK accepts (besides `all`). */
export const OUTBOUND_INTEGRATIONS = ['alert_webhook'] as const;

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparseable)';
  }
}

/** Every configured outbound destination, in a fixed order. */
export function outboundDestinations(config: Config): OutboundDestination[] {
  const blocked = (name: string) => config.outboundBlock.includes('all') || config.outboundBlock.includes(name);
  const out: OutboundDestination[] = [];
  if (/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    out.push({ name: 'database', kind: 'infrastructure', purpose: 'PostgreSQL database', target: hostOf(config.databaseUrl), setting: 'CONCLAVE_DATABASE_URL', blocked: false });
  }
  if (config.redisUrl) out.push({ name: 'redis', kind: 'infrastructure', purpose: 'realtime bus between nodes', target: hostOf(config.redisUrl), setting: 'CONCLAVE_REDIS_URL', blocked: false });
  if (config.s3) out.push({ name: 'blob_store', kind: 'infrastructure', purpose: 'S3-compatible storage of encrypted file parts', target: hostOf(config.s3.endpoint), setting: 'CONCLAVE_S3_ENDPOINT', blocked: false });
  if (config.clamdUrl) out.push({ name: 'virus_scanner', kind: 'infrastructure', purpose: 'clamd scan of uploads', target: config.clamdUrl, setting: 'CONCLAVE_CLAMD_URL', blocked: false });
  if (config.alerts.webhookUrl) {
    out.push({ name: 'alert_webhook', kind: 'integration', purpose: 'security alert metadata to a SIEM/chat webhook', target: hostOf(config.alerts.webhookUrl), setting: 'CONCLAVE_ALERT_WEBHOOK_URL', blocked: blocked('alert_webhook') });
  }
  return out;
}

/** Whether integration `name` may call out now. */
export function outboundAllowed(config: Config, name: (typeof OUTBOUND_INTEGRATIONS)[number]): boolean {
  return !(config.outboundBlock.includes('all') || config.outboundBlock.includes(name));
}
