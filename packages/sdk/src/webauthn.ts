/**
 * WebAuthn security keys (IAM-1) through the SDK. The SDK never touches an authenticator: it
 * carries the JSON options and responses that a browser hands to and takes from
 * @simplewebauthn/browser (`startRegistration({ optionsJSON })`, `startAuthentication({ optionsJSON })`).
 *
 * @example
 * // Adding a key (browser)
 * const { optionsJSON } = await client.webauthn.registrationOptions(password);
 * const { recoveryCodes } = await client.webauthn.register(await startRegistration({ optionsJSON }), 'YubiKey');
 *
 * // Signing in with one
 * try { await client.login(email, password); } catch (err) {
 *   const mfa = client.webauthn.mfaChallenge(err);
 *   if (mfa?.optionsJSON) await client.webauthn.login(email, password, await startAuthentication({ optionsJSON: mfa.optionsJSON }));
 * }
 */
import type { BodyOf, ResponseOf } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { isConclaveError } from './errors';

/** A registration response (RegistrationResponseJSON) as the server takes it. */
export type WebAuthnRegistrationJSON = BodyOf<'webauthnRegister'>['response'];
/** An authentication response (AuthenticationResponseJSON) as the server takes it. */
export type WebAuthnAuthenticationJSON = NonNullable<BodyOf<'login'>['webauthn']>;
/** Request options (PublicKeyCredentialRequestOptionsJSON) from an `mfa_required` answer. */
export type WebAuthnRequestOptionsJSON = { challenge: string; rpId?: string; timeout?: number; allowCredentials?: Array<{ id: string; type: string; transports?: string[] }>; userVerification?: string; [k: string]: unknown };
/** One of your security keys, as listed. */
export type SecurityKey = ResponseOf<'listSecurityKeys'>['credentials'][number];

/** What an `mfa_required` login answer offers: methods (preferred first) and, with keys, request options. */
export interface MfaChallenge {
  methods: Array<'webauthn' | 'totp' | 'recovery_code' | (string & {})>;
  optionsJSON: WebAuthnRequestOptionsJSON | null;
}

/** The `client.webauthn` group: add, list, rename and remove your keys; sign in with one; admin MFA reset. */
export function webauthnGroup(client: ConclaveClient) {
  // Read client.http on each call: this runs from a field initializer, before the constructor sets it.
  const http = () => client.http;
  return {
    /**
     * Creation options for a new key, with a single-use challenge valid 5 minutes. Pass your
     * password unless this session signed in within the last 10 minutes.
     */
    registrationOptions: (password?: string) => http().request('webauthnRegisterOptions', { body: password === undefined ? {} : { password } }),
    /** Stores the key from `startRegistration`'s response; your first second factor also returns recovery codes (show them once). */
    register: (response: WebAuthnRegistrationJSON, name?: string) =>
      http().request('webauthnRegister', { body: name === undefined ? { response } : { response, name } }),
    /** Your keys (newest first), whether TOTP is on, and how many recovery codes are left. */
    list: () => http().request('listSecurityKeys'),
    rename: (id: string, name: string) => http().request('renameSecurityKey', { params: { id }, body: { name } }),
    /** Removes a key (needs an MFA-verified session; 409 when it is your last factor and your role requires MFA). */
    remove: (id: string) => http().request('removeSecurityKey', { params: { id } }),
    /** Logs in with a `startAuthentication` response to the options of the preceding `mfa_required` answer. */
    login: (email: string, password: string, response: WebAuthnAuthenticationJSON) => client.auth.login(email, password, { webauthn: response }),
    /** The second-factor offer inside a login's `mfa_required` error, or null for any other error. */
    mfaChallenge: (err: unknown): MfaChallenge | null => {
      if (!isConclaveError(err, 'mfa_required')) return null;
      const d = err.details ?? {};
      const methods = Array.isArray(d.methods) ? d.methods.filter((m): m is string => typeof m === 'string') : [];
      const options = d.webauthn && typeof d.webauthn === 'object' && typeof (d.webauthn as { challenge?: unknown }).challenge === 'string' ? d.webauthn as WebAuthnRequestOptionsJSON : null;
      return { methods, optionsJSON: options };
    },
    /** Admin (users.update): removes a user's TOTP, recovery codes and security keys and revokes their sessions. */
    resetUserMfa: (userId: string) => http().request('resetUserMfa', { params: { id: userId } }),
  };
}
