/**
 * Data governance (GOV-1, GOV-2): retention policies and how contradicting ones resolve,
 * legal minimums, legal holds (custodian, conversation, query), retention runs that really
 * delete — rows, files, search entries and message keys — while held items stay, signed
 * receipts that verify offline and fail when altered, erasure of a data subject, a key-less
 * backup taken before deletion that stays unreadable for what was deleted, and every denial.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDeletionReceipt } from '@conclave/crypto';
import { uploadFile } from '@conclave/sdk';
import { dialects, eventually, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { OffsetClock, createBackup, restoreBackup, createServer, loadConfig } from '@conclave/server';
import { systemActor } from '../src/kernel/actor';
import { eraseSubject } from '../src/modules/governance/erasure';
import { RETENTION_BATCH } from '../src/modules/governance/retention.runner';
import { SoftAuthenticator } from './webauthn-authenticator';

const DAY = 86_400_000;

async function finishedRun(t: TestServer, officer: TestUser, runId: string) {
  await t.server.governance.retention.idle(t.server.bootstrap.orgId);
  const run = await eventually(async () => {
    const { run } = await officer.client.governance.run(runId);
    return run.status === 'running' ? null : run;
  }, 10_000, 'retention run to finish');
  return run!;
}

async function publicKeys(auditor: TestUser): Promise<string[]> {
  return (await auditor.client.http.request('listAuditKeys')).keys.map((k) => k.publicKeyPem);
}

async function searchHits(u: TestUser, q: string): Promise<number> {
  return (await u.client.http.request('search', { query: { q } })).messages.length;
}

describe.each(dialects())('data governance (GOV-1, GOV-2) [%s]', (dialect) => {
  const clock = new OffsetClock();
  let t: TestServer;
  let alice: TestUser, bob: TestUser, officer: TestUser, officer2: TestUser, auditor: TestUser, member: TestUser;

  beforeAll(async () => {
    t = await startTestServer({ dialect, clock, config: { retentionIntervalMs: 0 } });
    [alice, bob, officer, officer2, auditor, member] = await Promise.all([
      t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Olga', role: 'compliance_officer' }),
      t.createUser({ name: 'Oscar', role: 'compliance_officer' }), t.createUser({ name: 'Audrey', role: 'auditor' }), t.createUser({ name: 'Mallory' }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('denies every governance call to members, admins and auditors (deny by default)', async () => {
    for (const u of [member, t.admin]) {
      await expectCode(u.client.governance.policies(), 'forbidden');
      await expectCode(u.client.governance.setPolicy({ scope: 'org', target: '', deleteAfterDays: 1 }), 'forbidden');
      await expectCode(u.client.governance.startRun(), 'forbidden');
      await expectCode(u.client.governance.holds(), 'forbidden');
      await expectCode(u.client.governance.createHold({ name: 'x', kind: 'custodian', custodianId: alice.user.id, reason: 'probe' }), 'forbidden');
      await expectCode(u.client.governance.preview(), 'forbidden');
    }
    await expectCode(member.client.governance.receipts(), 'forbidden');
    // Auditors read receipts (to check them) but neither set retention nor see holds.
    expect((await auditor.client.governance.receipts()).receipts).toBeInstanceOf(Array);
    await expectCode(auditor.client.governance.holds(), 'forbidden');
    await expectCode(auditor.client.governance.setPolicy({ scope: 'org', target: '', deleteAfterDays: 1 }), 'forbidden');
    const denied = await t.admin.client.http.request('searchAudit', { query: { action: 'governance.*', outcome: 'denied' } }).catch(() => null);
    // The owner has audit.read: the denials above are on record.
    expect(denied?.records.length).toBeGreaterThan(0);
  });

  it('explains which of contradicting policies wins, and keeps the legal minimum (bad input → 4xx)', async () => {
    const { conversation: conv } = await alice.client.conversations.create({ kind: 'group', name: 'Policy test', memberIds: [bob.user.id] });
    const org = await officer.client.governance.setPolicy({ scope: 'org', target: '', deleteAfterDays: 365 });
    await officer.client.governance.setPolicy({ scope: 'kind', target: 'group', deleteAfterDays: 30 });
    let eff = (await officer.client.governance.effective(conv.id)).retention;
    expect(eff.deleteAfterDays).toBe(30);
    expect(eff.candidates.map((c) => [c.source, c.outcome])).toEqual([['kind', 'applies'], ['org', 'overridden']]);
    expect(eff.explanation).toMatch(/most specific/);

    // A legal minimum for the level raises the broad policy, and refuses a narrower one below it.
    await officer.client.governance.setMinimum(conv.level, 60);
    eff = (await officer.client.governance.effective(conv.id)).retention;
    expect(eff).toMatchObject({ deleteAfterDays: 60, raisedToMinimum: true, minimumDays: 60 });
    const e = await expectCode(officer.client.governance.setPolicy({ scope: 'level', target: conv.level, deleteAfterDays: 10 }), 'validation_failed');
    expect(e.message).toMatch(/legal minimum of 60 days/);
    const broad = await officer.client.governance.setPolicy({ scope: 'kind', target: 'dm', deleteAfterDays: 7 });
    expect(broad.warnings.join(' ')).toMatch(/legal minimum of 60 days/);

    // A conversation "keep forever" beats everything broader.
    await officer.client.governance.setPolicy({ scope: 'conversation', target: conv.id, deleteAfterDays: null });
    eff = (await officer.client.governance.effective(conv.id)).retention;
    expect(eff.deleteAfterDays).toBeNull();
    expect(eff.candidates[0]).toMatchObject({ source: 'conversation', outcome: 'applies' });

    // Bad input, each with a clear message.
    await expectCode(officer.client.governance.setPolicy({ scope: 'kind', target: 'forum', deleteAfterDays: 5 }), 'validation_failed');
    await expectCode(officer.client.governance.setPolicy({ scope: 'level', target: 'nope', deleteAfterDays: 5 }), 'validation_failed');
    await expectCode(officer.client.governance.setPolicy({ scope: 'org', target: '', deleteAfterDays: 0 }), 'validation_failed');
    await expectCode(officer.client.governance.setMinimum('nope', 5), 'validation_failed');
    await officer.client.governance.setPolicy({ scope: 'level', target: conv.level, deleteAfterDays: 90 });
    const c = await expectCode(officer.client.governance.setMinimum(conv.level, 100), 'conflict');
    expect(c.message).toMatch(/deletes after 90 days/);
    await expectCode(officer.client.governance.createHold({ name: 'bad', kind: 'custodian', reason: 'no custodian' } as never), 'validation_failed');
    await expectCode(officer.client.governance.createHold({ name: 'bad', kind: 'query', query: { from: 10, to: 5 }, reason: 'backwards' }), 'validation_failed');

    // Clean up: only what later tests set stays.
    const { policies } = await officer.client.governance.policies();
    for (const p of policies) await officer.client.governance.deletePolicy(p.id);
    await officer.client.governance.deleteMinimum(conv.level);
    expect(org.policy.scope).toBe('org');
  });

  it('a retention run deletes expired content everywhere, keeps held items, and issues a receipt that verifies', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const dave = await t.createUser({ name: `Dave ${tag}` });
    // conv: alice + dave (dave's messages under a query hold); heldConv: a conversation hold;
    // custConv: alice + bob, where bob is a custodian — a custodian hold covers their conversations.
    const { conversation: conv } = await alice.client.conversations.create({ kind: 'group', name: `Retention ${tag}`, memberIds: [dave.user.id] });
    const { conversation: heldConv } = await alice.client.conversations.create({ kind: 'group', name: `Held ${tag}`, memberIds: [member.user.id] });
    const { conversation: custConv } = await alice.client.conversations.create({ kind: 'group', name: `Custodian ${tag}`, memberIds: [bob.user.id] });

    // 150 days ago: a whole month bucket lies before the 90-day cut-off.
    clock.offset = -150 * DAY;
    const oldA = (await alice.client.messages.send(conv.id, { text: `oldapple${tag} from alice` })).message;
    const file = await uploadFile(alice.client, conv.id, `oldfile${tag}.txt`, new TextEncoder().encode(`file body ${tag}`));
    await alice.client.messages.send(conv.id, { text: `attachment${tag}`, fileIds: [file.id] });
    const oldB = (await dave.client.messages.send(conv.id, { text: `oldbanana${tag} from dave` })).message;
    const oldCust = (await alice.client.messages.send(custConv.id, { text: `oldfig${tag} to bob` })).message;
    const oldHeldConv = (await alice.client.messages.send(heldConv.id, { text: `oldcherry${tag} in held conversation` })).message;
    clock.offset = 0;
    const fresh = (await alice.client.messages.send(conv.id, { text: `freshdate${tag}` })).message;
    expect(await searchHits(alice, `oldapple${tag}`)).toBe(1);

    await officer.client.governance.setPolicy({ scope: 'kind', target: 'group', deleteAfterDays: 90 });
    const custodian = (await officer.client.governance.createHold({ name: 'Matter 17', kind: 'custodian', custodianId: bob.user.id, reason: 'litigation hold' })).hold;
    const byConv = (await officer.client.governance.createHold({ name: 'Matter 18', kind: 'conversation', conversationId: heldConv.id, reason: 'regulator request' })).hold;
    const byQuery = (await officer.client.governance.createHold({ name: 'Matter 19', kind: 'query', query: { authorIds: [dave.user.id], conversationIds: [conv.id] }, reason: 'internal investigation' })).hold;
    const preview = await officer.client.governance.preview();
    expect(preview.counts.messages).toBeGreaterThanOrEqual(2);

    const aliceKey = await t.server.svc.database.db.selectFrom('messages').select('key_id').where('id', '=', oldA.id).executeTakeFirstOrThrow();
    const fileRow = await t.server.svc.database.db.selectFrom('files').select(['parts', 'key_id']).where('id', '=', file.id).executeTakeFirstOrThrow();
    const blobPaths = (JSON.parse(fileRow.parts) as Array<{ k: string }>).map((p) => path.join(t.dataDir, 'blobs', ...p.k.split('/')));
    expect(blobPaths.length).toBeGreaterThan(0);
    expect(blobPaths.every((p) => fs.existsSync(p))).toBe(true);
    const { run: started } = await officer.client.governance.startRun();
    await expectCode(officer.client.governance.startRun(), 'conflict').catch(() => undefined); // may already have finished
    const run = await finishedRun(t, officer, started.id);
    expect(run.status).toBe('completed');
    expect(run.counts.messages).toBeGreaterThanOrEqual(2);
    expect(run.counts.files).toBeGreaterThanOrEqual(1);
    expect(run.counts.heldKept).toBeGreaterThanOrEqual(2);

    // Gone: rows, search entries, the file; the key is destroyed (no key material left).
    const db = t.server.svc.database.db;
    expect(await db.selectFrom('messages').select('id').where('id', '=', oldA.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('files').select('id').where('id', '=', file.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('search_terms').select('doc_id').where('doc_id', '=', oldA.id).executeTakeFirst()).toBeUndefined();
    const key = await db.selectFrom('data_keys').selectAll().where('id', '=', aliceKey.key_id!).executeTakeFirstOrThrow();
    expect(key.destroyed_at).not.toBeNull();
    expect(Buffer.from(key.wrapped).length).toBe(0);
    expect(await searchHits(alice, `oldapple${tag}`)).toBe(0);
    // The blob store no longer has the file's encrypted parts, and its key is destroyed too.
    await eventually(() => blobPaths.every((p) => !fs.existsSync(p)), 5_000, 'blob parts to be deleted');
    expect((await db.selectFrom('data_keys').select('destroyed_at').where('id', '=', fileRow.key_id).executeTakeFirstOrThrow()).destroyed_at).not.toBeNull();

    // Kept: the custodian's message, the held conversation, and what is not yet expired.
    const texts = (await dave.client.messages.list(conv.id, { limit: 100 })).messages.map((m) => m.text);
    expect(texts).toContain(`oldbanana${tag} from dave`);
    expect((await bob.client.messages.list(custConv.id, { limit: 10 })).messages.map((m) => m.id)).toContain(oldCust.id);
    expect(texts).toContain(`freshdate${tag}`);
    expect(texts).not.toContain(`oldapple${tag} from alice`);
    expect((await alice.client.messages.list(heldConv.id, { limit: 10 })).messages.map((m) => m.id)).toContain(oldHeldConv.id);
    expect(fresh.id).toBeTruthy();

    // The receipt: signed by the audit key, linked into the audit chain, and fails when altered.
    const signed = await auditor.client.governance.receipt(run.receiptId!);
    expect(signed.receipt).toMatchObject({ type: 'conclave.deletion-receipt', kind: 'retention', runId: run.id });
    expect((signed.receipt.destroyedKeys as Array<{ id: string }>).map((k) => k.id)).toContain(aliceKey.key_id);
    const holds = (signed.receipt.holdsRespected as Array<{ holdId: string }>).map((h) => h.holdId);
    expect(holds).toEqual(expect.arrayContaining([custodian.id, byConv.id, byQuery.id]));
    const keys = await publicKeys(auditor);
    const audit = await auditor.client.http.request('searchAudit', { query: { action: 'governance.retention_run' } });
    expect(verifyDeletionReceipt(signed, keys, audit.records)).toMatchObject({ ok: true });
    const altered = structuredClone(signed);
    (altered.receipt.counts as { messages: number }).messages += 1;
    expect(verifyDeletionReceipt(altered, keys).problems.join(' ')).toMatch(/altered/);
    expect(verifyDeletionReceipt({ ...signed, signature: altered.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, keys).ok).toBe(false);
    expect(verifyDeletionReceipt(signed, keys, []).problems.join(' ')).toMatch(/no audit record/);

    // Releasing the holds lets the next run delete what they kept.
    await officer.client.governance.releaseHold(custodian.id, 'matter closed');
    await expectCode(officer.client.governance.releaseHold(custodian.id, 'again'), 'conflict');
    await officer.client.governance.releaseHold(byConv.id, 'request answered');
    await officer.client.governance.releaseHold(byQuery.id, 'closed');
    const second = await finishedRun(t, officer, (await officer.client.governance.startRun()).run.id);
    expect(second.counts.messages).toBeGreaterThanOrEqual(3);
    expect((await dave.client.messages.list(conv.id, { limit: 100 })).messages.map((m) => m.id)).not.toContain(oldB.id);
    expect((await bob.client.messages.list(custConv.id, { limit: 10 })).messages.map((m) => m.id)).not.toContain(oldCust.id);
    await officer.client.governance.deletePolicy((await officer.client.governance.policies()).policies[0]!.id);
  });

  it('erasure shreds what the subject wrote and uploaded, pseudonymises them, and refuses a held custodian', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const subject = await t.createUser({ name: `Subject ${tag}` });
    await t.admin.client.users.update(subject.user.id, { phone: '+86 139 0000 1111' });
    const profileKey = (await t.server.svc.database.db.selectFrom('users').select('profile_key_id').where('id', '=', subject.user.id).executeTakeFirstOrThrow()).profile_key_id!;
    const { conversation: conv } = await subject.client.conversations.create({ kind: 'group', name: `Erasure ${tag}`, memberIds: [alice.user.id] });
    const mine = (await subject.client.messages.send(conv.id, { text: `personal${tag} data` })).message;
    const theirs = (await alice.client.messages.send(conv.id, { text: `reply${tag} from alice` })).message;
    const file = await uploadFile(subject.client, conv.id, `cv${tag}.pdf`, new TextEncoder().encode('%PDF-1.4 not really'));
    // A registered security key (IAM-1) is the subject's data too: erasure removes it.
    const wa = t.server.config.webauthn;
    const authenticator = new SoftAuthenticator(wa.origins[0]!, wa.rpId);
    await subject.client.webauthn.register(authenticator.register((await subject.client.webauthn.registrationOptions()).optionsJSON).response, 'YubiKey');
    const orgId = t.server.bootstrap.orgId;
    const erase = () => t.server.svc.runner.run(systemActor(orgId, 'test'), 'dsar.erasure_test', {}, (ctx) => eraseSubject(t.server.svc, ctx, subject.user.id));

    const hold = (await officer.client.governance.createHold({ name: `Hold ${tag}`, kind: 'custodian', custodianId: subject.user.id, reason: 'pending case' })).hold;
    await expect(erase()).rejects.toMatchObject({ code: 'conflict' });
    await officer.client.governance.releaseHold(hold.id, 'case dropped');

    const keyId = (await t.server.svc.database.db.selectFrom('messages').select('key_id').where('id', '=', mine.id).executeTakeFirstOrThrow()).key_id!;
    const outcome = await erase();
    expect(outcome).toMatchObject({ messagesErased: 1, filesErased: 1, heldItemsKept: 0 });
    const db = t.server.svc.database.db;
    expect(await db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', subject.user.id).execute()).toEqual([]);
    expect((await db.selectFrom('data_keys').select('destroyed_at').where('id', '=', keyId).executeTakeFirstOrThrow()).destroyed_at).not.toBeNull();
    expect(await db.selectFrom('files').select('id').where('id', '=', file.id).executeTakeFirst()).toBeUndefined();
    const list = (await alice.client.messages.list(conv.id, { limit: 10 })).messages;
    expect(list.find((m) => m.id === mine.id)).toMatchObject({ text: null });
    expect(list.find((m) => m.id === theirs.id)?.text).toBe(`reply${tag} from alice`);
    const profile = (await t.admin.client.users.get(subject.user.id)).user;
    expect(profile).toMatchObject({ name: 'Erased user', status: 'deactivated', phone: null });
    expect((await db.selectFrom('data_keys').select('destroyed_at').where('id', '=', profileKey).executeTakeFirstOrThrow()).destroyed_at).not.toBeNull();
    expect(profile.email).not.toContain('test.local');
    await expectCode(subject.client.me.get(), 'unauthenticated');
    const signed = await officer.client.governance.receipt(outcome.receiptId);
    expect(signed.receipt).toMatchObject({ kind: 'erasure', subject: subject.user.id });
    expect(verifyDeletionReceipt(signed, await publicKeys(auditor)).ok).toBe(true);
  });

  it.skipIf(dialect !== 'sqlite')('a key-less backup taken before deletion stays unreadable for what was deleted, readable for what is held', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const { conversation: conv } = await alice.client.conversations.create({ kind: 'group', name: `Backup ${tag}`, memberIds: [bob.user.id] });
    clock.offset = -150 * DAY;
    const gone = (await alice.client.messages.send(conv.id, { text: `shredme${tag}` })).message;
    const held = (await bob.client.messages.send(conv.id, { text: `keepme${tag}` })).message;
    clock.offset = 0;
    const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-backup-'));
    fs.rmSync(backupDir, { recursive: true });
    const manifest = createBackup(t.config, backupDir);
    expect(manifest.keysOmitted).toBeGreaterThan(0);
    // The backup file holds no key material and no plaintext.
    const bytes = fs.readFileSync(path.join(backupDir, 'conclave.db'));
    expect(bytes.includes(Buffer.from(`shredme${tag}`))).toBe(false);

    const policy = (await officer.client.governance.setPolicy({ scope: 'conversation', target: conv.id, deleteAfterDays: 90 })).policy;
    const hold = (await officer.client.governance.createHold({ name: `Q ${tag}`, kind: 'query', query: { authorIds: [bob.user.id], conversationIds: [conv.id] }, reason: 'query hold' })).hold;
    const run = await finishedRun(t, officer, (await officer.client.governance.startRun()).run.id);
    expect(run.counts.messages).toBeGreaterThanOrEqual(1);

    const restoredDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-restored-'));
    fs.rmSync(restoredDir, { recursive: true });
    const restored = restoreBackup(backupDir, restoredDir, t.config);
    expect(restored.keysGone).toBeGreaterThan(0);
    const config = loadConfig({}, { dataDir: restoredDir, port: 0, host: '127.0.0.1', logLevel: 'silent', retentionIntervalMs: 0 });
    const copy = await createServer(config, { skipBootstrap: true, backgroundJobs: false });
    try {
      const rows = await copy.svc.database.db.selectFrom('messages').selectAll().where('id', 'in', [gone.id, held.id]).execute();
      expect(rows).toHaveLength(2); // the backup still has both rows…
      const { presentMessagesForTest } = await import('./governance.support');
      const shown = await presentMessagesForTest(copy, rows);
      expect(shown.find((m) => m.id === gone.id)).toMatchObject({ text: null }); // …but the deleted one's key is gone for good
      expect(shown.find((m) => m.id === held.id)?.text).toBe(`keepme${tag}`);
    } finally {
      await copy.close();
      fs.rmSync(backupDir, { recursive: true, force: true });
      fs.rmSync(restoredDir, { recursive: true, force: true });
    }
    await officer.client.governance.releaseHold(hold.id, 'done');
    await officer.client.governance.deletePolicy(policy.id);
  });

  it('preview and run agree over a conversation larger than one batch (GOV-1: batches of RETENTION_BATCH)', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const { conversation: big } = await alice.client.conversations.create({ kind: 'group', name: `Big ${tag}`, memberIds: [bob.user.id] });
    clock.offset = -200 * DAY;
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < RETENTION_BATCH + 60; i++) {
      const who = i % 10 === 0 ? bob : alice;
      sends.push(who.client.messages.send(big.id, { text: `bulk${tag} ${i}` }));
      if (sends.length >= 50) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    clock.offset = 0;
    const policy = (await officer.client.governance.setPolicy({ scope: 'conversation', target: big.id, deleteAfterDays: 30 })).policy;
    const hold = (await officer.client.governance.createHold({ name: `Bulk ${tag}`, kind: 'query', query: { authorIds: [bob.user.id], conversationIds: [big.id] }, reason: 'sample' })).hold;
    const preview = await officer.client.governance.preview();
    const run = await finishedRun(t, officer, (await officer.client.governance.startRun()).run.id);
    expect(run.status).toBe('completed');
    // The preview counts, batch by batch, exactly what the run then deletes and keeps.
    expect(run.counts.messages + run.counts.tombstoned).toBe(preview.counts.messages);
    expect(run.counts.heldKept).toBe(preview.counts.heldKept);
    const left = await t.server.svc.database.db.selectFrom('messages').select(['author_id']).where('conversation_id', '=', big.id).execute();
    expect(left.length).toBe(Math.ceil((RETENTION_BATCH + 60) / 10));
    expect(left.every((m) => m.author_id === bob.user.id)).toBe(true);
    await officer.client.governance.releaseHold(hold.id, 'done');
    await officer.client.governance.deletePolicy(policy.id);
  }, 120_000);
});
