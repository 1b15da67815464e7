/**
 * Security keys (IAM-1, AUD-1): add, rename and remove your own keys; admins reset a user's
 * second factors. Every write through runAction; audit rows name our key id and a digest of
 * the credential id, never public keys or challenges.
 */
import { hashToken } from '@conclave/crypto';
import type { BodyOf, OrgRole, ResponseOf } from '@conclave/protocol';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { UserActor } from '../../kernel/actor';
import { AppError, forbidden, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import { assertCanManageUser, mfaRequired, requirePermission } from './identity.policy';
import { presentOneUser } from './identity.presenter';
import type { SessionsRevoked } from './identity.actions';
import * as identity from './identity.store';
import { verifyPassword } from './passwords';
import { newRecoveryCodes } from './totp';
import { CHALLENGE_TTL_MS, FAILURE_MESSAGES, RelyingParty, challengeHash, challengeOf, credentialIdDigest, type WebAuthnFailure } from './webauthn';
import { presentSecurityKey, parseTransports } from './webauthn.presenter';
import { WebAuthnQueries } from './webauthn.queries';
import * as store from './webauthn.store';

/** Adding a key needs the password again unless the session signed in this recently ("sudo mode"). */
export const RECENT_SIGN_IN_MS = 10 * 60_000;
/** Keys one person may hold: enough for spares at home and at work, not a dumping ground. */
export const MAX_KEYS_PER_USER = 20;

export class WebAuthnActions {
  readonly rp: RelyingParty;
  /** The reads that go with these writes (listing your keys). */
  readonly queries: WebAuthnQueries;

  constructor(private readonly svc: Services, private readonly onRevoked: SessionsRevoked) {
    this.rp = new RelyingParty(svc.config.webauthn);
    this.queries = new WebAuthnQueries(svc);
  }

  /**
   * Creation options with a single-use challenge bound to this session. Planting a key on a
   * stolen session would give lasting access, so the password is asked for again unless the
   * session is fresh (a forced enrolment right after sign-in needs no second prompt).
   */
  async registerOptions(actor: UserActor, body: BodyOf<'webauthnRegisterOptions'> | undefined): Promise<ResponseOf<'webauthnRegisterOptions'>> {
    const { database, runner, clock } = this.svc;
    const user = await this.requireSelf(actor);
    const session = await database.db.selectFrom('sessions').select('created_at').where('id', '=', actor.sessionId!).executeTakeFirst();
    if (body?.password !== undefined) {
      if (!(await verifyPassword(user.password_hash, body.password))) {
        const err = new AppError('invalid_credentials', 'the password is wrong', { field: 'password' }, 'bad_password');
        await runner.recordFailure(actor, 'auth.webauthn.register_options', err, { targetType: 'user', targetId: user.id });
        throw err;
      }
    } else if (!session || clock.now() - Number(session.created_at) > RECENT_SIGN_IN_MS) {
      throw invalid('password', 'confirm your password to add a security key (this session signed in more than 10 minutes ago)');
    }
    const keys = await store.listByUser(database.db, user.id);
    if (keys.length >= MAX_KEYS_PER_USER) throw new AppError('conflict', `you already have ${MAX_KEYS_PER_USER} security keys; remove one first`);
    const settings = await getOrgSettings(database.db, actor.orgId);
    const optionsJSON = await this.rp.creationOptions({
      rpName: settings.name, userId: user.id, email: user.email, displayName: user.name,
      exclude: keys.map((k) => ({ id: k.credential_id, transports: parseTransports(k.transports) })),
    });
    await runner.run(actor, 'auth.webauthn.register_options', { targetType: 'user', targetId: user.id }, async (ctx) => {
      await store.insertChallenge(ctx.trx, {
        id: newId(ctx.now), org_id: actor.orgId, user_id: user.id, purpose: 'register', session_id: actor.sessionId,
        challenge_hash: challengeHash(optionsJSON.challenge), created_at: ctx.now, expires_at: ctx.now + CHALLENGE_TTL_MS,
      });
    });
    // The library's JSON type has no index signature; the wire schema is deliberately open (new WebAuthn fields pass through).
    return { optionsJSON: optionsJSON as ResponseOf<'webauthnRegisterOptions'>['optionsJSON'] };
  }

  /**
   * Verifies the authenticator's answer and stores the key. The challenge is consumed even when
   * the answer is refused (committed with the audited denial), so nothing can be retried on it.
   * A person's first second factor also gets recovery codes, exactly as TOTP enrolment does, and
   * this session counts as MFA-verified (it just proved the new factor).
   */
  async register(actor: UserActor, body: BodyOf<'webauthnRegister'>): Promise<ResponseOf<'webauthnRegister'>> {
    const response = body.response as RegistrationResponseJSON;
    let codes: string[] | null = null;
    const out = await this.svc.runner.run(actor, 'auth.webauthn.register', { targetType: 'user', targetId: actor.userId, details: { credentialIdDigest: credentialIdDigest(response.id) } }, async (ctx) => {
      const refuse = (reason: WebAuthnFailure) => {
        ctx.failAfterCommit(new AppError('webauthn_invalid', FAILURE_MESSAGES[reason], { reason }, `webauthn_${reason}`));
        return undefined as never;
      };
      const user = await identity.findUserById(ctx.trx, actor.orgId, actor.userId);
      if (!user) throw notFound('user');
      const challenge = challengeOf(response);
      if (!challenge) return refuse('malformed');
      const stored = await store.takeChallenge(ctx.trx, user.id, 'register', challengeHash(challenge));
      if (!stored || stored.session_id !== actor.sessionId) return refuse('challenge_unknown');
      if (stored.expires_at <= ctx.now) return refuse('challenge_expired');
      const verified = await this.rp.verifyRegistration(response, challenge);
      if (!verified.ok) return refuse(verified.reason);
      const existing = await store.findByCredentialId(ctx.trx, verified.credential.id);
      if (existing) throw new AppError('conflict', 'this security key is already registered', undefined, existing.user_id === user.id ? 'duplicate_own_key' : 'duplicate_foreign_key');
      const keys = await store.countByUser(ctx.trx, user.id);
      if (keys >= MAX_KEYS_PER_USER) throw new AppError('conflict', `you already have ${MAX_KEYS_PER_USER} security keys; remove one first`);
      const row: store.CredentialRow = {
        id: newId(ctx.now), org_id: actor.orgId, user_id: user.id, credential_id: verified.credential.id, public_key: Buffer.from(verified.credential.publicKey),
        counter: verified.credential.counter, transports: JSON.stringify(response.response.transports ?? verified.credential.transports ?? []),
        name: body.name ?? `Security key ${keys + 1}`, aaguid: verified.aaguid, backed_up: verified.backedUp ? 1 : 0, created_at: ctx.now, last_used_at: null,
      };
      await store.insertCredential(ctx.trx, row);
      if (keys === 0 && user.totp_enabled !== 1) {
        codes = newRecoveryCodes();
        await identity.replaceRecoveryCodes(ctx.trx, user.id, codes.map((c) => ({ id: newId(ctx.now), code_hash: hashToken(c) })), ctx.now);
      }
      if (actor.sessionId) await identity.updateSession(ctx.trx, actor.sessionId, { mfa_verified: 1, restriction: user.must_change_password ? 'password_change' : null });
      ctx.target('webauthn_credential', row.id);
      ctx.detail({ userId: user.id, transports: parseTransports(row.transports), backedUp: verified.backedUp, firstFactor: codes !== null });
      return { row, user };
    });
    return {
      credential: presentSecurityKey(out.row), recoveryCodes: codes,
      user: await presentOneUser(this.svc.database.db, out.user, this.svc.presence, this.svc.keys),
    };
  }

  async rename(actor: UserActor, id: string, name: string): Promise<ResponseOf<'renameSecurityKey'>> {
    const row = await this.svc.runner.run(actor, 'auth.webauthn.rename', { targetType: 'webauthn_credential', targetId: id, details: { fields: ['name'] } }, async (ctx) => {
      const key = await store.findOwn(ctx.trx, actor.userId, id);
      if (!key) throw notFound('security key', 'not_own_key');
      await store.updateCredential(ctx.trx, id, { name });
      return { ...key, name };
    });
    return { credential: presentSecurityKey(row) };
  }

  /**
   * Removes one of your keys. Your last second factor cannot go while your role requires MFA
   * (409, naming the role); when it goes otherwise, the recovery codes go with it.
   */
  async remove(actor: UserActor, id: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'auth.webauthn.remove', { targetType: 'webauthn_credential', targetId: id }, async (ctx) => {
      const key = await store.findOwn(ctx.trx, actor.userId, id);
      if (!key) throw notFound('security key', 'not_own_key');
      ctx.detail({ credentialIdDigest: credentialIdDigest(key.credential_id) });
      const user = await identity.findUserById(ctx.trx, actor.orgId, actor.userId);
      if (!user) throw notFound('user');
      const last = user.totp_enabled !== 1 && (await store.countByUser(ctx.trx, user.id)) === 1;
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      if (last && mfaRequired(user.role as OrgRole, settings)) {
        throw new AppError('conflict', `your organisation requires two-step verification for the "${user.role}" role: add another security key or an authenticator app before removing your last second factor`,
          { reason: 'mfa_required_by_policy', role: user.role }, 'mfa_required_by_policy');
      }
      await store.deleteCredential(ctx.trx, id);
      if (last) await identity.replaceRecoveryCodes(ctx.trx, user.id, [], ctx.now);
      ctx.detail({ lastFactor: last });
    });
    return { ok: true };
  }

  /**
   * Admin MFA reset (IAM-1, ACL-1): TOTP, recovery codes and every security key go, and the
   * user's sessions are revoked (they were signed in with the factors being withdrawn). A role
   * that requires MFA enrols again at the next sign-in. Nobody resets their own.
   */
  async resetUserMfa(actor: UserActor, userId: string): Promise<ResponseOf<'resetUserMfa'>> {
    let revoked: string[] = [];
    let removed = 0;
    const row = await this.svc.runner.run(actor, 'users.reset_mfa', { targetType: 'user', targetId: userId }, async (ctx) => {
      requirePermission(actor, 'users.update');
      const user = await identity.findUserById(ctx.trx, actor.orgId, userId);
      if (!user) throw notFound('user');
      if (user.id === actor.userId) throw forbidden('you cannot reset your own second factors; manage them in Settings', 'self_mfa_reset');
      assertCanManageUser(actor, user);
      removed = await store.deleteAllForUser(ctx.trx, user.id);
      const patch = { totp_enabled: 0, totp_secret_enc: null, totp_key_id: null, updated_at: ctx.now };
      await identity.updateUser(ctx.trx, user.id, patch);
      await identity.replaceRecoveryCodes(ctx.trx, user.id, [], ctx.now);
      revoked = await identity.revokeUserSessions(ctx.trx, user.id, ctx.now, 'mfa_reset');
      ctx.detail({ hadAuthenticatorApp: user.totp_enabled === 1, removedSecurityKeys: removed, revokedSessions: revoked.length });
      return { ...user, ...patch };
    });
    if (revoked.length) this.onRevoked(userId, revoked, 'mfa_reset');
    return { user: await presentOneUser(this.svc.database.db, row, this.svc.presence, this.svc.keys), removedSecurityKeys: removed, revokedSessions: revoked.length };
  }

  private async requireSelf(actor: UserActor): Promise<identity.UserRow> {
    const u = await identity.findUserById(this.svc.database.db, actor.orgId, actor.userId);
    if (!u) throw notFound('user');
    return u;
  }
}
