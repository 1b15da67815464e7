/**
 * A software authenticator for tests (IAM-1): ECDSA P-256 keys from node:crypto, 'none'
 * attestation, CBOR through the encoder @simplewebauthn/server itself uses. It answers the
 * server's JSON options with the JSON a browser would send, and can be told to misbehave
 * (another origin or RP id, a stale counter, a foreign key) to test the refusals.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** One credential held by the authenticator. */
export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  /** The signature counter; incremented before each assertion. */
  counter: number;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** clientDataJSON.type (default webauthn.create / webauthn.get). */
  type?: string;
  /** Use this counter instead of incrementing. */
  counter?: number;
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

/** Flags of authenticator data (WebAuthn §6.1): user present, user verified, attested credential data. */
const UP = 0x01, UV = 0x04, AT = 0x40;

export class SoftAuthenticator {
  constructor(readonly origin: string, readonly rpId: string) {}

  /** A key pair and random credential id, not yet registered anywhere. */
  newCredential(): SoftCredential {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return { id: b64url(randomBytes(32)), privateKey, counter: 0 };
  }

  /** Answers creation options (RegistrationResponseJSON); reuses `cred` when given. */
  register(options: { challenge: string }, o: CeremonyOverrides & { cred?: SoftCredential } = {}) {
    const cred = o.cred ?? this.newCredential();
    const jwk = publicJwk(cred.privateKey);
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]));
    const idBytes = Buffer.from(cred.id, 'base64url');
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(idBytes.length);
    const authData = Buffer.concat([sha256(o.rpId ?? this.rpId), Buffer.from([UP | UV | AT]), u32(o.counter ?? cred.counter), Buffer.alloc(16), idLen, idBytes, Buffer.from(cose)]);
    const clientData = Buffer.from(JSON.stringify({ type: o.type ?? 'webauthn.create', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false }));
    const attestationObject = isoCBOR.encode(new Map<string, string | Uint8Array | Map<string, string>>([
      ['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', new Uint8Array(authData)],
    ]));
    return {
      cred,
      response: {
        id: cred.id, rawId: cred.id, type: 'public-key' as const,
        response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestationObject), transports: ['usb'] },
        clientExtensionResults: {}, authenticatorAttachment: 'cross-platform' as const,
      },
    };
  }

  /** Answers request options with `cred` (AuthenticationResponseJSON), signing authData ‖ SHA-256(clientDataJSON). */
  assert(options: { challenge: string }, cred: SoftCredential, o: CeremonyOverrides = {}) {
    if (o.counter === undefined) cred.counter += 1;
    const authData = Buffer.concat([sha256(o.rpId ?? this.rpId), Buffer.from([UP | UV]), u32(o.counter ?? cred.counter)]);
    const clientData = Buffer.from(JSON.stringify({ type: o.type ?? 'webauthn.get', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), cred.privateKey);
    return {
      id: cred.id, rawId: cred.id, type: 'public-key' as const,
      response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {}, authenticatorAttachment: 'cross-platform' as const,
    };
  }
}

function publicJwk(privateKey: KeyObject): { x: string; y: string } {
  const jwk = privateKey.export({ format: 'jwk' });
  return { x: jwk.x!, y: jwk.y! };
}
