/** Small helpers shared by the MLS client: base64, identities, payloads, MLS (de)coding. */
import {
  decodeMlsMessage, encodeMlsMessage, type GroupInfo, type KeyPackage, type MLSMessage, type Welcome,
} from 'ts-mls';

const te = new TextEncoder();
const td = new TextDecoder();

export function toB64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromB64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export const utf8 = (s: string): Uint8Array => te.encode(s);
export const fromUtf8 = (b: Uint8Array): string => td.decode(b);

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as BufferSource)));
}

/** The identity in a device's MLS basic credential (the server checks the same form). */
export function credentialIdentity(userId: string, deviceId: string): string {
  return `conclave:${userId}:${deviceId}`;
}

const IDENTITY = /^conclave:([0-9A-HJKMNP-TV-Z]{26}):([0-9A-HJKMNP-TV-Z]{26})$/;
export function parseIdentity(identity: Uint8Array | undefined): { userId: string; deviceId: string } | null {
  if (!identity) return null;
  const m = IDENTITY.exec(fromUtf8(identity));
  return m ? { userId: m[1]!, deviceId: m[2]! } : null;
}

/** MLS group id of a conversation. */
export function groupIdFor(conversationId: string): Uint8Array {
  return utf8(`conclave:${conversationId}`);
}

/** Decodes a whole MLSMessage, or returns null for garbage. */
export function decodeMessage(bytes: Uint8Array): MLSMessage | null {
  try {
    const out = decodeMlsMessage(bytes, 0);
    return out && out[1] === bytes.length ? out[0] : null;
  } catch {
    return null;
  }
}

export const encodeKeyPackage = (kp: KeyPackage): Uint8Array => encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp });
export const encodeWelcome = (w: Welcome): Uint8Array => encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: w });
export const encodeGroupInfo = (gi: GroupInfo): Uint8Array => encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: gi });

/**
 * What travels inside an MLS application message. The server sees only the ciphertext: text,
 * edits and file keys (attachments) are all in here.
 */
export interface MlsPayload {
  v: 1;
  kind: 'text' | 'edit';
  text: string;
  /** For edits: the message id this version belongs to (a server cannot move it to another message). */
  of?: string;
  /** Files: the key and digest needed to decrypt and check each upload travel only here. */
  attachments?: Array<{ fileId: string; name: string; size: number; key: string; sha256?: string; type?: string }>;
}

export function parsePayload(bytes: Uint8Array): MlsPayload | null {
  try {
    const p = JSON.parse(fromUtf8(bytes)) as MlsPayload;
    if (p?.v !== 1 || (p.kind !== 'text' && p.kind !== 'edit') || typeof p.text !== 'string') return null;
    return p;
  } catch {
    return null;
  }
}
