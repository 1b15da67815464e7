/** Audit rows, checkpoints, keys and alerts → wire objects (metadata only; nothing to mask). */
import type { Alert, AlertRule, AuditKeyInfo, AuditOutcome, AuditRecord, SignedCheckpoint } from '@conclave/protocol';
import { publicKeyFingerprint, type AuditCheckpoint } from '@conclave/crypto';
import type { AlertRow, AuditRow, CheckpointRow, SigningKeyRow } from './audit.store';

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function presentAuditRow(r: AuditRow): AuditRecord {
  return {
    id: r.id, seq: Number(r.seq), at: Number(r.at), actorType: r.actor_type as AuditRecord['actorType'], actorId: r.actor_id, sessionId: r.session_id,
    ip: r.ip, userAgent: r.user_agent, action: r.action, targetType: r.target_type, targetId: r.target_id, outcome: r.outcome as AuditOutcome,
    reason: r.reason, details: parseObject(r.details), prevHash: r.prev_hash, hash: r.hash,
  };
}

/** The stored checkpoint in the form @conclave/crypto verifies. */
export function presentCheckpoint(c: CheckpointRow): SignedCheckpoint & AuditCheckpoint {
  return { org: c.org_id, count: Number(c.count), headHash: c.head_hash, at: Number(c.at), keyFingerprint: c.key_fingerprint, signature: c.signature };
}

export function presentKey(k: SigningKeyRow, current: boolean): AuditKeyInfo {
  return { fingerprint: k.fingerprint || publicKeyFingerprint(k.public_key_pem), algorithm: 'Ed25519', publicKeyPem: k.public_key_pem, createdAt: Number(k.created_at), current };
}

export function presentAlert(a: AlertRow): Alert {
  return {
    id: a.id, rule: a.rule as AlertRule, severity: a.severity as Alert['severity'], status: a.status as Alert['status'], subject: a.subject, summary: a.summary,
    details: parseObject(a.details), rowIds: JSON.parse(a.row_ids) as string[], rowSeqs: JSON.parse(a.row_seqs) as number[],
    triggerSeq: Number(a.trigger_seq), triggerAt: Number(a.trigger_at), createdAt: Number(a.created_at),
    acknowledgedBy: a.acknowledged_by, acknowledgedAt: a.acknowledged_at === null ? null : Number(a.acknowledged_at), note: a.note,
  };
}
