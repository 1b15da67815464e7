/** Archive rows → wire objects (api-archive.ts). Sealed shares never appear here. */
import { createHash } from 'node:crypto';
import type { ArchiveKey, ArchiveOfficerKey, ArchiveRequest, ArchiveRequestStatus, ArchivedMessage } from '@conclave/protocol';
import type { ArchiveKeyRow, ArchivedMessageRow, DecisionRow, OfficerKeyRow, RequestRow } from './archive.store';

/** SHA-256 of a raw public key (base64 in), hex in groups of four — same as crypto's archiveKeyFingerprint. */
export function fingerprint(publicKeyB64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyB64, 'base64')).digest('hex').match(/.{4}/g)!.join(' ');
}

export function presentOfficerKey(r: OfficerKeyRow): ArchiveOfficerKey {
  return {
    id: r.id, userId: r.user_id, name: r.name, publicKey: r.public_key, fingerprint: fingerprint(r.public_key),
    createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export function presentArchiveKey(r: ArchiveKeyRow, holders: ArchiveKey['holders']): ArchiveKey {
  return {
    id: r.id, publicKey: r.public_key, fingerprint: fingerprint(r.public_key), threshold: Number(r.threshold), shareCount: Number(r.share_count),
    holders, createdBy: r.created_by, createdAt: Number(r.created_at), retiredAt: r.retired_at === null ? null : Number(r.retired_at),
  };
}

/** A pending or approved request past its expiry reads as expired (nothing more can be done with it). */
export function effectiveStatus(r: Pick<RequestRow, 'status' | 'expires_at'>, now: number): ArchiveRequestStatus {
  const s = r.status as ArchiveRequestStatus;
  return (s === 'pending' || s === 'approved') && now > Number(r.expires_at) ? 'expired' : s;
}

export function presentRequest(r: RequestRow, decisions: Array<Omit<DecisionRow, 'sealed_share'>>, now: number): ArchiveRequest {
  return {
    id: r.id, requesterId: r.requester_id, conversationId: r.conversation_id, from: Number(r.from_at), to: Number(r.to_at), reason: r.reason,
    requesterPublicKey: r.requester_public_key, archiveKeyId: r.archive_key_id, threshold: Number(r.threshold), status: effectiveStatus(r, now),
    released: decisions.filter((d) => d.decision === 'released').length,
    decisions: decisions.map((d) => ({ officerId: d.officer_id, decision: d.decision as 'released' | 'refused', reason: d.reason, at: Number(d.at) })),
    createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), closedAt: r.closed_at === null ? null : Number(r.closed_at),
  };
}

export function presentArchivedMessage(r: ArchivedMessageRow): ArchivedMessage {
  return {
    messageId: r.message_id, conversationId: r.conversation_id, authorId: r.author_id, clientId: r.client_id, createdAt: Number(r.created_at),
    archiveKeyId: r.archive_key_id, archiveCiphertext: Buffer.from(r.ciphertext).toString('base64'),
  };
}
