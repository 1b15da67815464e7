/**
 * Security keys as a second factor (IAM-1, AUD-1, ACL-1) through the SDK against an in-process
 * server, with a software authenticator (webauthn-authenticator.ts): registration, sign-in,
 * every refusal (origin, RP id, replayed/expired challenge, unknown or foreign key, counter
 * regression) as a clear 4xx and an audited denial, the MFA policy, admin reset, permissions,
 * bad input, configuration and the migration.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConclaveClient } from '@conclave/sdk';
import { ADMIN_EMAIL, ADMIN_PASSWORD, dialects, expectCode, startTestServer, USER_PASSWORD, type TestServer, type TestUser } from '@conclave/testkit';
import { ConfigError, MIGRATIONS, OffsetClock, loadConfig, migrate, openDatabase, totpCode } from '@conclave/server';
import { SoftAuthenticator, type SoftCredential } from './webauthn-authenticator';
import { recordUse } from '../src/modules/identity/webauthn.store';

const ORIGIN = 'http://localhost:5173';
const RP_ID = 'localhost';

describe.each(dialects())('security keys (IAM-1) [%s]', (dialect) => {
  let t: TestServer;
  const clock = new OffsetClock();
  const authenticator = new SoftAuthenticator(ORIGIN, RP_ID);

  beforeAll(async () => {
    t = await startTestServer({ dialect, clock, config: { webauthn: { rpId: RP_ID, origins: [ORIGIN] } } });
  });
  afterAll(async () => { await t?.close(); });

  const audit = (action: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();

  /** Registers a new key for `u` (fresh session: no password needed) and returns the authenticator's credential. */
  async function enrol(u: TestUser, name?: string): Promise<{ cred: SoftCredential; id: string; recoveryCodes: string[] | null }> {
    const { optionsJSON } = await u.client.webauthn.registrationOptions();
    const { cred, response } = authenticator.register(optionsJSON);
    const res = await u.client.webauthn.register(response, name);
    return { cred, id: res.credential.id, recoveryCodes: res.recoveryCodes };
  }

  /** The password step of a login: the mfa_required offer. */
  async function offer(email: string, password = USER_PASSWORD) {
    const c = t.client();
    const err = await expectCode(c.login(email, password), 'mfa_required');
    const mfa = c.webauthn.mfaChallenge(err)!;
    return { c, methods: mfa.methods, options: mfa.optionsJSON! };
  }

  async function signInWithKey(email: string, cred: SoftCredential, password = USER_PASSWORD): Promise<ConclaveClient> {
    const { c, options } = await offer(email, password);
    await c.webauthn.login(email, password, authenticator.assert(options, cred));
    return c;
  }

  it('IAM-1: register a key, list it, sign in with password + key; the session is MFA-verified; audit rows hold no key material', async () => {
    const u = await t.createUser();
    const { optionsJSON } = await u.client.webauthn.registrationOptions();
    expect(optionsJSON.rp).toEqual({ id: RP_ID, name: expect.any(String) });
    expect(optionsJSON.attestation).toBe('none');
    const { cred, response } = authenticator.register(optionsJSON);
    const reg = await u.client.webauthn.register(response, 'YubiKey 5C');
    expect(reg.credential).toMatchObject({ name: 'YubiKey 5C', lastUsedAt: null, transports: ['usb'], backedUp: false });
    expect(reg.recoveryCodes).toHaveLength(10);
    expect(reg.user.mfaEnabled).toBe(true);
    expect((await u.client.webauthn.list())).toMatchObject({ credentials: [{ id: reg.credential.id }], totpEnabled: false, recoveryCodesLeft: 10 });

    const { c, methods, options } = await offer(u.user.email);
    expect(methods).toEqual(['webauthn', 'recovery_code']);
    expect(options.rpId).toBe(RP_ID);
    expect(options.allowCredentials!.map((a) => a.id)).toEqual([cred.id]);
    const login = await c.webauthn.login(u.user.email, USER_PASSWORD, authenticator.assert(options, cred));
    expect(login.session.mfaVerified).toBe(true);
    expect((await u.client.webauthn.list()).credentials[0]!.lastUsedAt).toEqual(expect.any(Number));

    const regRow = (await audit('auth.webauthn.register')).find((r) => r.actor_id === u.user.id && r.outcome === 'success')!;
    expect(regRow).toMatchObject({ target_type: 'webauthn_credential', target_id: reg.credential.id });
    const loginRow = (await audit('auth.login')).filter((r) => r.target_id === u.user.id && r.outcome === 'success').at(-1)!;
    expect(JSON.parse(loginRow.details as string)).toMatchObject({ mfa: true, mfaMethod: 'webauthn', securityKeyId: reg.credential.id });
    // Metadata only: no public key, credential id or challenge anywhere in the audit log (AUD-1, rule 5).
    const all = JSON.stringify(await t.server.svc.database.db.selectFrom('audit_log').selectAll().execute());
    const stored = await t.server.svc.database.db.selectFrom('webauthn_credentials').selectAll().where('id', '=', reg.credential.id).executeTakeFirstOrThrow();
    expect(all).not.toContain(cred.id);
    expect(all).not.toContain(Buffer.from(stored.public_key).toString('base64url'));
    expect(all).not.toContain(optionsJSON.challenge);
    expect(all).not.toContain(options.challenge);
    // Challenges are stored as digests only, and a used one is gone.
    const challenges = JSON.stringify(await t.server.svc.database.db.selectFrom('webauthn_challenges').selectAll().execute());
    expect(challenges).not.toContain(options.challenge);
  });

  it('IAM-1: a key-verified session satisfies a level that requires MFA; a password-only session does not', async () => {
    await expectCode(t.admin.client.conversations.create({ kind: 'group', name: 'vault-before', level: 'secret' }), 'forbidden');
    // The admin's session is older than 10 minutes of server time? Confirm the password either way.
    const { optionsJSON } = await t.admin.client.webauthn.registrationOptions(ADMIN_PASSWORD);
    const { cred, response } = authenticator.register(optionsJSON);
    await t.admin.client.webauthn.register(response, 'Owner key');
    const c = await signInWithKey(ADMIN_EMAIL, cred, ADMIN_PASSWORD);
    const { conversation } = await c.conversations.create({ kind: 'group', name: 'vault', level: 'secret' });
    expect(conversation.level).toBe('secret');
  });

  it('IAM-1: "MFA required for role" is met by a security key; removing the last second factor is refused with 409 naming the role', async () => {
    await t.admin.client.org.updateSettings({ mfaRequiredRoles: ['auditor'] });
    try {
      const u = await t.createUser({ role: 'auditor' });
      expect((await u.client.me.get()).session.restriction).toBe('mfa_enrollment');
      await expectCode(u.client.conversations.list(), 'mfa_enrollment_required');
      const first = await enrol(u, 'first');
      expect((await u.client.me.get()).session).toMatchObject({ restriction: null, mfaVerified: true });
      await u.client.conversations.list();
      const c = await signInWithKey(u.user.email, first.cred);
      expect((await c.me.get()).session.restriction).toBeNull();

      const err = await expectCode(u.client.webauthn.remove(first.id), 'conflict');
      expect(err.status).toBe(409);
      expect(err.details).toMatchObject({ reason: 'mfa_required_by_policy', role: 'auditor' });
      expect(err.message).toContain('"auditor"');
      const second = await enrol(u, 'spare');
      await u.client.webauthn.remove(first.id);
      await expectCode(u.client.webauthn.remove(second.id), 'conflict');
      expect((await u.client.webauthn.list()).credentials.map((k) => k.name)).toEqual(['spare']);
      expect((await audit('auth.webauthn.remove')).filter((r) => r.actor_id === u.user.id).map((r) => [r.outcome, r.reason])).toEqual([
        ['failed', 'mfa_required_by_policy'], ['success', null], ['failed', 'mfa_required_by_policy'],
      ]);
    } finally {
      await t.admin.client.org.updateSettings({ mfaRequiredRoles: [] });
    }
  });

  it('IAM-1: refused sign-ins — wrong origin, wrong RP id, replayed or expired challenge, unknown or someone else\'s key, bad signature, counter regression — are 401 mfa_invalid naming the reason and audited as denials', async () => {
    const u = await t.createUser();
    const v = await t.createUser();
    const mine = await enrol(u);
    const theirs = await enrol(v);
    const refused = async (reason: string, make: (options: { challenge: string }) => ReturnType<SoftAuthenticator['assert']>) => {
      const { c, options } = await offer(u.user.email);
      const err = await expectCode(c.webauthn.login(u.user.email, USER_PASSWORD, make(options)), 'mfa_invalid');
      expect(err.status).toBe(401);
      expect(err.details?.reason).toBe(reason);
      return err;
    };
    // A success in between resets the per-account failure count, so the lockout does not interfere.
    const succeed = () => signInWithKey(u.user.email, mine.cred);

    expect((await refused('origin', (o) => authenticator.assert(o, mine.cred, { origin: 'https://evil.example' }))).message).toContain('origin');
    await refused('rp_id', (o) => authenticator.assert(o, mine.cred, { rpId: 'evil.example' }));
    await refused('unknown_credential', (o) => authenticator.assert(o, authenticator.newCredential()));
    await succeed();
    await refused('unknown_credential', (o) => authenticator.assert(o, theirs.cred));
    await refused('signature', (o) => {
      const r = authenticator.assert(o, mine.cred);
      return { ...r, response: { ...r.response, signature: authenticator.assert({ challenge: 'AAAA' }, mine.cred).response.signature } };
    });
    await refused('type', (o) => authenticator.assert(o, mine.cred, { type: 'webauthn.create' }));
    await succeed();

    // Replay: a response that signed in once never signs in again.
    const { c, options } = await offer(u.user.email);
    const once = authenticator.assert(options, mine.cred);
    await c.webauthn.login(u.user.email, USER_PASSWORD, once);
    expect((await expectCode(t.client().webauthn.login(u.user.email, USER_PASSWORD, once), 'mfa_invalid')).details?.reason).toBe('challenge_unknown');

    // Expired: answered after the 5-minute lifetime.
    const late = await offer(u.user.email);
    clock.offset += 5 * 60_000 + 1_000;
    try {
      const err = await expectCode(late.c.webauthn.login(u.user.email, USER_PASSWORD, authenticator.assert(late.options, mine.cred)), 'mfa_invalid');
      expect(err.details?.reason).toBe('challenge_expired');
    } finally {
      clock.offset -= 5 * 60_000 + 1_000;
    }
    await succeed();

    // Counter regression: a correctly signed response whose counter went backwards (a cloned key).
    await refused('counter_regression', (o) => authenticator.assert(o, mine.cred, { counter: 1 }));
    const clone = (await audit('auth.webauthn.counter_regression')).at(-1)!;
    expect(clone).toMatchObject({ outcome: 'denied', target_type: 'webauthn_credential', target_id: mine.id });
    expect(JSON.parse(clone.details as string)).toMatchObject({ userId: u.user.id, storedCounter: mine.cred.counter, presentedCounter: 1 });
    // Two sign-ins with one counter value (each with its own challenge): exactly one wins.
    const [a, b] = [await offer(u.user.email), await offer(u.user.email)];
    const n = mine.cred.counter + 1;
    const raced = await Promise.allSettled([a, b].map((x) => x.c.webauthn.login(u.user.email, USER_PASSWORD, authenticator.assert(x.options, mine.cred, { counter: n }))));
    mine.cred.counter = n;
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((raced.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.details.reason).toBe('counter_regression');
    await succeed();

    const denials = (await audit('auth.login')).filter((r) => r.target_id === u.user.id && r.outcome === 'denied').map((r) => r.reason);
    expect(denials).toEqual(expect.arrayContaining([
      'webauthn_origin', 'webauthn_rp_id', 'webauthn_unknown_credential', 'webauthn_foreign_credential', 'webauthn_signature', 'webauthn_type',
      'webauthn_challenge_unknown', 'webauthn_challenge_expired', 'webauthn_counter_regression',
    ]));
    // Someone else's key reads the same to the caller, but the audit row tells the two apart.
    expect(denials.filter((r) => r === 'webauthn_foreign_credential')).toHaveLength(1);
  });

  it('IAM-1: the stored signature counter only moves forward, checked in the UPDATE itself (sign-ins racing on several nodes)', async () => {
    const u = await t.createUser();
    const { id } = await enrol(u);
    const db = t.server.svc.database.db;
    const use = (counter: number) => recordUse(db, id, { counter, last_used_at: clock.now(), backed_up: 0 });
    expect(await use(0)).toBe(true); // a key that keeps no counter stays at 0
    expect(await use(5)).toBe(true);
    expect(await use(5)).toBe(false); // the race loser: the counter is no longer below 5
    expect(await use(3)).toBe(false);
    expect(await use(0)).toBe(false);
    expect(await use(6)).toBe(true);
    expect((await db.selectFrom('webauthn_credentials').select('counter').where('id', '=', id).executeTakeFirstOrThrow()).counter).toBe(6);
  });

  it('IAM-1: refused registrations — wrong origin or RP id, replayed, expired or another session\'s challenge — are 400 webauthn_invalid and audited; a key registered twice is 409', async () => {
    const u = await t.createUser();
    const refused = async (reason: string, c: ConclaveClient, response: ReturnType<SoftAuthenticator['register']>['response']) => {
      const err = await expectCode(c.webauthn.register(response), 'webauthn_invalid');
      expect(err.status).toBe(400);
      expect(err.details?.reason).toBe(reason);
    };
    const opts = () => u.client.webauthn.registrationOptions().then((r) => r.optionsJSON);
    await refused('origin', u.client, authenticator.register(await opts(), { origin: 'https://evil.example' }).response);
    await refused('rp_id', u.client, authenticator.register(await opts(), { rpId: 'evil.example' }).response);
    await refused('type', u.client, authenticator.register(await opts(), { type: 'webauthn.get' }).response);
    // The refused answers used up their challenges: answering one again is an unknown challenge.
    const o = await opts();
    const ok = authenticator.register(o);
    await u.client.webauthn.register(ok.response);
    await refused('challenge_unknown', u.client, ok.response);
    // A challenge belongs to the session it was issued to: one from u's other session does not serve this one.
    const { optionsJSON: foreignOpts } = await (await signInWithKey(u.user.email, ok.cred)).webauthn.registrationOptions();
    await refused('challenge_unknown', u.client, authenticator.register(foreignOpts).response);
    // Expired.
    const stale = await opts();
    clock.offset += 5 * 60_000 + 1_000;
    try {
      await refused('challenge_expired', u.client, authenticator.register(stale).response);
    } finally {
      clock.offset -= 5 * 60_000 + 1_000;
    }
    // Credential ids are unique per deployment: the same authenticator credential cannot be added twice, by anyone.
    const dup = await expectCode(u.client.webauthn.register(authenticator.register(await opts(), { cred: ok.cred }).response), 'conflict');
    expect(dup.status).toBe(409);
    const v = await t.createUser();
    const vOpts = (await v.client.webauthn.registrationOptions()).optionsJSON;
    await expectCode(v.client.webauthn.register(authenticator.register(vOpts, { cred: ok.cred }).response), 'conflict');

    const rows = (await audit('auth.webauthn.register')).filter((r) => r.actor_id === u.user.id);
    expect(rows.filter((r) => r.outcome === 'denied').map((r) => r.reason)).toEqual([
      'webauthn_origin', 'webauthn_rp_id', 'webauthn_type', 'webauthn_challenge_unknown', 'webauthn_challenge_unknown', 'webauthn_challenge_expired',
    ]);
    expect(rows.filter((r) => r.outcome === 'failed').map((r) => r.reason)).toEqual(['duplicate_own_key']);
    expect((await audit('auth.webauthn.register')).some((r) => r.actor_id === v.user.id && r.reason === 'duplicate_foreign_key')).toBe(true);
  });

  it('IAM-1: adding a key needs the password again once the session is older than 10 minutes', async () => {
    const u = await t.createUser();
    clock.offset += 11 * 60_000;
    try {
      const err = await expectCode(u.client.webauthn.registrationOptions(), 'validation_failed');
      expect(err.message).toMatch(/^password: /);
      await expectCode(u.client.webauthn.registrationOptions('not-my-password-at-all'), 'invalid_credentials');
      expect((await audit('auth.webauthn.register_options')).some((r) => r.actor_id === u.user.id && r.outcome === 'denied' && r.reason === 'bad_password')).toBe(true);
      const { optionsJSON } = await u.client.webauthn.registrationOptions(USER_PASSWORD);
      await u.client.webauthn.register(authenticator.register(optionsJSON).response);
    } finally {
      clock.offset -= 11 * 60_000;
    }
  });

  it('ACL-1: nobody reaches another person\'s keys (404), members cannot reset MFA, admins cannot reset an owner\'s or their own (403), all audited', async () => {
    const u = await t.createUser();
    const v = await t.createUser();
    const mine = await enrol(u, 'mine');
    await enrol(v, 'theirs');
    expect((await v.client.webauthn.list()).credentials.map((k) => k.name)).toEqual(['theirs']);
    await expectCode(v.client.webauthn.rename(mine.id, 'stolen'), 'not_found');
    await expectCode(v.client.webauthn.remove(mine.id), 'not_found');
    expect((await u.client.webauthn.list()).credentials.map((k) => k.name)).toEqual(['mine']);
    expect((await audit('auth.webauthn.rename')).filter((r) => r.actor_id === v.user.id).map((r) => [r.outcome, r.reason])).toEqual([['denied', 'not_own_key']]);
    expect((await audit('auth.webauthn.remove')).filter((r) => r.actor_id === v.user.id).map((r) => [r.outcome, r.reason])).toEqual([['denied', 'not_own_key']]);

    // Removing needs an MFA session (like turning TOTP off): a session signed in before the key was added has none.
    const w = await t.createUser();
    const older = t.client();
    await older.login(w.user.email, USER_PASSWORD);
    const wKey = await enrol(w);
    await expectCode(older.webauthn.remove(wKey.id), 'forbidden');
    await older.webauthn.rename(wKey.id, 'renamed from an older session');
    await u.client.webauthn.rename(mine.id, 'renamed');
    expect((await u.client.webauthn.list()).credentials[0]!.name).toBe('renamed');

    await expectCode(v.client.webauthn.resetUserMfa(u.user.id), 'forbidden');
    const admin = await t.createUser({ role: 'admin' });
    await expectCode(admin.client.webauthn.resetUserMfa(t.admin.user.id), 'forbidden');
    await expectCode(admin.client.webauthn.resetUserMfa(admin.user.id), 'forbidden');
    await expectCode(admin.client.webauthn.resetUserMfa('01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'not_found');
    const reasons = (await audit('users.reset_mfa')).filter((r) => r.outcome === 'denied').map((r) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining(['missing_permission:users.update', 'manage_owner', 'self_mfa_reset', 'missing']));
  });

  it('IAM-1: an admin MFA reset removes the user\'s keys, TOTP and recovery codes and signs them out; they sign in with the password alone', async () => {
    const u = await t.createUser();
    const { secret } = await u.client.auth.totp.enroll();
    await u.client.auth.totp.confirm(totpCode(secret, clock.now()));
    await enrol(u);
    await enrol(u);
    await offer(u.user.email); // leaves a login challenge behind
    const admin = await t.createUser({ role: 'admin' });
    const res = await admin.client.webauthn.resetUserMfa(u.user.id);
    expect(res).toMatchObject({ removedSecurityKeys: 2, user: { mfaEnabled: false } });
    expect(res.revokedSessions).toBeGreaterThanOrEqual(1);
    await expectCode(u.client.me.get(), 'unauthenticated');
    const db = t.server.svc.database.db;
    expect(await db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    expect(await db.selectFrom('webauthn_challenges').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    expect(await db.selectFrom('recovery_codes').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    const c = t.client();
    const login = await c.login(u.user.email, USER_PASSWORD);
    expect(login.session.mfaVerified).toBe(false);
    const row = (await audit('users.reset_mfa')).find((r) => r.target_id === u.user.id && r.outcome === 'success')!;
    expect(JSON.parse(row.details as string)).toMatchObject({ hadAuthenticatorApp: true, removedSecurityKeys: 2 });
  });

  it('IAM-1: the TOTP path is unchanged; with both factors either works; turning TOTP off keeps keys and recovery codes; keys-only accounts use recovery codes', async () => {
    const u = await t.createUser();
    const { secret } = await u.client.auth.totp.enroll();
    await u.client.auth.totp.confirm(totpCode(secret, clock.now()));
    const totpOnly = await expectCode(t.client().login(u.user.email, USER_PASSWORD), 'mfa_required');
    expect(totpOnly.details).toEqual({ methods: ['totp', 'recovery_code'] });
    expect(totpOnly.message).toBe('enter the code from your authenticator app or a recovery code');

    const key = await enrol(u);
    expect(key.recoveryCodes).toBeNull(); // TOTP already gave codes
    const both = await offer(u.user.email);
    expect(both.methods).toEqual(['webauthn', 'totp', 'recovery_code']);
    clock.offset += 31_000;
    try {
      await t.client().login(u.user.email, USER_PASSWORD, { totp: totpCode(secret, clock.now()) });
    } finally {
      clock.offset -= 31_000;
    }
    await signInWithKey(u.user.email, key.cred);
    const mfaSession = await signInWithKey(u.user.email, key.cred);
    await mfaSession.auth.totp.disable(USER_PASSWORD);
    expect(await mfaSession.webauthn.list()).toMatchObject({ totpEnabled: false, recoveryCodesLeft: 10 });
    expect((await mfaSession.me.get()).user.mfaEnabled).toBe(true);
    // A TOTP code is no longer accepted; the key still is.
    await expectCode(t.client().login(u.user.email, USER_PASSWORD, { totp: '123456' }), 'mfa_invalid');
    await signInWithKey(u.user.email, key.cred);

    // Keys-only: recovery codes from the first key's registration work once each.
    const k = await t.createUser();
    const first = await enrol(k);
    const code = first.recoveryCodes![0]!;
    await t.client().login(k.user.email, USER_PASSWORD, { recoveryCode: code });
    await expectCode(t.client().login(k.user.email, USER_PASSWORD, { recoveryCode: code }), 'mfa_invalid');
    expect((await k.client.auth.regenerateRecoveryCodes()).recoveryCodes).toHaveLength(10);
  });

  it('bad input: malformed WebAuthn fields are 400 naming the field; undecodable client data is webauthn_invalid (malformed)', async () => {
    const u = await t.createUser();
    const { optionsJSON } = await u.client.webauthn.registrationOptions();
    const good = authenticator.register(optionsJSON).response;
    const bad = async (body: unknown, field: string) => {
      const err = await expectCode(u.client.http.request('webauthnRegister', { body: body as never }), 'validation_failed');
      expect(err.message.startsWith(`${field}:`), err.message).toBe(true);
    };
    await bad({ response: { ...good, response: { ...good.response, clientDataJSON: 'not base64url!' } } }, 'body.response.response.clientDataJSON');
    await bad({ response: { ...good, id: 42 } }, 'body.response.id');
    await bad({ response: { ...good, type: 'password' } }, 'body.response.type');
    await bad({ response: good, name: '' }, 'body.name');
    await bad({ response: good, name: '   ' }, 'body.name');
    await bad({ response: good, extra: true }, 'body');
    const login = await expectCode(t.client().http.request('login', { body: { email: u.user.email, password: USER_PASSWORD, webauthn: { id: 'x' } } as never }), 'validation_failed');
    expect(login.message).toMatch(/^body\.webauthn\./);
    await expectCode(u.client.http.request('renameSecurityKey', { params: { id: 'nope' }, body: { name: 'x' } }), 'validation_failed');
    const malformed = { ...good, response: { ...good.response, clientDataJSON: Buffer.from('not json').toString('base64url') } };
    expect((await expectCode(u.client.webauthn.register(malformed), 'webauthn_invalid')).details?.reason).toBe('malformed');
  });
});

describe('WebAuthn configuration (IAM-1)', () => {
  it('defaults to localhost on the configured port, derives the RP id from the origin, and names the variable on bad values', () => {
    expect(loadConfig({ CONCLAVE_PORT: '9000' }).webauthn).toEqual({ rpId: 'localhost', origins: ['http://localhost:9000'] });
    expect(loadConfig({ CONCLAVE_WEBAUTHN_ORIGIN: 'https://chat.example.com' }).webauthn).toEqual({ rpId: 'chat.example.com', origins: ['https://chat.example.com'] });
    expect(loadConfig({ CONCLAVE_WEBAUTHN_RP_ID: 'example.com' }).webauthn).toEqual({ rpId: 'example.com', origins: ['https://example.com'] });
    expect(loadConfig({ CONCLAVE_WEBAUTHN_RP_ID: 'example.com', CONCLAVE_WEBAUTHN_ORIGIN: 'https://chat.example.com, https://eu.example.com/' }).webauthn.origins)
      .toEqual(['https://chat.example.com', 'https://eu.example.com']);
    const fails = (env: Record<string, string>, variable: string) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}: `));
    };
    fails({ CONCLAVE_WEBAUTHN_RP_ID: 'https://chat.example.com' }, 'CONCLAVE_WEBAUTHN_RP_ID');
    fails({ CONCLAVE_WEBAUTHN_RP_ID: '10.0.0.5' }, 'CONCLAVE_WEBAUTHN_RP_ID');
    fails({ CONCLAVE_WEBAUTHN_RP_ID: 'chat.example.com:8443' }, 'CONCLAVE_WEBAUTHN_RP_ID');
    fails({ CONCLAVE_WEBAUTHN_ORIGIN: 'http://chat.example.com' }, 'CONCLAVE_WEBAUTHN_ORIGIN');
    fails({ CONCLAVE_WEBAUTHN_ORIGIN: 'https://chat.example.com/app' }, 'CONCLAVE_WEBAUTHN_ORIGIN');
    fails({ CONCLAVE_WEBAUTHN_ORIGIN: 'not a url' }, 'CONCLAVE_WEBAUTHN_ORIGIN');
    fails({ CONCLAVE_WEBAUTHN_RP_ID: 'example.com', CONCLAVE_WEBAUTHN_ORIGIN: 'https://example.org' }, 'CONCLAVE_WEBAUTHN_ORIGIN');
  });
});

describe('migration 0012_webauthn', () => {
  it('applies on the 0011 schema with users in it; credential ids are unique per deployment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig-webauthn-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      expect(Object.keys(MIGRATIONS)).toContain('0012_webauthn');
      await migrate(d, '0011_user_profile');
      const db = d.db;
      await db.insertInto('orgs').values({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'Keep', settings: '{}', created_at: 1 }).execute();
      await db.insertInto('users').values({
        id: '01ARZ3NDEKTSV4RRFFQ69G5FAW', org_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', email: 'a@b.c', name: 'A', role: 'member', status: 'active', clearance: 'internal',
        password_hash: 'x', must_change_password: 0, totp_secret_enc: null, totp_key_id: null, totp_enabled: 0, totp_last_step: 0, failed_logins: 0, locked_until: 0,
        created_at: 1, updated_at: 1, deactivated_at: null, profile_enc: null, profile_key_id: null,
      }).execute();
      await migrate(d, '0012_webauthn');
      const row = {
        org_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', user_id: '01ARZ3NDEKTSV4RRFFQ69G5FAW', credential_id: 'abc', public_key: Buffer.from([1, 2, 3]), counter: 0,
        transports: '[]', name: 'k', aaguid: null, backed_up: 0, created_at: 1, last_used_at: null,
      };
      await db.insertInto('webauthn_credentials').values({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAX', ...row }).execute();
      await expect(db.insertInto('webauthn_credentials').values({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAY', ...row }).execute()).rejects.toThrow(/UNIQUE/i);
      expect((await db.selectFrom('users').select('email').execute()).map((r) => r.email)).toEqual(['a@b.c']);
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
