/**
 * Audit writer (AUD-1, AUD-2): appends one hash-chained row inside the caller's transaction.
 * Rows carry metadata only — never message content, tokens or passwords (rule 5).
 */
import { auditRowHash, canonicalJson, GENESIS_HASH } from '@conclave/crypto';
import type { Trx } from '../storage/tx';
import type { Actor } from './actor';
import { newId } from './ids';

export type AuditOutcome = 'success' | 'denied' | 'failed' | 'error';

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  targetType?: string | null;
  targetId?: string | null;
  /** Error code or internal reason for a non-success outcome. */
  reason?: string | null;
  /** Metadata only: ids, counts, field names. Never content or secrets. */
  details?: Record<string, unknown>;
}

/** Keys that must never appear in audit details, whatever a caller passes. */
const FORBIDDEN_DETAIL_KEYS = /pass(word)?|secret|token|totp|code|text|ciphertext|body|content/i;

function scrub(details: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === undefined) continue;
    out[k] = FORBIDDEN_DETAIL_KEYS.test(k) ? '[redacted]' : v;
  }
  return out;
}

/** Appends an audit row chained to the organisation's previous row; returns its id and seq. */
export async function appendAudit(trx: Trx, actor: Actor, entry: AuditEntry, at: number): Promise<{ id: string; seq: number }> {
  const details = scrub(entry.details);
  const head = await trx.selectFrom('audit_log').select(['seq', 'hash']).where('org_id', '=', actor.orgId)
    .orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row = {
    id: newId(at),
    org_id: actor.orgId,
    seq: (head?.seq ?? 0) + 1,
    at,
    actor_type: actor.kind,
    actor_id: actor.userId,
    session_id: actor.sessionId,
    ip: actor.ip,
    user_agent: actor.userAgent,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    // Stored and hashed as canonical JSON text, so a verifier hashes database rows as they are.
    details: canonicalJson(details),
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = auditRowHash(row, prevHash);
  await trx.insertInto('audit_log').values({ ...row, prev_hash: prevHash, hash }).execute();
  const refs = auditRefs(details, [row.target_id, row.actor_id]);
  if (refs.length) await trx.insertInto('audit_refs').values(refs.map((ref) => ({ org_id: row.org_id, ref_id: ref, seq: row.seq }))).execute();
  return { id: row.id, seq: row.seq };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Object ids a row's details refer to (top-level id values and arrays of ids, at most 50 per
 * array), minus those already in indexed columns: indexed in `audit_refs` so that "every
 * operation on record X" (GET /api/v1/audit/trace/:id) is an index lookup.
 */
export function auditRefs(details: Record<string, unknown> | undefined, skip: Array<string | null>): string[] {
  const out = new Set<string>();
  for (const v of Object.values(details ?? {})) {
    for (const x of Array.isArray(v) ? v.slice(0, 50) : [v]) if (typeof x === 'string' && ULID.test(x) && !skip.includes(x)) out.add(x);
  }
  return [...out];
}
