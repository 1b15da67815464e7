/**
 * Cheap structural checks on MLS bytes (E2E-1). The server decodes only public structures
 * (KeyPackages, PublicMessage commits and proposals, GroupInfo) and verifies their signatures;
 * it never holds a group secret, so it cannot decrypt anything. Garbage never reaches storage:
 * it becomes a 400 naming the field.
 */
import {
  decodeExternalSender, decodeMlsMessage, getCiphersuiteFromName, getCiphersuiteImpl,
  type CiphersuiteImpl, type CiphersuiteName, type GroupInfo, type KeyPackage, type MLSMessage, type PublicMessage,
} from 'ts-mls';
import { ratchetTreeFromExtension, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { AppError, invalid } from '../../kernel/errors';

/** The ciphersuite every group and KeyPackage uses (issue E2E-1 default). */
export const MLS_CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
/** Identity in the server's external-sender credential. */
export const SERVER_SENDER_IDENTITY = 'conclave-server';
/** KeyPackage lifetimes longer than this are refused (ts-mls's default maximum: one month). */
export const MAX_KEY_PACKAGE_LIFETIME_S = 2_628_000;
/** Clock skew tolerated on a KeyPackage's notBefore. */
const SKEW_S = 300;
/** Decoded-size ceilings (base64 is already bounded by the protocol and the body limit). */
export const MAX_COMMIT_BYTES = 2 * 1024 * 1024;
export const MAX_GROUP_INFO_BYTES = 2 * 1024 * 1024;
export const MAX_WELCOME_BYTES = 2 * 1024 * 1024;

let impl: Promise<CiphersuiteImpl> | null = null;
export function ciphersuite(): Promise<CiphersuiteImpl> {
  impl ??= getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHERSUITE));
  return impl;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** `conclave:<userId>:<deviceId>`: what a device's basic credential must say. */
export function credentialIdentity(userId: string, deviceId: string): string {
  return `conclave:${userId}:${deviceId}`;
}

const IDENTITY = /^conclave:([0-9A-HJKMNP-TV-Z]{26}):([0-9A-HJKMNP-TV-Z]{26})$/;
/** The user and device a credential names, or null when it is not a Conclave device credential. */
export function parseIdentity(c: { credentialType: string; identity?: Uint8Array }): { userId: string; deviceId: string } | null {
  if (c.credentialType !== 'basic' || !c.identity) return null;
  let s: string;
  try { s = dec.decode(c.identity); } catch { return null; }
  const m = IDENTITY.exec(s);
  return m ? { userId: m[1]!, deviceId: m[2]! } : null;
}

/** The MLS group id of a conversation: binds every handshake to exactly one conversation. */
export function groupIdFor(conversationId: string): Uint8Array {
  return enc.encode(`conclave:${conversationId}`);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/** Decodes one whole MLSMessage of the expected wire format, or throws a 400 naming `field`. */
export function decodeMls<W extends MLSMessage['wireformat']>(bytes: Uint8Array, field: string, wireformat: W, maxBytes: number): Extract<MLSMessage, { wireformat: W }> {
  if (bytes.length > maxBytes) throw new AppError('payload_too_large', `${field}: ${bytes.length} bytes; the limit is ${maxBytes}`, { field, limit: maxBytes, size: bytes.length });
  let out: [MLSMessage, number] | undefined;
  try { out = decodeMlsMessage(bytes, 0); } catch { out = undefined; }
  if (!out) throw invalid(field, 'is not a decodable MLS message');
  const [msg, used] = out;
  if (used !== bytes.length) throw invalid(field, 'has trailing bytes after the MLS message');
  if (msg.version !== 'mls10') throw invalid(field, 'must be MLS 1.0');
  if (msg.wireformat !== wireformat) throw invalid(field, `must be an ${wireformat}, not ${msg.wireformat}`);
  return msg as Extract<MLSMessage, { wireformat: W }>;
}

export function fromB64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/**
 * Checks an uploaded KeyPackage: ciphersuite, credential naming exactly this user and device,
 * the device's registered signature key, a current lifetime, and a valid signature.
 */
export async function checkKeyPackage(bytes: Uint8Array, field: string, expect: { userId: string; deviceId: string; signatureKey: Uint8Array; nowMs: number }): Promise<{ keyPackage: KeyPackage; notAfterMs: number }> {
  const { keyPackage: kp } = decodeMls(bytes, field, 'mls_key_package', 64 * 1024);
  if (kp.cipherSuite !== MLS_CIPHERSUITE) throw invalid(field, `ciphersuite must be ${MLS_CIPHERSUITE}`);
  const who = parseIdentity(kp.leafNode.credential as { credentialType: string; identity?: Uint8Array });
  if (!who || who.userId !== expect.userId || who.deviceId !== expect.deviceId) {
    throw invalid(field, `credential must be a basic credential "${credentialIdentity(expect.userId, expect.deviceId)}"`);
  }
  if (!sameBytes(kp.leafNode.signaturePublicKey, expect.signatureKey)) throw invalid(field, 'is not signed by this device\'s registered key');
  if (kp.leafNode.leafNodeSource !== 'key_package') throw invalid(field, 'leaf node must come from a key package');
  const { notBefore, notAfter } = kp.leafNode.lifetime;
  const now = BigInt(Math.floor(expect.nowMs / 1000));
  if (notAfter <= now) throw invalid(field, 'has expired (lifetime notAfter is in the past)');
  if (notBefore > now + BigInt(SKEW_S)) throw invalid(field, 'is not valid yet (lifetime notBefore is in the future)');
  if (notAfter - notBefore > BigInt(MAX_KEY_PACKAGE_LIFETIME_S)) throw invalid(field, `lifetime exceeds ${MAX_KEY_PACKAGE_LIFETIME_S} seconds`);
  const cs = await ciphersuite();
  if (!(await verifyKeyPackage(kp, cs.signature))) throw invalid(field, 'signature does not verify');
  return { keyPackage: kp, notAfterMs: Number(notAfter) * 1000 };
}

export interface Leaf { leafIndex: number; userId: string; deviceId: string; signatureKey: Uint8Array }

/**
 * Decodes a GroupInfo for `conversationId` at `epoch` and returns it with its leaves. The
 * ratchet tree must be included (joiners need it) and every leaf must be a Conclave device.
 */
export async function checkGroupInfo(bytes: Uint8Array, field: string, conversationId: string, epoch: number): Promise<{ groupInfo: GroupInfo; leaves: Leaf[] }> {
  const { groupInfo } = decodeMls(bytes, field, 'mls_group_info', MAX_GROUP_INFO_BYTES);
  const ctx = groupInfo.groupContext;
  if (ctx.cipherSuite !== MLS_CIPHERSUITE) throw invalid(field, `ciphersuite must be ${MLS_CIPHERSUITE}`);
  if (!sameBytes(ctx.groupId, groupIdFor(conversationId))) throw invalid(field, 'belongs to another group');
  if (ctx.epoch !== BigInt(epoch)) throw invalid(field, `must describe epoch ${epoch}, not ${ctx.epoch}`);
  let tree;
  try { tree = ratchetTreeFromExtension(groupInfo); } catch { tree = undefined; }
  if (!tree) throw invalid(field, 'must carry the ratchet tree extension');
  const leaves: Leaf[] = [];
  for (let i = 0; i < tree.length; i += 2) {
    const node = tree[i];
    if (!node) continue;
    if (node.nodeType !== 'leaf') throw invalid(field, 'ratchet tree is malformed');
    const who = parseIdentity(node.leaf.credential as { credentialType: string; identity?: Uint8Array });
    if (!who) throw invalid(field, `leaf ${i / 2} is not a Conclave device credential`);
    leaves.push({ leafIndex: i / 2, ...who, signatureKey: node.leaf.signaturePublicKey });
  }
  const signer = leaves.find((l) => l.leafIndex === groupInfo.signer);
  if (!signer) throw invalid(field, 'signer is not a leaf of the tree');
  const cs = await ciphersuite();
  if (!(await verifyGroupInfoSignature(groupInfo, signer.signatureKey, cs.signature))) throw invalid(field, 'signature does not verify');
  return { groupInfo, leaves };
}

/** True when the group context lists `key` as an external sender (the server's Remove proposals need it). */
export function hasExternalSender(gi: GroupInfo, key: Uint8Array): boolean {
  return gi.groupContext.extensions.some((e) => {
    if (e.extensionType !== 'external_senders') return false;
    try { return sameBytes(decodeExternalSender(e.extensionData, 0)![0].signaturePublicKey, key); } catch { return false; }
  });
}

export type { GroupInfo, PublicMessage };
