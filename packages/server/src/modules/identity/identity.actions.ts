/** Identity writes (IAM-1, IAM-3): login, passwords, TOTP, users, sessions. Each through runAction. */
import { decryptText, encryptText, hashToken, randomToken } from '@conclave/crypto';
import type { BodyOf, OrgRole, ResponseOf } from '@conclave/protocol';
import { userActor, type Actor, type UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import { checkPasswordPolicy, hashPassword, timingDummyHash, verifyPassword } from './passwords';
import { loginRestriction, mfaRequired, requirePermission } from './identity.policy';
import { presentOneUser, presentSession } from './identity.presenter';
import * as store from './identity.store';
import { LoginThrottle, lockoutMs } from './login-throttle';
import { checkTotp, newRecoveryCodes, newTotpSecret, otpauthUri } from './totp';
import { FAILURE_MESSAGES } from './webauthn';
import { WebAuthnActions } from './webauthn.actions';
import { checkLoginAssertion, loginOptions } from './webauthn.login';
import * as webauthnStore from './webauthn.store';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import QRCode from 'qrcode';

/** Called after commit when sessions die, so the realtime layer closes their sockets everywhere. */
export type SessionsRevoked = (userId: string, sessionIds: string[] | 'all', reason: string) => void;

export class IdentityActions {
  private readonly throttle = new LoginThrottle();
  /** Secrets between enrol and confirm, per user; lost on restart (the user simply enrols again). */
  private readonly pendingTotp = new Map<string, { secret: string; expires: number }>();

  /** Security keys (IAM-1): registration and management; their login step runs in login() below. */
  readonly webauthn: WebAuthnActions;

  constructor(private readonly svc: Services, private readonly onRevoked: SessionsRevoked) {
    this.webauthn = new WebAuthnActions(svc, onRevoked);
  }

  /** POST /auth/login. The password check runs outside the write transaction (argon2 is slow). */
  async login(actor: Actor, body: BodyOf<'login'>): Promise<ResponseOf<'login'>> {
    const { runner, database, clock } = this.svc;
    const now = clock.now();
    const wait = this.throttle.retryAfter(actor.ip, now);
    if (wait > 0) {
      const err = new AppError('rate_limited', 'too many failed logins from your address', { retryAfterMs: wait }, 'ip_throttled');
      await runner.recordFailure(actor, 'auth.login', err, { details: { email: body.email } });
      throw err;
    }
    const user = await store.findUserByEmail(database.db, actor.orgId, body.email);
    if (!user || user.status !== 'active') {
      await verifyPassword(await timingDummyHash(), body.password);
      this.throttle.fail(actor.ip, now);
      const err = new AppError('invalid_credentials', 'email or password is wrong', undefined, user ? 'deactivated' : 'unknown_email');
      await runner.recordFailure(actor, 'auth.login', err, { targetType: 'user', targetId: user?.id ?? null, details: { email: body.email } });
      throw err;
    }
    const who: Actor = { ...actor, userId: user.id };
    if (user.locked_until > now) {
      const err = new AppError('account_locked', 'too many failed logins; try again later', { retryAfterMs: user.locked_until - now }, 'locked');
      await runner.recordFailure(who, 'auth.login', err, { targetType: 'user', targetId: user.id });
      throw err;
    }
    const passwordOk = await verifyPassword(user.password_hash, body.password);
    const settings = await getOrgSettings(database.db, actor.orgId);
    const secret = passwordOk && user.totp_enabled ? await this.totpSecret(user) : null;
    const keys = passwordOk ? await webauthnStore.listByUser(database.db, user.id) : [];

    return runner.run(who, 'auth.login', { targetType: 'user', targetId: user.id }, async (ctx) => {
      const fail = async (code: 'invalid_credentials' | 'mfa_invalid', reason: string, message?: string, details?: Record<string, unknown>) => {
        const failed = user.failed_logins + 1;
        const lock = lockoutMs(failed);
        await store.updateUser(ctx.trx, user.id, { failed_logins: failed, locked_until: lock ? ctx.now + lock : user.locked_until });
        if (lock) await ctx.audit({ action: 'auth.account_locked', outcome: 'success', targetType: 'user', targetId: user.id, details: { failedLogins: failed, lockMs: lock } });
        this.throttle.fail(actor.ip, ctx.now);
        ctx.failAfterCommit(new AppError(code, message ?? (code === 'invalid_credentials' ? 'email or password is wrong' : 'the code is wrong or was already used'), details, reason));
      };
      if (!passwordOk) return fail('invalid_credentials', 'bad_password') as never;
      let mfaVerified = false;
      if (user.totp_enabled || keys.length) {
        if (!body.totp && !body.recoveryCode && !body.webauthn) {
          // A security key is offered first when there is one (IAM-1); a TOTP-only account gets exactly what it always got.
          const details = keys.length
            ? { methods: ['webauthn', ...(user.totp_enabled ? ['totp'] : []), 'recovery_code'], webauthn: await loginOptions(ctx, this.webauthn.rp, user, keys) }
            : { methods: ['totp', 'recovery_code'] };
          const message = keys.length ? 'use your security key, or a code from your authenticator app or a recovery code' : 'enter the code from your authenticator app or a recovery code';
          ctx.failAfterCommit(new AppError('mfa_required', message, details, 'mfa_pending'));
          return undefined as never;
        }
        if (body.webauthn) {
          const check = await checkLoginAssertion(ctx, this.webauthn.rp, user, keys, body.webauthn as AuthenticationResponseJSON);
          if (!check.ok) return fail('mfa_invalid', check.auditReason, FAILURE_MESSAGES[check.reason], { reason: check.reason }) as never;
        } else if (body.totp) {
          if (!user.totp_enabled) return fail('mfa_invalid', 'totp_not_enabled', 'this account has no authenticator app; use your security key or a recovery code') as never;
          const step = checkTotp(secret!, body.totp, ctx.now, user.totp_last_step);
          // Compare-and-set on the step: two parallel logins cannot both use one code.
          const res = step === null ? null : await ctx.trx.updateTable('users').set({ totp_last_step: step })
            .where('id', '=', user.id).where('totp_last_step', '<', step).executeTakeFirst();
          if (!res || Number(res.numUpdatedRows) !== 1) return fail('mfa_invalid', 'bad_totp') as never;
        } else if (!(await store.consumeRecoveryCode(ctx.trx, user.id, hashToken(normaliseCode(body.recoveryCode!)), ctx.now))) {
          return fail('mfa_invalid', 'bad_recovery_code') as never;
        } else {
          ctx.detail({ usedRecoveryCode: true });
        }
        mfaVerified = true;
      }
      await store.updateUser(ctx.trx, user.id, { failed_logins: 0, locked_until: 0 });
      const token = randomToken(32);
      const session: store.SessionRow = {
        id: newId(ctx.now), user_id: user.id, org_id: user.org_id, token_hash: hashToken(token), created_at: ctx.now, last_seen_at: ctx.now,
        expires_at: ctx.now + settings.sessionTtlHours * 3_600_000, ip: actor.ip, user_agent: actor.userAgent?.slice(0, 400) ?? null,
        mfa_verified: mfaVerified ? 1 : 0, restriction: loginRestriction(user, settings, keys.length > 0), revoked_at: null, revoked_reason: null,
      };
      await store.insertSession(ctx.trx, session);
      ctx.detail({ sessionId: session.id, mfa: mfaVerified, restriction: session.restriction });
      return { token, user: await presentOneUser(ctx.trx, { ...user, failed_logins: 0 }, this.svc.presence, this.svc.keys), session: presentSession(session, session.id) };
    });
  }

  async logout(actor: UserActor): Promise<{ ok: true }> {
    await this.revokeSessions(actor, 'auth.logout', actor.userId, [actor.sessionId!], 'logout');
    return { ok: true };
  }

  /** Changes the password, lifts a password_change restriction, and revokes every other session. */
  async changePassword(actor: UserActor, body: BodyOf<'changePassword'>): Promise<ResponseOf<'changePassword'>> {
    const { database, runner } = this.svc;
    const user = await this.requireUser(actor, actor.userId);
    if (!(await verifyPassword(user.password_hash, body.currentPassword))) {
      const err = new AppError('invalid_credentials', 'the current password is wrong', undefined, 'bad_password');
      await runner.recordFailure(actor, 'auth.change_password', err, { targetType: 'user', targetId: user.id });
      throw err;
    }
    const settings = await getOrgSettings(database.db, actor.orgId);
    checkPasswordPolicy(body.newPassword, settings.passwordPolicy, user.email);
    if (await verifyPassword(user.password_hash, body.newPassword)) throw new AppError('password_policy', 'the new password must differ from the current one', { rules: ['different from the current password'] });
    const passwordHash = await hashPassword(body.newPassword);
    const hasKeys = (await webauthnStore.countByUser(database.db, user.id)) > 0;
    let revoked: string[] = [];
    const updated = await runner.run(actor, 'auth.change_password', { targetType: 'user', targetId: user.id }, async (ctx) => {
      const next = { ...user, password_hash: passwordHash, must_change_password: 0, updated_at: ctx.now };
      await store.updateUser(ctx.trx, user.id, { password_hash: passwordHash, must_change_password: 0, updated_at: ctx.now });
      await store.updateSession(ctx.trx, actor.sessionId!, { restriction: loginRestriction(next, settings, hasKeys) });
      revoked = await store.revokeUserSessions(ctx.trx, user.id, ctx.now, 'password_changed', actor.sessionId!);
      ctx.detail({ revokedSessions: revoked.length });
      return next;
    });
    if (revoked.length) this.onRevoked(user.id, revoked, 'password_changed');
    return { user: await presentOneUser(this.svc.database.db, updated, this.svc.presence, this.svc.keys) };
  }

  /** Starts TOTP enrolment; the secret is kept in memory until confirmed with a valid code. */
  async totpEnroll(actor: UserActor): Promise<ResponseOf<'totpEnroll'>> {
    const user = await this.requireUser(actor, actor.userId);
    if (user.totp_enabled) throw new AppError('conflict', 'TOTP is already enabled; disable it first to enrol a new device');
    const secret = newTotpSecret();
    const settings = await getOrgSettings(this.svc.database.db, actor.orgId);
    this.pendingTotp.set(user.id, { secret, expires: this.svc.clock.now() + 15 * 60_000 });
    const uri = otpauthUri(user.email, settings.name, secret);
    await this.svc.runner.run(actor, 'auth.totp.enroll_start', { targetType: 'user', targetId: user.id }, async () => undefined);
    return { secret, otpauthUri: uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 240 }) };
  }

  async totpConfirm(actor: UserActor, body: BodyOf<'totpConfirm'>): Promise<ResponseOf<'totpConfirm'>> {
    const pending = this.pendingTotp.get(actor.userId);
    const now = this.svc.clock.now();
    if (!pending || pending.expires < now) throw new AppError('conflict', 'no TOTP enrolment in progress; start again');
    const step = checkTotp(pending.secret, body.code, now, 0);
    if (step === null) {
      const err = new AppError('mfa_invalid', 'the code does not match; check the device clock and try again', undefined, 'bad_totp');
      await this.svc.runner.recordFailure(actor, 'auth.totp.enable', err, { targetType: 'user', targetId: actor.userId });
      throw err;
    }
    const codes = newRecoveryCodes();
    const user = await this.svc.runner.run(actor, 'auth.totp.enable', { targetType: 'user', targetId: actor.userId }, async (ctx) => {
      const u = await this.requireUserIn(ctx.trx, actor, actor.userId);
      const { id: keyId, key } = await this.svc.keys.create(ctx.trx, `user:${u.id}`, ctx.now);
      const patch = { totp_enabled: 1, totp_secret_enc: encryptText(key, pending.secret, totpAad(u.id)), totp_key_id: keyId, totp_last_step: step, updated_at: ctx.now };
      await store.updateUser(ctx.trx, u.id, patch);
      await store.replaceRecoveryCodes(ctx.trx, u.id, codes.map((c) => ({ id: newId(ctx.now), code_hash: hashToken(c) })), ctx.now);
      if (actor.sessionId) await store.updateSession(ctx.trx, actor.sessionId, { mfa_verified: 1, restriction: u.must_change_password ? 'password_change' : null });
      return { ...u, ...patch };
    });
    this.pendingTotp.delete(actor.userId);
    return { recoveryCodes: codes, user: await presentOneUser(this.svc.database.db, user, this.svc.presence, this.svc.keys) };
  }

  async totpDisable(actor: UserActor, body: BodyOf<'totpDisable'>): Promise<ResponseOf<'totpDisable'>> {
    const user = await this.requireUser(actor, actor.userId);
    const settings = await getOrgSettings(this.svc.database.db, actor.orgId);
    const pwOk = await verifyPassword(user.password_hash, body.password);
    const user2 = await this.svc.runner.run(actor, 'auth.totp.disable', { targetType: 'user', targetId: user.id }, async (ctx) => {
      if (!pwOk) throw new AppError('invalid_credentials', 'the password is wrong', undefined, 'bad_password');
      // Security keys left behind still satisfy the policy and keep the recovery codes useful (IAM-1).
      const hasKeys = (await webauthnStore.countByUser(ctx.trx, user.id)) > 0;
      if (!hasKeys && mfaRequired(user.role as OrgRole, settings)) throw new AppError('forbidden', 'your organisation requires MFA for your role', undefined, 'mfa_required_by_policy');
      const patch = { totp_enabled: 0, totp_secret_enc: null, totp_key_id: null, updated_at: ctx.now };
      await store.updateUser(ctx.trx, user.id, patch);
      if (!hasKeys) await store.replaceRecoveryCodes(ctx.trx, user.id, [], ctx.now);
      return { ...user, ...patch };
    });
    return { user: await presentOneUser(this.svc.database.db, user2, this.svc.presence, this.svc.keys) };
  }

  async regenerateRecoveryCodes(actor: UserActor): Promise<ResponseOf<'regenerateRecoveryCodes'>> {
    const codes = newRecoveryCodes();
    await this.svc.runner.run(actor, 'auth.recovery_codes.regenerate', { targetType: 'user', targetId: actor.userId }, async (ctx) => {
      const u = await this.requireUserIn(ctx.trx, actor, actor.userId);
      if (!u.totp_enabled && (await webauthnStore.countByUser(ctx.trx, u.id)) === 0) throw new AppError('conflict', 'enable TOTP or add a security key first');
      await store.replaceRecoveryCodes(ctx.trx, u.id, codes.map((c) => ({ id: newId(ctx.now), code_hash: hashToken(c) })), ctx.now);
    });
    return { recoveryCodes: codes };
  }

  /** Revokes sessions of `userId` (own sessions, or any user's with users.revoke_sessions). */
  async revokeSessions(actor: UserActor, action: string, userId: string, sessionIds: string[], reason: string): Promise<void> {
    await this.svc.runner.run(actor, action, { targetType: 'session', targetId: sessionIds[0] ?? null, details: { userId } }, async (ctx) => {
      if (userId !== actor.userId) requirePermission(actor, 'users.revoke_sessions');
      for (const sid of sessionIds) {
        const r = await ctx.trx.updateTable('sessions').set({ revoked_at: ctx.now, revoked_reason: reason })
          .where('id', '=', sid).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw notFound('session');
      }
    });
    this.onRevoked(userId, sessionIds, reason);
  }

  private async totpSecret(user: store.UserRow): Promise<string> {
    const key = await this.svc.keys.get(this.svc.database.db, user.totp_key_id!);
    return decryptText(key, user.totp_secret_enc!, totpAad(user.id));
  }

  private requireUser(actor: Actor, id: string) {
    return this.requireUserIn(this.svc.database.db, actor, id);
  }

  private async requireUserIn(db: Parameters<typeof store.findUserById>[0], actor: Actor, id: string): Promise<store.UserRow> {
    const u = await store.findUserById(db, actor.orgId, id);
    if (!u) throw notFound('user');
    return u;
  }
}

function totpAad(userId: string): string {
  return `totp:${userId}`;
}

function normaliseCode(code: string): string {
  return code.trim().toLowerCase();
}

export { userActor };
