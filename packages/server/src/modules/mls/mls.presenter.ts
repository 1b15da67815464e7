/** MLS rows → wire objects (api-mls.ts). Bytes go out as base64. */
import { createHash } from 'node:crypto';
import type { MlsDevice, MlsGroup, MlsHandshake } from '@conclave/protocol';
import { MLS_CIPHERSUITE, credentialIdentity } from './mls.codec';
import type { DeviceRow, GroupRow, HandshakeRow } from './mls.store';

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** SHA-256 of the signature key in groups of four hex digits: what people compare out of band. */
export function fingerprint(signatureKeyB64: string): string {
  const hex = createHash('sha256').update(Buffer.from(signatureKeyB64, 'base64')).digest('hex');
  return hex.match(/.{4}/g)!.join(' ');
}

export function presentDevice(d: DeviceRow, stock?: { available: number; lastResort: boolean }): MlsDevice {
  return {
    id: d.id, userId: d.user_id, name: d.name, signaturePublicKey: d.signature_key, fingerprint: fingerprint(d.signature_key),
    credentialIdentity: credentialIdentity(d.user_id, d.id), createdAt: Number(d.created_at), revokedAt: d.revoked_at === null ? null : Number(d.revoked_at),
    availableKeyPackages: stock ? stock.available : null, hasLastResort: stock ? stock.lastResort : null,
  };
}

export function presentGroup(g: GroupRow): MlsGroup {
  return { conversationId: g.conversation_id, groupId: b64(g.group_id), ciphersuite: g.ciphersuite || MLS_CIPHERSUITE, epoch: Number(g.epoch), updatedAt: Number(g.updated_at) };
}

export function presentHandshake(h: Pick<HandshakeRow, 'id' | 'epoch' | 'kind' | 'data' | 'sender_user_id' | 'created_at'>): MlsHandshake {
  return { id: h.id, epoch: Number(h.epoch), kind: h.kind as 'commit' | 'proposal', data: b64(h.data), senderUserId: h.sender_user_id, createdAt: Number(h.created_at) };
}
