/**
 * eDiscovery export (GOV-5) through the API on both dialects: custodian + time range + keyword
 * selection (CJK included, former members included), the two-person rule, self-approval
 * refused, the signed package verifying offline (and failing when one byte changes, also via
 * `conclave ediscovery verify`), the bulk_export alert, denials for every permission, bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { runCli } from '../../cli/src/run-cli.test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEdiscoveryPackage } from '@conclave/crypto';
import { uploadFile, type ConclaveClient } from '@conclave/sdk';
import { loadConfig } from '@conclave/server';
import { safeName } from '../src/modules/ediscovery/ediscovery.package';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (entries: Record<string, Uint8Array>) => Buffer.from(entries['messages.jsonl']!).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);


describe.each(dialects())('eDiscovery export (GOV-5) [%s]', (dialect) => {
  let t: TestServer;
  let officerA: TestUser;
  let officerB: TestUser;
  let officerLow: TestUser;
  let auditor: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let deals: string;
  let other: string;
  let board: string;
  let pubkey: string;
  let from: number;
  let to: number;
  const ids: Record<string, string> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ediscovery-test-'));
  const db = () => t.server.svc.database.db;
  const auditRows = (action: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();

  const send = async (u: TestUser, conv: string, text: string, key: string, fileIds?: string[]) => {
    const { message } = await u.client.messages.send(conv, { text, ...(fileIds ? { fileIds } : {}) });
    ids[key] = message.id;
    await sleep(3);
    return message;
  };
  const request = (c: ConclaveClient, body: Record<string, unknown>) => c.ediscovery.create({ matter: 'Case 42', from, to, ...body } as never);
  const download = async (c: ConclaveClient, id: string) => {
    const { zip } = await c.ediscovery.download(id);
    return { zip, entries: unzipSync(zip) };
  };

  beforeAll(async () => {
    const defaults = loadConfig({}, { dataDir: '/tmp' }).alerts;
    t = await startTestServer({ dialect, config: { alerts: { ...defaults, scanIntervalMs: 3_600_000, exportRows: 3, downloads: 1000 } } });
    [officerA, officerB, officerLow] = [await t.createUser({ role: 'compliance_officer', name: 'Officer A' }), await t.createUser({ role: 'compliance_officer', name: 'Officer B' }), await t.createUser({ role: 'compliance_officer', name: 'Officer Low' })];
    auditor = await t.createUser({ role: 'auditor', name: 'Auditor' });
    [alice, bob, carol, dave] = [await t.createUser({ name: 'Alice' }), await t.createUser({ name: 'Bob' }), await t.createUser({ name: 'Carol' }), await t.createUser({ name: 'Dave' })];
    for (const u of [officerA, officerB, alice, bob]) await t.admin.client.users.update(u.user.id, { clearance: 'confidential' });

    deals = (await alice.client.conversations.create({ kind: 'group', name: 'Deals', memberIds: [bob.user.id, dave.user.id] })).conversation.id;
    other = (await bob.client.conversations.create({ kind: 'group', name: 'Other', memberIds: [carol.user.id] })).conversation.id;
    board = (await alice.client.conversations.create({ kind: 'group', name: 'Board', level: 'confidential', memberIds: [bob.user.id] })).conversation.id;

    const early = await send(alice, deals, 'merger early draft', 'early');
    from = early.createdAt + 1;
    await sleep(5);
    await send(alice, deals, 'Merger plans for Q3', 'plans');
    await send(bob, deals, 'lunch anyone?', 'lunch');
    await send(alice, deals, '会议纪要已发送，请查收', 'cjk');
    await dave.client.conversations.leave(deals);
    await send(bob, deals, 'the merger is off', 'off');
    await send(bob, other, 'merger rumour', 'rumour');
    await send(carol, other, 'hello bob', 'hello');
    await send(alice, board, 'confidential merger terms', 'terms');
    const file = await uploadFile(alice.client, deals, 'sheet.txt', Buffer.from('ATTACHMENT-BYTES merger'));
    await send(alice, deals, 'merger sheet attached', 'sheet', [file.id]);
    ids.file = file.id;
    to = (await send(bob, deals, 'last before the end', 'last')).createdAt;
    await sleep(5);
    await send(alice, deals, 'merger after the range', 'after');
    pubkey = (await officerA.client.http.request('listAuditKeys')).keys[0]!.publicKeyPem;
    fs.writeFileSync(path.join(tmp, 'audit-key.pem'), pubkey);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('custodian + time range + keyword selects exactly the right messages, decrypted, with attachments', async () => {
    const { export: e } = await request(officerA.client, { custodians: [alice.user.id], keywords: ['merger'], levels: ['internal'] });
    expect(e).toMatchObject({ status: 'ready', needsApproval: false, sensitiveLevels: [], criteria: { keywords: ['merger'], keywordCount: 1, levels: ['internal'] } });
    const { zip, entries } = await download(officerA.client, e.id);
    const msgs = lines(entries);
    // Written by alice (plans, sheet) or received by her (off); not before `from`, not after `to`,
    // not in a conversation she is not in (rumour), not at a level outside the export (terms).
    expect(msgs.map((m) => m.id)).toEqual([ids.plans, ids.off, ids.sheet]);
    expect(msgs[0]).toMatchObject({ conversationId: deals, conversationName: 'Deals', level: 'internal', authorId: alice.user.id, authorName: 'Alice', text: 'Merger plans for Q3' });
    const attached = msgs[2]!.files[0];
    expect(attached).toMatchObject({ id: ids.file, name: 'sheet.txt', path: `files/${ids.file}/sheet.txt`, size: 23, level: 'internal' });
    expect([safeName('a/../b\\c:\u0000.txt'), safeName('..'), safeName('')]).toEqual(['a_.._b_c__.txt', 'file', 'file']);
    expect(Buffer.from(entries[attached.path]!).toString()).toBe('ATTACHMENT-BYTES merger');

    const check = verifyEdiscoveryPackage(entries, [pubkey]);
    expect(check.problems).toEqual([]);
    expect(check.manifest).toMatchObject({
      exportId: e.id, requestedBy: { id: officerA.user.id }, approvedBy: null,
      criteria: { custodians: [alice.user.id], keywords: ['merger'], levels: ['internal'], keywordsDigest: expect.stringMatching(/^[0-9a-f]{64}$/) },
      counts: { messages: 3, files: 1 },
    });
    const head = await db().selectFrom('audit_log').select(['seq', 'hash']).where('seq', '=', (check.manifest!.auditHead as { seq: number }).seq).executeTakeFirstOrThrow();
    expect((check.manifest!.auditHead as { hash: string }).hash).toBe(head.hash);

    // Delivered once; afterwards the keywords are gone from the server.
    await expectCode(officerA.client.ediscovery.download(e.id), 'conflict');
    const after = (await officerA.client.ediscovery.get(e.id)).export;
    expect(after).toMatchObject({ status: 'downloaded', downloadedBy: officerA.user.id, messageCount: 3, fileCount: 1, criteria: { keywords: null, keywordCount: 1 } });
    fs.writeFileSync(path.join(tmp, 'good.zip'), zip);
  });

  it('received messages: delivered before a custodian left counts; CJK keywords match through the tokenizer', async () => {
    const { export: e } = await request(officerA.client, { custodians: [dave.user.id], levels: ['internal'] });
    const got = lines((await download(officerA.client, e.id)).entries).map((m) => m.id);
    expect(got).toEqual([ids.plans, ids.lunch, ids.cjk]);

    const cjk = (await request(officerA.client, { custodians: [bob.user.id], keywords: ['会议', 'nothing-matches-this'], levels: ['internal'] })).export;
    const msgs = lines((await download(officerA.client, cjk.id)).entries);
    expect(msgs.map((m) => m.id)).toEqual([ids.cjk]);
    expect(msgs[0]!.text).toBe('会议纪要已发送，请查收');

    // Conversations alone: every message of them in range, without custodians.
    const conv = (await request(officerA.client, { conversationIds: [other] })).export;
    expect(conv.criteria.levels).toEqual(['internal']);
    expect(lines((await download(officerA.client, conv.id)).entries).map((m) => m.id)).toEqual([ids.rumour, ids.hello]);
  });

  it('two-person rule: a sensitive level waits for a second, different officer; self-approval is refused', async () => {
    const { export: e } = await request(officerA.client, { custodians: [alice.user.id], keywords: ['merger'] });
    expect(e).toMatchObject({ status: 'pending_approval', needsApproval: true, sensitiveLevels: ['confidential'], criteria: { levels: ['public', 'internal', 'confidential'] } });
    await expectCode(officerA.client.ediscovery.download(e.id), 'conflict');
    const self = await expectCode(officerA.client.ediscovery.approve(e.id), 'forbidden');
    expect(self.message).toMatch(/second compliance officer/);
    const denied = (await auditRows('ediscovery.approve')).filter((r) => r.target_id === e.id);
    expect(denied.map((r) => [r.outcome, r.reason, r.actor_id])).toEqual([['denied', 'self_approval', officerA.user.id]]);

    const approved = (await officerB.client.ediscovery.approve(e.id)).export;
    expect(approved).toMatchObject({ status: 'ready', decidedBy: officerB.user.id });
    await expectCode(officerB.client.ediscovery.approve(e.id), 'conflict');
    // A third officer who neither requested nor approved cannot take the package.
    await t.admin.client.users.update(officerLow.user.id, { clearance: 'confidential' });
    await expectCode(officerLow.client.ediscovery.download(e.id), 'forbidden');
    await t.admin.client.users.update(officerLow.user.id, { clearance: 'internal' });

    const { entries } = await download(officerB.client, e.id);
    const msgs = lines(entries);
    expect(msgs.map((m) => m.id)).toEqual([ids.plans, ids.off, ids.terms, ids.sheet]);
    expect(msgs.find((m) => m.id === ids.terms)).toMatchObject({ level: 'confidential', text: 'confidential merger terms' });
    expect(verifyEdiscoveryPackage(entries, [pubkey]).manifest).toMatchObject({ approvedBy: { id: officerB.user.id }, producedBy: { id: officerB.user.id }, sensitiveLevels: ['confidential'] });
    await expectCode(officerA.client.ediscovery.download(e.id), 'conflict');
  });

  it('a refusal carries a reason, ends the request and erases its keywords; the requester may withdraw', async () => {
    const a = (await request(officerA.client, { custodians: [alice.user.id], keywords: ['terms'], levels: ['confidential'] })).export;
    const refused = (await officerB.client.ediscovery.refuse(a.id, 'no matter number on file')).export;
    expect(refused).toMatchObject({ status: 'refused', decidedBy: officerB.user.id, refusalReason: 'no matter number on file', criteria: { keywords: null } });
    await expectCode(officerA.client.ediscovery.download(a.id), 'conflict');
    await expectCode(officerB.client.ediscovery.approve(a.id), 'conflict');
    const b = (await request(officerA.client, { custodians: [alice.user.id], levels: ['confidential'] })).export;
    expect((await officerA.client.ediscovery.refuse(b.id, 'raised in error')).export.status).toBe('refused');
    const listed = (await officerB.client.ediscovery.list({ status: 'refused' })).exports.map((x) => x.id);
    expect(listed).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('the signature verifies and fails when one byte of an entry or of the manifest changes (API and CLI)', async () => {
    const zip = fs.readFileSync(path.join(tmp, 'good.zip'));
    const entries = unzipSync(zip);
    expect(verifyEdiscoveryPackage(entries, [pubkey]).ok).toBe(true);

    const entryFlip = { ...entries, 'messages.jsonl': Uint8Array.from(entries['messages.jsonl']!) };
    entryFlip['messages.jsonl'][10] ^= 1;
    expect(verifyEdiscoveryPackage(entryFlip, [pubkey]).problems).toEqual(['messages.jsonl: SHA-256 does not match the manifest (the entry was altered)']);

    const manifest = Buffer.from(entries['manifest.json']!).toString();
    const manifestFlip = { ...entries, 'manifest.json': Buffer.from(manifest.replace('"messages": 3', '"messages": 2')) };
    expect(manifestFlip['manifest.json'].byteLength).toBe(entries['manifest.json']!.byteLength);
    expect(verifyEdiscoveryPackage(manifestFlip, [pubkey]).problems.join('\n')).toMatch(/signature does not verify/);

    const good = await runCli(['ediscovery', 'verify', path.join(tmp, 'good.zip'), '--public-key', path.join(tmp, 'audit-key.pem')], { dataDir: tmp });
    expect(good.stdout).toMatch(/OK — export .* 3 messages, 1 files/);
    expect(good.code).toBe(0);
    fs.writeFileSync(path.join(tmp, 'altered.zip'), zipSync(entryFlip));
    const bad = await runCli(['ediscovery', 'verify', path.join(tmp, 'altered.zip'), '--public-key', path.join(tmp, 'audit-key.pem')], { dataDir: tmp });
    expect(bad.stdout).toMatch(/FAILED\n {2}- messages\.jsonl: SHA-256 does not match/);
    expect(bad.code).toBe(8);
  });

  it('every step is audited with metadata only; compliance.export carries rows and raises the bulk_export alert', async () => {
    const exportsDone = await auditRows('compliance.export');
    const ok = exportsDone.filter((r) => r.outcome === 'success');
    expect(ok.length).toBeGreaterThanOrEqual(4);
    const first = JSON.parse(ok[0]!.details) as Record<string, unknown>;
    expect(first).toMatchObject({ kind: 'ediscovery', rows: 3, messages: 3, files: 1, manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/), keywordsDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await auditRows('ediscovery.read')).some((r) => r.outcome === 'success' && r.actor_id === officerA.user.id)).toBe(true);
    const request = (await auditRows('ediscovery.request'))[0]!;
    expect(JSON.parse(request.details)).toMatchObject({ custodians: [alice.user.id], keywordCount: 1, needsApproval: false });
    // Keywords, message text and file content never reach the audit log or the export rows.
    const all = JSON.stringify(await db().selectFrom('audit_log').selectAll().where('action', 'like', 'ediscovery.%').execute()) + JSON.stringify(exportsDone);
    for (const secret of ['merger', 'Merger', '会议', 'ATTACHMENT-BYTES']) expect(all).not.toContain(secret);
    const stored = await db().selectFrom('ediscovery_exports').selectAll().execute();
    expect(Buffer.concat(stored.map((r) => Buffer.from(JSON.stringify(r) + Buffer.from(r.keywords_enc ?? new Uint8Array()).toString('latin1')))).toString()).not.toMatch(/merger|会议/);

    await t.server.audit.alerts.tick();
    const alerts = await db().selectFrom('alerts').selectAll().where('rule', '=', 'bulk_export').where('subject', '=', officerA.user.id).execute();
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(alerts[0]!.details)).toMatchObject({ exportedRows: expect.any(Number) });
    expect(alerts[0]!.summary).toMatch(/exported \d+ rows/);
  });

  it('denials: members and auditors can neither create, see, decide nor download; clearance hides; only admins set the rule', async () => {
    const { export: e } = await request(officerA.client, { custodians: [alice.user.id], levels: ['confidential'] });
    for (const u of [alice, auditor]) {
      await expectCode(request(u.client, { custodians: [alice.user.id] }), 'forbidden');
      await expectCode(u.client.ediscovery.list(), 'forbidden');
      await expectCode(u.client.ediscovery.get(e.id), 'forbidden');
      await expectCode(u.client.ediscovery.approve(e.id), 'forbidden');
      await expectCode(u.client.ediscovery.refuse(e.id, 'no'), 'forbidden');
      await expectCode(u.client.ediscovery.download(e.id), 'forbidden');
      await expectCode(u.client.ediscovery.settings(), 'forbidden');
    }
    // An officer whose clearance does not reach the export's levels sees nothing at all.
    await expectCode(officerLow.client.ediscovery.get(e.id), 'not_found');
    await expectCode(officerLow.client.ediscovery.approve(e.id), 'not_found');
    expect((await officerLow.client.ediscovery.list()).exports.map((x) => x.id)).not.toContain(e.id);
    await expectCode(request(officerLow.client, { custodians: [alice.user.id], levels: ['confidential'] }), 'forbidden');
    await expectCode(request(officerLow.client, { conversationIds: [board] }), 'validation_failed');
    // A level whose policy requires MFA (secret, by default) needs an MFA session to be exported (ACL-3).
    await t.admin.client.users.update(officerB.user.id, { clearance: 'secret' });
    expect((await expectCode(request(officerB.client, { custodians: [alice.user.id], levels: ['secret'] }), 'forbidden')).message).toMatch(/MFA/);
    await t.admin.client.users.update(officerB.user.id, { clearance: 'confidential' });
    // Unknown ids look like missing.
    await expectCode(officerA.client.ediscovery.get('01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'not_found');
    // Denials are audited.
    const denied = (await auditRows('compliance.export')).filter((r) => r.outcome === 'denied').map((r) => r.actor_id);
    expect(denied).toEqual(expect.arrayContaining([alice.user.id, auditor.user.id]));

    // The two-person rule's setting: officers cannot loosen it; an admin can change it (audited).
    await expectCode(officerA.client.ediscovery.updateSettings([]), 'forbidden');
    expect((await officerA.client.ediscovery.settings()).settings).toMatchObject({ sensitiveLevels: ['confidential', 'secret'], isDefault: true });
    await t.admin.client.ediscovery.updateSettings(['internal', 'secret']);
    const internal = (await request(officerA.client, { conversationIds: [other] })).export;
    expect(internal).toMatchObject({ status: 'pending_approval', sensitiveLevels: ['internal'] });
    await t.admin.client.ediscovery.updateSettings(['confidential', 'secret']);
    expect((await auditRows('ediscovery.settings_update')).filter((r) => r.outcome === 'success')).toHaveLength(2);
  });

  it('E2EE messages go out as base64 ciphertext with a note; a keyword export cannot search them and says so', async () => {
    const e2ee = (await alice.client.conversations.create({ kind: 'group', name: 'Sealed', encryption: 'e2ee', memberIds: [bob.user.id] })).conversation.id;
    const sealed = Buffer.from('opaque MLS ciphertext bytes').toString('base64');
    const { message } = await alice.client.messages.send(e2ee, { ciphertext: sealed });
    const window = { from: message.createdAt, to: message.createdAt };
    const all = (await request(officerA.client, { conversationIds: [e2ee], ...window })).export;
    const { entries } = await download(officerA.client, all.id);
    expect(lines(entries)).toEqual([expect.objectContaining({ id: message.id, encryption: 'e2ee', text: null, ciphertext: sealed, note: expect.stringMatching(/compliance archive/) })]);
    const kw = (await request(officerA.client, { conversationIds: [e2ee], keywords: ['opaque'], ...window })).export;
    const m = verifyEdiscoveryPackage((await download(officerA.client, kw.id)).entries, [pubkey]).manifest!;
    expect(m.counts).toMatchObject({ messages: 0, e2eeNotSearchable: 1 });
  });

  it('expired exports cannot be decided or downloaded, and their keywords are crypto-shredded (audited)', async () => {
    const pending = (await request(officerA.client, { custodians: [alice.user.id], keywords: ['merger'], levels: ['confidential'] })).export;
    const ready = (await request(officerA.client, { custodians: [alice.user.id], keywords: ['merger'], levels: ['internal'] })).export;
    const keyIds = (await db().selectFrom('ediscovery_exports').select('key_id').where('id', 'in', [pending.id, ready.id]).execute()).map((r) => r.key_id!);
    // Time travel for these two rows only: their expiry passed a minute ago.
    await db().updateTable('ediscovery_exports').set({ expires_at: Date.now() - 60_000 }).where('id', 'in', [pending.id, ready.id]).execute();
    expect((await officerA.client.ediscovery.get(ready.id)).export.status).toBe('expired');
    await expectCode(officerA.client.ediscovery.download(ready.id), 'conflict');
    await expectCode(officerB.client.ediscovery.approve(pending.id), 'conflict');
    const listed = (await officerA.client.ediscovery.list({ status: 'expired' })).exports.filter((x) => x.id === pending.id || x.id === ready.id);
    expect(listed.map((x) => x.criteria.keywords)).toEqual([null, null]);
    const expiry = (await auditRows('ediscovery.expire')).at(-1)!;
    expect(JSON.parse(expiry.details)).toMatchObject({ exportIds: expect.arrayContaining([pending.id, ready.id]) });
    const keys = await db().selectFrom('data_keys').select(['id', 'destroyed_at']).where('id', 'in', keyIds).execute();
    expect(keys.every((k) => k.destroyed_at !== null)).toBe(true);
  });

  it('bad input gets a 400 naming the field', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const err = await expectCode(request(officerA.client, body), 'validation_failed');
      expect(err.message.startsWith(`${field}:`), `${err.message} should name ${field}`).toBe(true);
    };
    await bad({ custodians: [], conversationIds: [] }, 'body.custodians');
    await bad({ custodians: [alice.user.id], from: 2000, to: 1000 }, 'body.from');
    await bad({ custodians: [alice.user.id], levels: ['top_secret'] }, 'body.levels.0');
    await bad({ custodians: [alice.user.id], to: 99_999_999_999_999 }, 'body.to');
    await bad({ custodians: [alice.user.id], from: Date.now() + 10 * 86_400_000, to: Date.now() + 20 * 86_400_000 }, 'body.from');
    await bad({ custodians: [alice.user.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV'] }, 'body.custodians.1');
    await bad({ conversationIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] }, 'body.conversationIds.0');
    await bad({ custodians: [alice.user.id], keywords: ['!!! ???'] }, 'body.keywords.0');
    await bad({ custodians: [alice.user.id], keywords: ['  '] }, 'body.keywords.0');
    await bad({ custodians: ['not-an-id'] }, 'body.custodians.0');
    await bad({ custodians: [alice.user.id], matter: '' }, 'body.matter');
    await expectCode(t.admin.client.ediscovery.updateSettings(['nope']), 'validation_failed');
  });
});
