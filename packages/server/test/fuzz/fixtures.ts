/**
 * Real objects for the fuzzer to aim at (so valid-looking requests get past "not found"),
 * dead tokens of every kind, and a pool of live sessions that refills itself when a fuzzed
 * request logs one out. The testkit's own admin client is never handed to the fuzzer: it is
 * kept clean for the checks after the run.
 */
import http from 'node:http';
import type { OffsetClock } from '@conclave/server';
import { ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, type TestServer, type TestUser } from '@conclave/testkit';
import type { Pools } from './values';

export interface LoginResult {
  status: number;
  body: { token?: string; session?: { restriction?: string | null }; error?: { code: string } };
}

let nextAddr = 2;
/**
 * Logs in from a fresh loopback address (127.0.0.x): the fuzzer's own failed logins from
 * 127.0.0.1 trip the per-address brute-force brake, which must not stop the harness.
 */
export function loginRaw(url: string, email: string, password: string): Promise<LoginResult> {
  const localAddress = `127.0.${Math.floor(nextAddr / 250)}.${(nextAddr++ % 250) + 2}`;
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/auth/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Fixtures {
  member: TestUser;
  victim: TestUser;
  pools: Pools;
  conversationIds: string[];
  bad: { expired: string; revoked: string; deactivated: string };
}

/** Creates the objects the fuzzer aims at, through the SDK as a real admin would. */
export async function makeFixtures(t: TestServer, clock: OffsetClock): Promise<Fixtures> {
  const admin = t.admin.client;
  const [member, victim, leaver] = await Promise.all([t.createUser({ name: 'Fuzz Member' }), t.createUser({ name: 'Fuzz Victim' }), t.createUser({ name: 'Fuzz Leaver' })]);
  const group = (await admin.conversations.create({ kind: 'group', name: 'Fuzz group', memberIds: [member.user.id, victim.user.id] })).conversation;
  const channel = (await admin.conversations.create({ kind: 'channel', name: 'fuzz-channel', topic: 'fuzzing' })).conversation;
  const dm = (await admin.conversations.create({ kind: 'dm', memberIds: [member.user.id] })).conversation;
  const m1 = (await admin.messages.send(group.id, { text: 'fuzz target 1' })).message;
  const m2 = (await member.client.messages.send(group.id, { text: 'fuzz target 2' })).message;
  const reply = (await admin.messages.send(group.id, { text: 'a reply', threadRootId: m1.id })).message;
  await admin.messages.edit(group.id, m1.id, 'fuzz target 1 (edited)');
  await admin.messages.react(group.id, m2.id, '👍');
  const m3 = (await admin.messages.send(channel.id, { text: 'channel message' })).message;
  const dept = (await admin.http.request('createDepartment', { body: { name: 'Fuzz department' } })).department;
  await admin.http.request('createRole', { body: { name: 'fuzz_role', permissions: ['conversations.create_dm'] } });
  const { settings } = await admin.org.getSettings();
  const fileIds = await plantFiles(t, group.id).catch(() => []);

  // Dead tokens: logged out, expired (minted 100 days in the past), and of a deactivated user.
  const revoked = await loginRaw(t.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  await fetch(`${t.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked.body.token}` } });
  clock.offset = -100 * 24 * 3600_000;
  const expired = await loginRaw(t.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  clock.offset = 0;
  const deactivated = leaver.client.token!;
  await admin.users.deactivate(leaver.user.id);

  const pools: Pools = {
    ids: [t.admin.user.id, member.user.id, victim.user.id, leaver.user.id, group.id, channel.id, dm.id, m1.id, m2.id, m3.id, reply.id, dept.id, ...fileIds],
    roles: ['owner', 'admin', 'security_officer', 'compliance_officer', 'auditor', 'member', 'guest', 'fuzz_role', 'nosuchrole'],
    levels: [...settings.levels, 'nosuchlevel'],
    // Never the admin's or the fuzz member's email: failed logins would lock the harness out.
    emails: [victim.user.email, leaver.user.email, 'nobody@example.com', 'UPPER@EXAMPLE.COM', ' padded@example.com '],
    emojis: ['👍', '🎉', 'a', 'x'.repeat(64), 'x'.repeat(65), '👩‍👩‍👧‍👦', '🏳️‍🌈', '\u202e', 'Z̸̡̢̛͓͚', '\u0000', ' ', '%'],
  };
  return {
    member, victim, pools, conversationIds: [group.id, channel.id, dm.id],
    bad: { expired: expired.body.token!, revoked: revoked.body.token!, deactivated },
  };
}

/**
 * A finished upload (a file) and one left open, so file and upload routes see real ids.
 * Best effort: the fuzz run does not depend on the files module's exact flow.
 */
async function plantFiles(t: TestServer, conversationId: string): Promise<string[]> {
  const auth = { authorization: `Bearer ${t.admin.client.token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const bytes = Buffer.from('fuzz file content\n');
  const start = async () => ((await (await fetch(`${t.url}/api/v1/uploads`, { method: 'POST', headers: json, body: JSON.stringify({ conversationId, name: 'fuzz.txt', size: bytes.length, contentType: 'text/plain' }) })).json()) as { upload: { id: string } }).upload.id;
  const done = await start();
  const open = await start();
  await fetch(`${t.url}/api/v1/uploads/${done}/content?offset=0`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: bytes });
  const file = ((await (await fetch(`${t.url}/api/v1/uploads/${done}/complete`, { method: 'POST', headers: json, body: '{}' })).json()) as { file: { id: string } }).file.id;
  return [file, open].filter(Boolean);
}

/**
 * Live sessions for the fuzzer. A fuzzed logout, a deactivation or a clearance change may end
 * one; the pool then logs in again (reactivating the member or undoing an MFA requirement
 * first when the fuzzer caused that) so later requests still reach deep code paths.
 */
export class SessionPool {
  private readonly live: Record<'admin' | 'member', string[]> = { admin: [], member: [] };
  private readonly checking = new Map<string, Promise<void>>();
  private turn = 0;
  relogins = 0;

  constructor(private readonly t: TestServer, private readonly member: TestUser, private readonly size = 3) {}

  async fill(): Promise<void> {
    for (const kind of ['admin', 'member'] as const) {
      while (this.live[kind].length < this.size) this.live[kind].push(await this.login(kind));
    }
  }

  /** Replaces every pool session a fuzzed request ended without the pool noticing. */
  async refresh(): Promise<void> {
    for (const kind of ['admin', 'member'] as const) {
      for (const token of [...this.live[kind]]) await this.noticeUnauthenticated(kind, token);
    }
  }

  token(kind: 'admin' | 'member'): string {
    const list = this.live[kind];
    return list[this.turn++ % list.length]!;
  }

  /** Called after a 401 on a pool token: confirms it is dead and replaces it. */
  noticeUnauthenticated(kind: 'admin' | 'member', token: string): Promise<void> {
    let p = this.checking.get(token);
    if (!p) {
      p = (async () => {
        const me = await fetch(`${this.t.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        if (me.status !== 401) { this.checking.delete(token); return; }
        const fresh = await this.login(kind);
        const list = this.live[kind];
        const at = list.indexOf(token);
        if (at >= 0) list[at] = fresh;
        this.relogins++;
      })();
      this.checking.set(token, p);
    }
    return p;
  }

  private async login(kind: 'admin' | 'member', attempt = 0): Promise<string> {
    const email = kind === 'admin' ? ADMIN_EMAIL : this.member.user.email;
    const password = kind === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD;
    const res = await loginRaw(this.t.url, email, password);
    if (res.status === 200 && res.body.token && !res.body.session?.restriction) return res.body.token;
    if (attempt >= 3) throw new Error(`harness could not log in the ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    // Undo what the fuzzer may have done to this account, with the untouched admin client.
    const admin = this.t.admin.client;
    if (res.body.session?.restriction) await admin.org.updateSettings({ mfaRequiredRoles: [] });
    if (kind === 'member') await admin.users.reactivate(this.member.user.id).catch(() => undefined);
    return this.login(kind, attempt + 1);
  }
}
