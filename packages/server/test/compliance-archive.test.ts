/**
 * E2EE compliance archive (GOV-5, ENC-2), through the SDK as officers and members would use it:
 * off by default; officer device keys; a 3-of-5 setup ceremony; archived levels flag their E2EE
 * conversations and refuse sends without an archive copy; decryption needs 3 released shares
 * (2 are not enough, a refusal is recorded); scope is enforced; every permission has a denial;
 * nothing the server stores is plaintext or decrypts the archive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../cli/src/run-cli.test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoError, archiveKeyFingerprint, archiveKeyFromSeed, openArchiveMessage, openReleasedShare, recoverArchiveKey, sealArchiveMessage,
} from '@conclave/crypto';
import type { Conversation } from '@conclave/sdk';
import { MIGRATIONS, archiveSummary, migrate, openDatabase } from '@conclave/server';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
/** Stand-in for an MLS application message: the archive never looks inside the E2EE body. */
const opaque = () => b64(crypto.getRandomValues(new Uint8Array(48)));
/** Bytes that are certainly not an archive envelope (version byte 0). */
const junk = () => b64(new Uint8Array([0, ...crypto.getRandomValues(new Uint8Array(80))]));
const SECRET_TEXTS = ['ARCHIVE-merger-OMEGA-4471 terms', '董事会决议ARCHIVE-机密', 'ARCHIVE-out-of-scope-early'];

describe.each(dialects())('E2EE compliance archive (GOV-5, ENC-2) [%s]', (dialect) => {
  let t: TestServer;
  let officers: TestUser[];
  const officerKeys: string[] = [];
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let conv: Conversation;
  let serverConv: Conversation;
  let beforeScope: number;

  beforeAll(async () => {
    t = await startTestServer({ dialect });
    officers = [];
    for (let i = 0; i < 5; i++) officers.push(await t.createUser({ role: 'compliance_officer', name: `Officer ${i}` }));
    [alice, bob, eve] = [await t.createUser({ name: 'Alice' }), await t.createUser({ name: 'Bob' }), await t.createUser({ name: 'Eve' })];
    for (const u of [...officers, alice, bob, eve]) await t.admin.client.users.update(u.user.id, { clearance: 'confidential' });
    conv = (await alice.client.conversations.create({ kind: 'group', name: 'Deal room', encryption: 'e2ee', level: 'confidential', memberIds: [bob.user.id] })).conversation;
    serverConv = (await alice.client.conversations.create({ kind: 'group', name: 'Server mode', level: 'confidential', memberIds: [bob.user.id] })).conversation;
  });
  afterAll(async () => { await t?.close(); });

  it('is off by default: no key, no levels, no flag; archive copies are neither needed nor accepted', async () => {
    const status = await officers[0]!.client.archive.status();
    expect(status).toMatchObject({ archiveKey: null, retiredKeys: [], levels: [], officerKeys: [] });
    expect((await alice.client.conversations.get(conv.id)).conversation.complianceArchive).toBe(false);
    expect(await alice.client.archive.conversation(conv.id)).toEqual({ archived: false, archiveKey: null });
    await alice.client.messages.send(conv.id, { ciphertext: opaque() });
    const stray = await expectCode(alice.client.messages.send(conv.id, { ciphertext: opaque(), archiveCiphertext: junk() }), 'validation_failed');
    expect(stray.message).toMatch(/archiveCiphertext: level "confidential" is not archived/);
    // Turning the archive on needs a key from the ceremony first.
    expect((await expectCode(officers[0]!.client.archive.setLevels(['confidential']), 'conflict')).message).toMatch(/setup ceremony/);
  });

  it('officers register device keys; one officer runs the 3-of-5 ceremony; the server keeps public keys and sealed shares', async () => {
    for (const [i, o] of officers.entries()) {
      const { key, privateKey } = await o.client.archive.registerOfficerKey(`laptop ${i}`);
      expect(key.fingerprint).toBe(await archiveKeyFingerprint(fromB64(key.publicKey)));
      officerKeys.push(privateKey);
    }
    await expectCode(officers[0]!.client.archive.registerOfficerKey(), 'conflict');
    const { archiveKey } = await officers[0]!.client.archive.setup({ threshold: 3, trust: (k) => k.fingerprint.length > 0 });
    expect(archiveKey).toMatchObject({ threshold: 3, shareCount: 5, retiredAt: null, createdBy: officers[0]!.user.id });
    expect(archiveKey.holders.map((h) => h.userId).sort()).toEqual(officers.map((o) => o.user.id).sort());
    // Bad ceremonies are clear 4xx: k > n, a share for a non-officer key, garbage shares.
    const keys = (await officers[0]!.client.archive.officerKeys()).keys;
    const badShare = { officerKeyId: keys[0]!.id, sealedShare: junk() };
    const req = (body: object) => officers[1]!.client.http.request('setupArchiveKey', { body: body as never });
    await expectCode(req({ publicKey: b64(new Uint8Array(32).fill(8)), threshold: 2, shares: [badShare, badShare] }), 'validation_failed');
    await expectCode(req({ publicKey: b64(new Uint8Array(32).fill(9)), threshold: 2, shares: [badShare, { ...badShare, officerKeyId: keys[1]!.id }] }), 'validation_failed');
    await expectCode(req({ publicKey: archiveKey.publicKey, threshold: 2, shares: [badShare, { ...badShare, officerKeyId: keys[1]!.id }] }), 'conflict');
    expect((await officers[2]!.client.archive.setLevels(['confidential', 'confidential'])).levels).toEqual(['confidential']);
    await expectCode(officers[2]!.client.archive.setLevels(['top-secret']), 'validation_failed');
    const status = await officers[3]!.client.archive.status();
    expect(status.archiveKey!.id).toBe(archiveKey.id);
    expect(status.levels).toEqual(['confidential']);
  });

  it('members see the permanent flag; an E2EE send without archiveCiphertext is refused; with it, it is stored', async () => {
    beforeScope = Date.now();
    expect((await bob.client.conversations.get(conv.id)).conversation.complianceArchive).toBe(true);
    expect((await bob.client.conversations.list()).conversations.find((c) => c.id === conv.id)!.complianceArchive).toBe(true);
    // Server-mode conversations are not client-archived (the server already reads them for eDiscovery).
    expect((await bob.client.conversations.get(serverConv.id)).conversation.complianceArchive).toBe(false);
    await bob.client.messages.send(serverConv.id, { text: 'server-mode text is fine' });

    const refused = await expectCode(bob.client.messages.send(conv.id, { ciphertext: opaque() }), 'validation_failed');
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/archived for compliance/);
    expect((refused.details as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('archiveCiphertext');
    await expectCode(bob.client.messages.send(conv.id, { ciphertext: opaque(), archiveCiphertext: junk() }), 'validation_failed');
    const info = await bob.client.archive.conversation(conv.id);
    const wrongKey = await sealArchiveMessage(fromB64(info.archiveKey!.publicKey), '01ARZ3NDEKTSV4RRFFQ69G5FAV', new Uint8Array([1]), { conversationId: conv.id, authorId: bob.user.id, clientId: 'x1' });
    const stale = await expectCode(bob.client.messages.send(conv.id, { clientId: 'x1', ciphertext: opaque(), archiveCiphertext: b64(wrongKey) }), 'conflict');
    expect(stale.details).toMatchObject({ archiveKeyId: info.archiveKey!.id });

    const sent = await bob.client.archive.send(conv.id, { ciphertext: opaque(), plaintext: SECRET_TEXTS[0]! });
    await alice.client.archive.send(conv.id, { ciphertext: opaque(), plaintext: SECRET_TEXTS[1]! });
    // The retry of a send that committed returns the original and stores no second copy.
    const again = await bob.client.archive.send(conv.id, { clientId: sent.message.clientId, ciphertext: opaque(), plaintext: SECRET_TEXTS[0]! });
    expect(again.message.id).toBe(sent.message.id);
    const rows = await t.server.svc.database.db.selectFrom('archive_messages').selectAll().where('conversation_id', '=', conv.id).execute();
    expect(rows).toHaveLength(2);
  });

  it('denials: non-officers (admins included) are forbidden on collections and see no request; outsiders see no conversation archive', async () => {
    const { request } = await officers[0]!.client.archive.openRequest({ conversationId: conv.id, from: 0, to: Date.now(), reason: 'denial probe' });
    for (const u of [eve, alice, t.admin]) {
      const c = u.client;
      await expectCode(c.archive.status(), 'forbidden');
      await expectCode(c.archive.officerKeys(), 'forbidden');
      await expectCode(c.archive.setLevels([]), 'forbidden');
      await expectCode(c.archive.registerOfficerKey(), 'forbidden');
      await expectCode(c.http.request('setupArchiveKey', { body: { publicKey: b64(new Uint8Array(32).fill(3)), threshold: 2, shares: [{ officerKeyId: request.id, sealedShare: opaque() }, { officerKeyId: request.id, sealedShare: opaque() }] } }), 'forbidden');
      await expectCode(c.archive.openRequest({ conversationId: conv.id, from: 0, to: 1, reason: 'nosy' }), 'forbidden');
      await expectCode(c.archive.requests(), 'forbidden');
      await expectCode(c.archive.request(request.id), 'not_found');
      await expectCode(c.http.request('getMyArchiveShare', { params: { id: request.id } }), 'not_found');
      await expectCode(c.http.request('releaseArchiveShare', { params: { id: request.id }, body: { sealedShare: opaque() } }), 'not_found');
      await expectCode(c.archive.refuse(request.id, 'no'), 'not_found');
      await expectCode(c.http.request('listReleasedArchiveShares', { params: { id: request.id } }), 'not_found');
      await expectCode(c.http.request('listArchivedMessages', { params: { id: request.id } }), 'not_found');
      await expectCode(c.archive.close(request.id), 'not_found');
      await expectCode(c.archive.revokeOfficerKey((await officers[0]!.client.archive.officerKeys()).keys[0]!.id), 'forbidden');
    }
    await expectCode(eve.client.archive.conversation(conv.id), 'not_found');
    // An officer may only revoke their own key; only the requester reads or closes a request's output.
    await expectCode(officers[1]!.client.archive.revokeOfficerKey((await officers[0]!.client.archive.officerKeys()).keys.find((k) => k.userId === officers[0]!.user.id)!.id), 'not_found');
    await expectCode(officers[1]!.client.archive.close(request.id), 'forbidden');
    // Clearance outranks the permission: an officer below the level sees neither conversation nor request.
    await t.admin.client.users.update(officers[4]!.user.id, { clearance: 'internal' });
    await expectCode(officers[4]!.client.archive.request(request.id), 'not_found');
    await expectCode(officers[4]!.client.archive.openRequest({ conversationId: conv.id, from: 0, to: 1, reason: 'x' }), 'not_found');
    expect((await officers[4]!.client.archive.requests()).requests.map((r) => r.id)).not.toContain(request.id);
    await t.admin.client.users.update(officers[4]!.user.id, { clearance: 'confidential' });
    await officers[0]!.client.archive.close(request.id);
  });

  it('3-of-5: two released shares are not enough; a refusal is recorded; the third release unlocks exactly the scope', async () => {
    const requester = officers[0]!;
    const { request, privateKey } = await requester.client.archive.openRequest({ conversationId: conv.id, from: beforeScope, to: Date.now() + 60_000, reason: 'Case 2024-17: insider trading inquiry' });
    expect(request).toMatchObject({ status: 'pending', threshold: 3, released: 0 });
    await officers[1]!.client.archive.release(request.id, officerKeys[1]!);
    await expectCode(officers[1]!.client.archive.release(request.id, officerKeys[1]!), 'conflict');
    const two = await officers[2]!.client.archive.release(request.id, officerKeys[2]!);
    expect(two.request).toMatchObject({ status: 'pending', released: 2 });

    // The endpoint refuses before k releases ...
    const early = await expectCode(requester.client.http.request('listReleasedArchiveShares', { params: { id: request.id } }), 'conflict');
    expect(early.message).toMatch(/needs 3 released shares; 2 so far/);
    await expectCode(requester.client.http.request('listArchivedMessages', { params: { id: request.id } }), 'conflict');
    await expectCode(requester.client.archive.decrypt(request.id, privateKey), 'conflict');
    // ... and even the two shares taken straight from the database do not rebuild the key.
    const rows = await t.server.svc.database.db.selectFrom('archive_decisions').selectAll().where('request_id', '=', request.id).execute();
    const archiveKey = (await requester.client.archive.status()).archiveKey!;
    const two2 = await Promise.all(rows.map((r) => openReleasedShare(fromB64(privateKey), new Uint8Array(r.sealed_share!), { requestId: request.id, archiveKeyId: archiveKey.id, officerUserId: r.officer_id })));
    const err = await recoverArchiveKey(two2, fromB64(archiveKey.publicKey)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe('decrypt_failed');

    const refused = await officers[3]!.client.archive.refuse(request.id, 'scope too broad');
    expect(refused.request.decisions.find((d) => d.officerId === officers[3]!.user.id)).toMatchObject({ decision: 'refused', reason: 'scope too broad' });
    expect(refused.request.status).toBe('pending');
    await expectCode(officers[3]!.client.archive.release(request.id, officerKeys[3]!), 'conflict');
    const three = await officers[4]!.client.archive.release(request.id, officerKeys[4]!);
    expect(three.request).toMatchObject({ status: 'approved', released: 3 });
    await expectCode(requester.client.archive.release(request.id, officerKeys[0]!), 'conflict');

    // Only the requester receives the shares and ciphertexts.
    await expectCode(officers[1]!.client.http.request('listReleasedArchiveShares', { params: { id: request.id } }), 'forbidden');
    await expectCode(officers[1]!.client.http.request('listArchivedMessages', { params: { id: request.id } }), 'forbidden');
    const out = await requester.client.archive.decrypt(request.id, privateKey);
    expect(out.map((m) => [m.authorId, m.status, m.text])).toEqual([[bob.user.id, 'ok', SECRET_TEXTS[0]], [alice.user.id, 'ok', SECRET_TEXTS[1]]]);
    // Someone else's one-off key opens nothing.
    await expect(officers[1]!.client.archive.decrypt(request.id, privateKey)).rejects.toMatchObject({ code: 'forbidden' });

    // Closing deletes the released shares from the server.
    expect((await requester.client.archive.close(request.id)).request.status).toBe('closed');
    const left = await t.server.svc.database.db.selectFrom('archive_decisions').select('sealed_share').where('request_id', '=', request.id).execute();
    expect(left.every((r) => r.sealed_share === null)).toBe(true);
    await expectCode(requester.client.archive.decrypt(request.id, privateKey), 'conflict');
  });

  it('scope: a request for another time range or conversation returns none of these messages', async () => {
    const requester = officers[1]!;
    const { request, privateKey } = await requester.client.archive.openRequest({ conversationId: conv.id, from: 0, to: beforeScope - 1, reason: 'before' });
    for (const i of [2, 3, 4]) await officers[i]!.client.archive.release(request.id, officerKeys[i]!);
    expect(await requester.client.archive.decrypt(request.id, privateKey)).toEqual([]);
    const other = await requester.client.archive.openRequest({ conversationId: serverConv.id, from: 0, to: Date.now(), reason: 'other' });
    for (const i of [0, 2, 3]) await officers[i]!.client.archive.release(other.request.id, officerKeys[i]!);
    expect(await requester.client.archive.decrypt(other.request.id, other.privateKey)).toEqual([]);
  });

  it('refusals: once too few holders are left to reach k, the request is refused', async () => {
    const { request } = await officers[0]!.client.archive.openRequest({ conversationId: conv.id, from: 0, to: Date.now(), reason: 'fishing' });
    await officers[1]!.client.archive.refuse(request.id, 'no case number');
    await officers[2]!.client.archive.refuse(request.id, 'no case number');
    expect((await officers[0]!.client.archive.request(request.id)).request.status).toBe('pending');
    expect((await officers[3]!.client.archive.refuse(request.id, 'agree: no')).request.status).toBe('refused');
    await expectCode(officers[4]!.client.archive.release(request.id, officerKeys[4]!), 'conflict');
    expect((await officers[0]!.client.archive.requests({ status: 'refused' })).requests.map((r) => r.id)).toContain(request.id);
  });

  it('at rest: no plaintext anywhere in the database, and nothing stored there decrypts the archive', async () => {
    const db = t.server.svc.database.db;
    const values: Uint8Array[] = [];
    for (const table of await db.introspection.getTables()) {
      // PostgreSQL introspection lists every schema of the database; only this server's counts.
      if (table.isView || (dialect === 'postgres' && table.schema !== t.config.databaseSchema)) continue;
      for (const row of await db.selectFrom(table.name as never).selectAll().execute() as Array<Record<string, unknown>>) {
        for (const v of Object.values(row)) {
          if (v instanceof Uint8Array) values.push(new Uint8Array(v));
          else if (typeof v === 'string') values.push(new Uint8Array(Buffer.from(v, 'utf8')));
        }
      }
    }
    const haystack = Buffer.concat(values);
    for (const s of SECRET_TEXTS.slice(0, 2)) expect(haystack.includes(Buffer.from(s, 'utf8')), s).toBe(false);
    for (const k of officerKeys) expect(haystack.includes(Buffer.from(k, 'utf8')), 'an officer private key').toBe(false);
    if (dialect === 'sqlite') {
      for (const f of fs.readdirSync(t.dataDir).filter((n) => n.startsWith('conclave.db'))) {
        const bytes = fs.readFileSync(path.join(t.dataDir, f));
        for (const s of SECRET_TEXTS.slice(0, 2)) expect(bytes.includes(Buffer.from(s, 'utf8')), `${f}: ${s}`).toBe(false);
      }
    }
    // Try every 32-byte value the database holds (raw, or base64 text) as archive private key and as seed.
    const archived = (await db.selectFrom('archive_messages').selectAll().where('conversation_id', '=', conv.id).limit(1).execute())[0]!;
    const archiveKey = (await db.selectFrom('archive_keys').selectAll().where('retired_at', 'is', null).executeTakeFirstOrThrow());
    const candidates = new Set<string>();
    for (const v of values) {
      if (v.length === 32) candidates.add(b64(v));
      const s = Buffer.from(v).toString('utf8');
      if (/^[A-Za-z0-9+/]{43}=$/.test(s)) candidates.add(s);
    }
    expect(candidates.size).toBeGreaterThan(5);
    for (const c of candidates) {
      const k = fromB64(c);
      expect(b64((await archiveKeyFromSeed(k)).publicKey)).not.toBe(archiveKey.public_key);
      const opened = await openArchiveMessage(k, new Uint8Array(archived.ciphertext), { conversationId: conv.id, authorId: archived.author_id, clientId: archived.client_id }).then(() => true, () => false);
      expect(opened).toBe(false);
    }
  });

  it('every step is audited with metadata only', async () => {
    const { records } = await officers[0]!.client.http.request('searchAudit', { query: { action: 'archive.*', limit: 500 } });
    const actions = new Set(records.map((r) => r.action));
    for (const a of ['archive.register_officer_key', 'archive.setup', 'archive.set_levels', 'archive.request_create', 'archive.share_download', 'archive.share_release',
      'archive.request_refuse', 'archive.shares_download', 'archive.messages_read', 'archive.request_close']) expect(actions, a).toContain(a);
    expect(records.some((r) => r.action === 'archive.status' && r.outcome === 'denied')).toBe(true);
    const text = JSON.stringify(records);
    for (const s of [...SECRET_TEXTS, ...officerKeys, 'insider trading']) expect(text).not.toContain(s);
    const sends = (await officers[0]!.client.http.request('searchAudit', { query: { action: 'messages.send', limit: 500 } })).records;
    expect(sends.some((r) => r.outcome === 'failed' && r.reason === 'validation_failed')).toBe(true);
  });

  it('a new ceremony retires the key; senders holding the old key are told and the SDK reseals', async () => {
    const old = (await officers[0]!.client.archive.status()).archiveKey!;
    await bob.client.archive.send(conv.id, { ciphertext: opaque(), plaintext: 'warm the cache' });
    const { archiveKey } = await officers[2]!.client.archive.setup({ threshold: 2, officerKeyIds: (await officers[2]!.client.archive.officerKeys()).keys.slice(0, 3).map((k) => k.id) });
    expect(archiveKey).toMatchObject({ threshold: 2, shareCount: 3 });
    const sent = await bob.client.archive.send(conv.id, { ciphertext: opaque(), plaintext: 'after rotation' });
    const row = await t.server.svc.database.db.selectFrom('archive_messages').select('archive_key_id').where('message_id', '=', sent.message.id).executeTakeFirstOrThrow();
    expect(row.archive_key_id).toBe(archiveKey.id);
    const status = await officers[0]!.client.archive.status();
    expect(status.retiredKeys.map((k) => k.id)).toContain(old.id);
    // Turning the archive off removes the flag and the requirement.
    await officers[1]!.client.archive.setLevels([]);
    expect((await bob.client.conversations.get(conv.id)).conversation.complianceArchive).toBe(false);
    await bob.client.messages.send(conv.id, { ciphertext: opaque() });
  });

  it('`conclave archive status` summarises metadata only', async () => {
    const s = await archiveSummary(t.server.svc.database.db, t.server.bootstrap.orgId, Date.now());
    expect(s).toMatchObject({ enabled: false, levels: [], retiredKeys: 1, activeOfficerKeys: 5, archivedMessages: 4, requests: { closed: 2, approved: 2, refused: 1 } });
    expect(s.archiveKey).toMatchObject({ threshold: 2, shareCount: 3 });
    if (dialect !== 'sqlite') return;
    const r = await runCli(['archive', 'status', '--json'], { dataDir: t.dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(s)));
  });
});

describe('compliance archive migration (0007)', () => {
  it('applies on top of 0006 with data in it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      await migrate(d, '0006_governance');
      await d.db.insertInto('orgs').values({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'Keep', settings: '{}', created_at: 1 }).execute();
      expect(await migrate(d, '0007_compliance_archive')).toEqual(['0007_compliance_archive']);
      const names = (await d.db.introspection.getTables()).map((x) => x.name);
      expect(names).toEqual(expect.arrayContaining(['archive_officer_keys', 'archive_keys', 'archive_shares', 'archive_levels', 'archive_messages', 'archive_requests', 'archive_decisions']));
      expect((await d.db.selectFrom('orgs').select('name').execute()).map((r) => r.name)).toEqual(['Keep']);
      expect(Object.keys(MIGRATIONS)).toContain('0007_compliance_archive');
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
