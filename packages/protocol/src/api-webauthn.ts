/**
 * WebAuthn (IAM-1): security keys and platform authenticators as a second factor.
 *
 * Registration is two calls: `webauthnRegisterOptions` mints a single-use challenge and returns
 * the creation options for the browser (`startRegistration({ optionsJSON })` of
 * @simplewebauthn/browser); `webauthnRegister` takes the authenticator's response. At sign-in,
 * a password step answered `mfa_required` carries `details.methods` (e.g. `['webauthn', 'totp',
 * 'recovery_code']`) and, when the account has keys, `details.webauthn`: request options for
 * `startAuthentication({ optionsJSON })`; the login is repeated with `webauthn: <response>`.
 * The JSON shapes are the WebAuthn Level 3 `toJSON()` forms (base64url without padding).
 */
import * as z from 'zod';
import { Id, Millis, cleanText } from './common';
import { User } from './models';
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;
const IdParams = z.object({ id: Id });
const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

/** Base64url without padding, as browsers encode WebAuthn binary fields. */
const B64Url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'must be base64url (A-Z a-z 0-9 - _, no padding)');
/** A credential id: at most 1023 bytes (WebAuthn §5.8.3), i.e. 1364 base64url characters. */
const CredentialIdB64 = B64Url(1364);
const Transport = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
const ClientExtensionResults = z.record(z.string().max(64), z.unknown()).refine((r) => Object.keys(r).length <= 16, 'at most 16 extension results');
const Attachment = z.enum(['platform', 'cross-platform']);

/** A display name for a key, chosen by its owner ("YubiKey on my keyring"). */
export const SecurityKeyName = cleanText(64, 1).transform((s) => s.trim()).pipe(z.string().min(1, 'must not be blank'));

/** What an authenticator returns from `navigator.credentials.create()` (RegistrationResponseJSON). */
export const WebAuthnRegistrationResponse = z.object({
  id: CredentialIdB64,
  rawId: CredentialIdB64,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: B64Url(8 * 1024),
    attestationObject: B64Url(64 * 1024),
    authenticatorData: B64Url(16 * 1024).optional(),
    transports: z.array(Transport.or(z.string().max(32))).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: B64Url(16 * 1024).optional(),
  }),
  authenticatorAttachment: Attachment.optional(),
  clientExtensionResults: ClientExtensionResults,
});

/** What an authenticator returns from `navigator.credentials.get()` (AuthenticationResponseJSON). */
export const WebAuthnAuthenticationResponse = z.object({
  id: CredentialIdB64,
  rawId: CredentialIdB64,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: B64Url(8 * 1024),
    authenticatorData: B64Url(16 * 1024),
    signature: B64Url(16 * 1024),
    userHandle: B64Url(1024).optional(),
  }),
  authenticatorAttachment: Attachment.optional(),
  clientExtensionResults: ClientExtensionResults,
});

const CredentialDescriptor = z.object({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() });

/** PublicKeyCredentialCreationOptionsJSON, to pass to `startRegistration({ optionsJSON })`. */
export const WebAuthnCreationOptions = z.looseObject({
  challenge: z.string(),
  rp: z.object({ id: z.string().optional(), name: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number() })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(CredentialDescriptor).optional(),
  authenticatorSelection: z.object({ authenticatorAttachment: z.string().optional(), residentKey: z.string().optional(), requireResidentKey: z.boolean().optional(), userVerification: z.string().optional() }).optional(),
  attestation: z.string().optional(),
});

/** PublicKeyCredentialRequestOptionsJSON, to pass to `startAuthentication({ optionsJSON })`. */
export const WebAuthnRequestOptions = z.looseObject({
  challenge: z.string(),
  rpId: z.string().optional(),
  timeout: z.number().optional(),
  allowCredentials: z.array(CredentialDescriptor).optional(),
  userVerification: z.string().optional(),
});

/** One of your security keys as you see it: never the public key, counter or credential id. */
export const SecurityKey = z.object({
  id: Id,
  name: z.string(),
  createdAt: Millis,
  /** Last successful sign-in with this key; null when never used since registration. */
  lastUsedAt: Millis.nullable(),
  transports: z.array(z.string()),
  /** A synced passkey (backed up by its provider) rather than a single-device key. */
  backedUp: z.boolean(),
});
export type SecurityKey = z.infer<typeof SecurityKey>;

/** Second-factor methods a login may offer in `mfa_required` details, preferred first. */
export const MfaMethod = z.enum(['webauthn', 'totp', 'recovery_code']);
export type MfaMethod = z.infer<typeof MfaMethod>;

/** WebAuthn endpoints (IAM-1). */
export const webauthnEndpoints = {
  webauthnRegisterOptions: ep({
    method: 'POST', path: '/api/v1/auth/webauthn/register/options',
    summary: 'Start adding a security key: returns creation options with a single-use challenge (valid 5 minutes). Confirm your password unless this session signed in within the last 10 minutes.',
    body: z.object({ password: z.string().min(1).max(1024).optional() }).strict().optional(),
    response: z.object({ optionsJSON: WebAuthnCreationOptions }),
  }),
  webauthnRegister: ep({
    method: 'POST', path: '/api/v1/auth/webauthn/register',
    summary: 'Finish adding a security key with the authenticator\'s response. Your first second factor also returns one-time recovery codes (shown once).',
    body: z.object({ name: SecurityKeyName.optional(), response: WebAuthnRegistrationResponse }).strict(),
    response: z.object({ credential: SecurityKey, recoveryCodes: z.array(z.string()).nullable(), user: User }),
  }),
  listSecurityKeys: ep({
    method: 'GET', path: '/api/v1/me/security-keys',
    summary: 'Your security keys, newest first, with whether TOTP is on and how many recovery codes are left.',
    response: z.object({ credentials: z.array(SecurityKey), totpEnabled: z.boolean(), recoveryCodesLeft: z.number().int() }),
  }),
  renameSecurityKey: ep({
    method: 'PATCH', path: '/api/v1/me/security-keys/:id', summary: 'Rename one of your security keys.',
    params: IdParams, body: z.object({ name: SecurityKeyName }).strict(), response: z.object({ credential: SecurityKey }),
  }),
  removeSecurityKey: ep({
    method: 'DELETE', path: '/api/v1/me/security-keys/:id',
    summary: 'Remove one of your security keys (409 when it is your last second factor and your role requires MFA).',
    params: IdParams, response: Ok,
  }),
  resetUserMfa: ep({
    method: 'POST', path: '/api/v1/admin/users/:id/mfa/reset',
    summary: 'Reset a user\'s second factors (admin, users.update): TOTP, recovery codes and every security key are removed and their sessions revoked; a role that requires MFA enrols again at next sign-in.',
    params: IdParams, body: Empty.optional(),
    response: z.object({ user: User, removedSecurityKeys: z.number().int(), revokedSessions: z.number().int() }),
  }),
} satisfies Record<string, Endpoint>;
