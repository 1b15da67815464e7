/**
 * The WebAuthn relying party (IAM-1): creation/request options and response verification,
 * all done by @simplewebauthn/server. What this file adds is policy: second-factor settings
 * (user presence required, user verification not — a security key without a PIN is still a
 * second factor, as at GitHub or Okta), the signature-counter rule, and a reason for every
 * refusal that is safe to show and to audit. The library's own error texts are never passed
 * on: they quote challenges.
 */
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON, type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON, isoBase64URL, parseAuthenticatorData, toHash } from '@simplewebauthn/server/helpers';
import { hashToken } from '@conclave/crypto';
import type { WebAuthnConfig } from '../../config/config';

/** How long a challenge may be answered. Browsers are told a shorter timeout (below). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** The ceremony timeout browsers show; shorter than the TTL so a slow network still lands. */
const CEREMONY_TIMEOUT_MS = 2 * 60_000;

/** Why a response was refused; shown to the caller (details.reason) and audited (`webauthn_<reason>`). */
export type WebAuthnFailure =
  | 'malformed' | 'challenge_unknown' | 'challenge_expired' | 'type' | 'origin' | 'rp_id' | 'user_presence'
  | 'unknown_credential' | 'signature' | 'attestation' | 'counter_regression';

/** A sentence per reason: what went wrong, never the challenge or key material. */
export const FAILURE_MESSAGES: Record<WebAuthnFailure, string> = {
  malformed: 'the security-key response could not be read',
  challenge_unknown: 'the security-key challenge is unknown or was already used; start again',
  challenge_expired: 'the security-key challenge expired; start again',
  type: 'the security-key response is for the wrong ceremony (clientDataJSON.type)',
  origin: 'the security-key response was made on a website origin this server does not accept',
  rp_id: 'the security-key response was made for another relying party (RP ID)',
  user_presence: 'the security key did not confirm that a person was present',
  unknown_credential: 'this security key is not registered to your account',
  signature: 'the security-key signature does not verify',
  attestation: 'the security key\'s registration data does not verify',
  counter_regression: 'the security key\'s signature counter went backwards, which suggests a cloned key; it was refused — tell your administrator',
};

/** The challenge a response answers, or null when the response cannot be decoded. */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const c = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    return typeof c === 'string' && c.length > 0 ? c : null;
  } catch {
    return null;
  }
}

/** Only a digest of a challenge is stored, so a database reader cannot answer one. */
export function challengeHash(challenge: string): string {
  return hashToken(`webauthn:${challenge}`);
}

/** A short, stable, non-reversible handle for a credential id in audit rows (AUD-1). */
export function credentialIdDigest(credentialId: string): string {
  return hashToken(`webauthn-credential:${credentialId}`).slice(0, 32);
}

export class RelyingParty {
  constructor(private readonly cfg: WebAuthnConfig) {}

  get rpId(): string {
    return this.cfg.rpId;
  }

  /** Creation options: no attestation (we trust the user's choice of key), no PIN demanded, existing keys excluded. */
  creationOptions(a: { rpName: string; userId: string; email: string; displayName: string; exclude: Array<{ id: string; transports: string[] }> }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: a.rpName, rpID: this.cfg.rpId, userName: a.email, userDisplayName: a.displayName,
      // The user handle is our opaque id: no email or name inside the authenticator's handle.
      userID: new TextEncoder().encode(a.userId),
      attestationType: 'none', timeout: CEREMONY_TIMEOUT_MS,
      excludeCredentials: a.exclude.map((c) => ({ id: c.id, transports: c.transports as never })),
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' },
    });
  }

  requestOptions(allow: Array<{ id: string; transports: string[] }>): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.cfg.rpId, timeout: CEREMONY_TIMEOUT_MS, userVerification: 'discouraged',
      allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports as never })),
    });
  }

  /** Verifies a registration answering `challenge` (already matched to a stored digest by the caller). */
  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<
    { ok: true; credential: WebAuthnCredential; aaguid: string; backedUp: boolean } | { ok: false; reason: WebAuthnFailure }
  > {
    try {
      const r = await verifyRegistrationResponse({
        response, expectedChallenge: challenge, expectedOrigin: this.cfg.origins, expectedRPID: this.cfg.rpId, requireUserVerification: false,
      });
      if (!r.verified) return { ok: false, reason: 'attestation' };
      return { ok: true, credential: r.registrationInfo.credential, aaguid: r.registrationInfo.aaguid, backedUp: r.registrationInfo.credentialBackedUp };
    } catch {
      return { ok: false, reason: await this.classify('webauthn.create', response.response.clientDataJSON, registrationAuthData(response), 'attestation') };
    }
  }

  /**
   * Verifies an assertion by `credential` (stored counter `storedCounter`). The library is given
   * counter 0 so it checks the signature first; only a correctly signed response whose counter
   * did not move forward is a counter regression — the sign of a cloned authenticator.
   */
  async verifyAssertion(response: AuthenticationResponseJSON, challenge: string, credential: WebAuthnCredential, storedCounter: number): Promise<
    { ok: true; newCounter: number; backedUp: boolean } | { ok: false; reason: WebAuthnFailure; presentedCounter?: number }
  > {
    let info;
    try {
      const r = await verifyAuthenticationResponse({
        response, expectedChallenge: challenge, expectedOrigin: this.cfg.origins, expectedRPID: this.cfg.rpId,
        credential: { ...credential, counter: 0 }, requireUserVerification: false,
      });
      if (!r.verified) return { ok: false, reason: 'signature' };
      info = r.authenticationInfo;
    } catch {
      return { ok: false, reason: await this.classify('webauthn.get', response.response.clientDataJSON, response.response.authenticatorData, 'signature') };
    }
    // Authenticators that keep no counter always send 0 (WebAuthn §6.1.1); those that do must increase it.
    if ((info.newCounter > 0 || storedCounter > 0) && info.newCounter <= storedCounter) return { ok: false, reason: 'counter_regression', presentedCounter: info.newCounter };
    return { ok: true, newCounter: info.newCounter, backedUp: info.credentialBackedUp };
  }

  /** Names what the library refused, by re-reading the parts it checks before the signature. */
  private async classify(type: string, clientDataJSON: string, authData: string | Uint8Array | null, fallback: WebAuthnFailure): Promise<WebAuthnFailure> {
    try {
      const cd = decodeClientDataJSON(clientDataJSON);
      if (cd.type !== type) return 'type';
      if (!this.cfg.origins.includes(cd.origin)) return 'origin';
      if (!authData) return 'malformed';
      const parsed = parseAuthenticatorData(typeof authData === 'string' ? isoBase64URL.toBuffer(authData) : new Uint8Array(authData));
      const expected = await toHash(new TextEncoder().encode(this.cfg.rpId));
      if (Buffer.compare(Buffer.from(parsed.rpIdHash), Buffer.from(expected)) !== 0) return 'rp_id';
      if (!parsed.flags.up) return 'user_presence';
      return fallback;
    } catch {
      return 'malformed';
    }
  }
}

function registrationAuthData(response: RegistrationResponseJSON): Uint8Array | null {
  try {
    return decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get('authData');
  } catch {
    return null;
  }
}
