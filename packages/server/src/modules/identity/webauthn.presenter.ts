/** Security-key row → wire object (IAM-1): never the public key, counter or credential id. */
import type { ResponseOf } from '@conclave/protocol';
import type { CredentialRow } from './webauthn.store';

type SecurityKey = ResponseOf<'listSecurityKeys'>['credentials'][number];

export function presentSecurityKey(row: CredentialRow): SecurityKey {
  return {
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    transports: parseTransports(row.transports),
    backedUp: row.backed_up === 1,
  };
}

export function parseTransports(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
