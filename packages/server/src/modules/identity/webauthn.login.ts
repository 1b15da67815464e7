/**
 * The security-key step of a login (IAM-1), run inside the `auth.login` action so that the
 * session, the lockout counter and the audit row stay in one transaction with it: request
 * options with a fresh single-use challenge, then the assertion check. The login action owns
 * the outcome; these only say what happened.
 */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { ActionContext } from '../../kernel/action';
import { newId } from '../../kernel/ids';
import { CHALLENGE_TTL_MS, challengeHash, challengeOf, credentialIdDigest, type RelyingParty, type WebAuthnFailure } from './webauthn';
import { parseTransports } from './webauthn.presenter';
import * as store from './webauthn.store';

/** Request options for `keys`, its challenge stored (digest only) for this user's next login call. */
export async function loginOptions(ctx: ActionContext, rp: RelyingParty, user: { id: string; org_id: string }, keys: store.CredentialRow[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await rp.requestOptions(keys.map((k) => ({ id: k.credential_id, transports: parseTransports(k.transports) })));
  await store.insertChallenge(ctx.trx, {
    id: newId(ctx.now), org_id: user.org_id, user_id: user.id, purpose: 'login', session_id: null,
    challenge_hash: challengeHash(options.challenge), created_at: ctx.now, expires_at: ctx.now + CHALLENGE_TTL_MS,
  });
  return options;
}

export type LoginCheck =
  | { ok: true; key: store.CredentialRow }
  /** `reason` is shown to the caller; `auditReason` may say more (a key that belongs to someone else). */
  | { ok: false; reason: WebAuthnFailure; auditReason: string };

/**
 * Checks a security-key assertion for `user`: the challenge (consumed whatever the outcome, so
 * no answer is tried twice), the key (one of theirs), then signature, origin, RP id and counter.
 * A counter regression also gets its own audit row, for alerting on cloned keys.
 */
export async function checkLoginAssertion(ctx: ActionContext, rp: RelyingParty, user: { id: string }, keys: store.CredentialRow[], response: AuthenticationResponseJSON): Promise<LoginCheck> {
  const refuse = (reason: WebAuthnFailure, auditReason: string = reason): LoginCheck => ({ ok: false, reason, auditReason: `webauthn_${auditReason}` });
  ctx.detail({ mfaMethod: 'webauthn', credentialIdDigest: credentialIdDigest(response.id) });
  const challenge = challengeOf(response);
  if (!challenge) return refuse('malformed');
  const stored = await store.takeChallenge(ctx.trx, user.id, 'login', challengeHash(challenge));
  if (!stored) return refuse('challenge_unknown');
  if (stored.expires_at <= ctx.now) return refuse('challenge_expired');
  const key = keys.find((k) => k.credential_id === response.id);
  if (!key) {
    // The caller sees one answer; the audit row says whether the key is someone else's.
    const other = await store.findByCredentialId(ctx.trx, response.id);
    return refuse('unknown_credential', other ? 'foreign_credential' : 'unknown_credential');
  }
  ctx.detail({ securityKeyId: key.id });
  const stored_counter = Number(key.counter);
  const r = await rp.verifyAssertion(response, challenge, { id: key.credential_id, publicKey: new Uint8Array(key.public_key), counter: stored_counter, transports: parseTransports(key.transports) as never }, stored_counter);
  if (!r.ok) {
    if (r.reason === 'counter_regression') {
      await ctx.audit({
        action: 'auth.webauthn.counter_regression', outcome: 'denied', targetType: 'webauthn_credential', targetId: key.id, reason: 'counter_regression',
        details: { userId: user.id, storedCounter: stored_counter, presentedCounter: r.presentedCounter ?? null },
      });
    }
    return refuse(r.reason);
  }
  if (!(await store.recordUse(ctx.trx, key.id, { counter: r.newCounter, last_used_at: ctx.now, backed_up: r.backedUp ? 1 : 0 }))) {
    return refuse('counter_regression', 'counter_race'); // another sign-in with this key moved the counter meanwhile
  }
  return { ok: true, key };
}
