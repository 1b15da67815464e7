/** Identity: passwords, one-time passwords, TOTP, recovery codes, MFA policy, lockout, sessions (IAM-1, IAM-3, AUD-1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConclaveClient } from '@conclave/sdk';
import { dialects, startTestServer, USER_PASSWORD, type TestServer, expectCode } from '@conclave/testkit';
import { OffsetClock, totpCode } from '@conclave/server';


async function auditRows(t: TestServer, action: string) {
  return t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
}

describe.each(dialects())('identity (IAM-1, IAM-3) [%s]', (dialect) => {
  let t: TestServer;
  const clock = new OffsetClock();
  beforeAll(async () => { t = await startTestServer({ dialect, clock }); });
  afterAll(async () => { await t?.close(); });

  it('wrong password and unknown email give the same invalid_credentials, both audited', async () => {
    const u = await t.createUser();
    const c = t.client();
    await expectCode(c.login(u.user.email, 'nope-nope-nope-nope'), 'invalid_credentials');
    await expectCode(c.login('ghost@test.local', 'nope-nope-nope-nope'), 'invalid_credentials');
    const rows = await auditRows(t, 'auth.login');
    const reasons = rows.filter((r) => r.outcome !== 'success').map((r) => r.reason);
    expect(reasons).toContain('bad_password');
    expect(reasons).toContain('unknown_email');
    // Audit rows never carry the password.
    expect(JSON.stringify(rows)).not.toContain('nope-nope-nope-nope');
  });

  it('locks an account after 5 failures and audits the lockout; the right password is refused while locked', async () => {
    const u = await t.createUser();
    const c = t.client();
    for (let i = 0; i < 5; i++) await expectCode(c.login(u.user.email, `wrong-password-${i}-xx`), 'invalid_credentials');
    const err = await expectCode(c.login(u.user.email, USER_PASSWORD), 'account_locked');
    expect(err.status).toBe(429);
    expect(Number(err.details?.retryAfterMs)).toBeGreaterThan(0);
    expect((await auditRows(t, 'auth.account_locked')).some((r) => r.target_id === u.user.id)).toBe(true);
    clock.offset += 61_000;
    await c.login(u.user.email, USER_PASSWORD);
    clock.offset -= 61_000;
  });

  it('a generated one-time password forces a password change before anything else', async () => {
    const { user, oneTimePassword } = await t.admin.client.users.create({ email: 'otp@test.local', name: 'Otp', role: 'member' });
    expect(oneTimePassword).toMatch(/^[\w]{5}(-[\w]{5}){3}$/);
    const c = t.client();
    const login = await c.login(user.email, oneTimePassword!);
    expect(login.session.restriction).toBe('password_change');
    await expectCode(c.conversations.list(), 'password_change_required');
    await expectCode(c.auth.changePassword(oneTimePassword!, 'short'), 'password_policy');
    await c.auth.changePassword(oneTimePassword!, 'a-much-better-passphrase-77');
    expect((await c.conversations.list()).conversations).toEqual([]);
    await expectCode(t.client().login(user.email, oneTimePassword!), 'invalid_credentials');
  });

  it('changing the password revokes the other sessions', async () => {
    const u = await t.createUser();
    const other = t.client();
    await other.login(u.user.email, USER_PASSWORD);
    await u.client.auth.changePassword(USER_PASSWORD, 'another-long-passphrase-99');
    await expectCode(other.me.get(), 'unauthenticated');
    expect((await u.client.me.get()).user.id).toBe(u.user.id);
  });

  it('TOTP: enrol, login needs the code, codes cannot be replayed, recovery codes work once', async () => {
    const u = await t.createUser();
    const { secret, otpauthUri, qrDataUrl } = await u.client.auth.totp.enroll();
    expect(otpauthUri).toContain('otpauth://totp/');
    expect(qrDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    await expectCode(u.client.auth.totp.confirm('000000'), 'mfa_invalid');
    const { recoveryCodes, user } = await u.client.auth.totp.confirm(totpCode(secret, clock.now()));
    expect(user.mfaEnabled).toBe(true);
    expect(recoveryCodes).toHaveLength(10);

    const c = t.client();
    const pending = await expectCode(c.login(u.user.email, USER_PASSWORD), 'mfa_required');
    expect(pending.status).toBe(401);
    clock.offset += 31_000; // the enrolment code's step is used; move to a fresh one
    const code = totpCode(secret, clock.now());
    const ok = await c.login(u.user.email, USER_PASSWORD, { totp: code });
    expect(ok.session.mfaVerified).toBe(true);
    await expectCode(t.client().login(u.user.email, USER_PASSWORD, { totp: code }), 'mfa_invalid');

    const rc = recoveryCodes[0]!;
    await t.client().login(u.user.email, USER_PASSWORD, { recoveryCode: rc });
    await expectCode(t.client().login(u.user.email, USER_PASSWORD, { recoveryCode: rc }), 'mfa_invalid');
    // The TOTP secret is stored encrypted, never in clear.
    const row = await t.server.svc.database.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.totp_secret_enc!).toString('latin1')).not.toContain(secret);
  });

  it('an org policy "MFA required for role" forces enrolment at next login', async () => {
    const u = await t.createUser({ role: 'auditor' });
    await t.admin.client.org.updateSettings({ mfaRequiredRoles: ['auditor'] });
    try {
      const c = t.client();
      const login = await c.login(u.user.email, USER_PASSWORD);
      expect(login.session.restriction).toBe('mfa_enrollment');
      await expectCode(c.conversations.list(), 'mfa_enrollment_required');
      const { secret } = await c.auth.totp.enroll();
      await c.auth.totp.confirm(totpCode(secret, clock.now()));
      expect((await c.conversations.list()).conversations).toEqual([]);
      // Disabling TOTP is refused while the role requires it.
      clock.offset += 31_000;
      const c2 = t.client();
      await c2.login(u.user.email, USER_PASSWORD, { totp: totpCode(secret, clock.now()) });
      await expectCode(c2.auth.totp.disable(USER_PASSWORD), 'forbidden');
    } finally {
      await t.admin.client.org.updateSettings({ mfaRequiredRoles: [] });
    }
  });

  it('sessions: list, revoke one, expired tokens are rejected', async () => {
    const u = await t.createUser();
    const second = t.client();
    await second.login(u.user.email, USER_PASSWORD);
    const { sessions } = await u.client.me.sessions();
    expect(sessions.length).toBe(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const other = sessions.find((s) => !s.current)!;
    await u.client.me.revokeSession(other.id);
    await expectCode(second.me.get(), 'unauthenticated');
    // Someone else's session id is not found for you (and not revoked).
    const v = await t.createUser();
    const vs = (await v.client.me.sessions()).sessions[0]!;
    await expectCode(u.client.me.revokeSession(vs.id), 'not_found');
    expect((await v.client.me.get()).user.id).toBe(v.user.id);
    clock.offset += 8 * 24 * 3_600_000;
    try {
      await expectCode(u.client.me.get(), 'unauthenticated');
    } finally {
      clock.offset -= 8 * 24 * 3_600_000;
    }
  });

  it('admins list and revoke a user\'s sessions; members may not (denial audited)', async () => {
    const u = await t.createUser();
    const m = await t.createUser();
    const { sessions } = await t.admin.client.users.sessions(u.user.id);
    expect(sessions).toHaveLength(1);
    await expectCode(m.client.users.sessions(u.user.id), 'forbidden');
    await expectCode(m.client.users.revokeSession(u.user.id, sessions[0]!.id), 'forbidden');
    await t.admin.client.users.revokeSession(u.user.id, sessions[0]!.id);
    await expectCode(u.client.me.get(), 'unauthenticated');
    const denied = (await auditRows(t, 'sessions.revoke_user')).filter((r) => r.outcome === 'denied');
    expect(denied.some((r) => r.actor_id === m.user.id)).toBe(true);
  });

  it('user admin: members cannot create users; admins cannot grant owner; email is unique', async () => {
    const m = await t.createUser();
    await expectCode(m.client.users.create({ email: 'x1@test.local', name: 'X', role: 'member' }), 'forbidden');
    const a = await t.createUser({ role: 'admin' });
    await expectCode(a.client.users.create({ email: 'x2@test.local', name: 'X', role: 'owner' }), 'forbidden');
    await expectCode(a.client.users.update(a.user.id, { role: 'member' }), 'forbidden');
    await expectCode(t.admin.client.users.create({ email: m.user.email, name: 'Dup', role: 'member' }), 'conflict');
    const { user } = await a.client.users.update(m.user.id, { name: 'Renamed' });
    expect(user.name).toBe('Renamed');
  });

  it('deactivation revokes every session at once and the user cannot log in; reactivation restores the account only', async () => {
    const u = await t.createUser();
    const m = await t.createUser();
    await expectCode(m.client.users.deactivate(u.user.id), 'forbidden');
    const res = await t.admin.client.users.deactivate(u.user.id);
    expect(res.revokedSessions).toBe(1);
    expect(res.user.status).toBe('deactivated');
    await expectCode(u.client.me.get(), 'unauthenticated');
    await expectCode(t.client().login(u.user.email, USER_PASSWORD), 'invalid_credentials');
    expect((await t.admin.client.users.list()).users.some((x) => x.id === u.user.id)).toBe(false);
    await t.admin.client.users.reactivate(u.user.id);
    await expectCode(u.client.me.get(), 'unauthenticated');
    await t.client().login(u.user.email, USER_PASSWORD);
  });

  it('the last owner cannot be deactivated or demoted', async () => {
    const owner = t.admin.user;
    const other = await t.createUser({ role: 'admin' });
    await expectCode(other.client.users.deactivate(owner.id), 'forbidden');
    await expectCode(t.admin.client.users.deactivate(owner.id), 'conflict');
  });

  it('logout ends the session', async () => {
    const u = await t.createUser();
    const token = u.client.token!;
    expect((await new ConclaveClient({ baseUrl: t.url, token }).me.get()).user.id).toBe(u.user.id);
    await u.client.auth.logout();
    await expectCode(new ConclaveClient({ baseUrl: t.url, token }).me.get(), 'unauthenticated');
  });
});
