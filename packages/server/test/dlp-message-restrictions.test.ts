/**
 * DLP-1 per-message restrictions (issue 8): the sender sets no-forward / no-copy / no-download on
 * a message (on send, or later by editing it), on top of the conversation level's policy. Every
 * member sees the combined flags on the message, its files and its sync events; the server
 * refuses forwarding and downloads (previews still work), audits which rule refused, and nobody
 * can lift a flag once set. MSG-2: files carry their message's flags.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, SyncEvent } from '@conclave/protocol';
import { downloadFile, previewFile, uploadFile, type ConclaveClient } from '@conclave/sdk';
import { MIGRATIONS, migrate, openDatabase } from '@conclave/server';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

const NONE = { noForward: false, noCopy: false, noDownload: false };

describe.each(dialects())('DLP-1 per-message restrictions [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let teamId: string, bobsId: string, confId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, carol] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Carol' })]);
    await Promise.all([alice, bob].map((u) => t.admin.client.users.update(u.user.id, { clearance: 'confidential' })));
    teamId = (await alice.client.conversations.create({ kind: 'group', name: 'Team', memberIds: [bob.user.id, carol.user.id] })).conversation.id;
    bobsId = (await bob.client.conversations.create({ kind: 'group', name: 'Bob elsewhere' })).conversation.id;
    confId = (await alice.client.conversations.create({ kind: 'group', name: 'Board', level: 'confidential', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });

  const audit = (actorId: string, action: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll()
    .where('actor_id', '=', actorId).where('action', '=', action).orderBy('seq').execute();
  const seqOf = async (c: ConclaveClient) => (await c.sync(0, 1000)).seq;
  const eventsSince = async (c: ConclaveClient, since: number, messageId: string) => ((await c.sync(since, 1000)).events as SyncEvent[])
    .filter((e): e is Extract<SyncEvent, { type: 'message.created' | 'message.updated' }> => (e.type === 'message.created' || e.type === 'message.updated') && e.data.message.id === messageId);

  it('DLP-1: the sender sets flags on send; every member sees them on the message, its files, reads and sync events', async () => {
    const [bobSeq, carolSeq] = await Promise.all([seqOf(bob.client), seqOf(carol.client)]);
    const file = await uploadFile(alice.client, teamId, 'plan.txt', Buffer.from('QUOKKA plan'));
    const { message } = await alice.client.messages.send(teamId, { text: 'the plan', fileIds: [file.id], restrictions: { noForward: true, noDownload: true } });
    const want = { noForward: true, noCopy: false, noDownload: true };
    expect(message.restrictions).toEqual(want);
    expect(message.files?.[0]?.restrictions).toEqual(want);
    for (const viewer of [bob, carol]) {
      expect((await viewer.client.messages.get(teamId, message.id)).message.restrictions).toEqual(want);
      expect((await viewer.client.messages.list(teamId)).messages.find((m) => m.id === message.id)?.restrictions).toEqual(want);
      expect((await viewer.client.http.request('getFile', { params: { id: file.id } })).file.restrictions).toEqual(want);
    }
    for (const [c, since] of [[bob.client, bobSeq], [carol.client, carolSeq]] as const) {
      const evs = await eventsSince(c, since, message.id);
      expect(evs.map((e) => e.type)).toContain('message.created');
      expect(evs.every((e) => JSON.stringify((e.data.message as Message).restrictions) === JSON.stringify(want))).toBe(true);
    }
    // A message without flags at an open level is unrestricted (the fast send path renders it).
    expect((await alice.client.messages.send(teamId, { text: 'plain' })).message.restrictions).toEqual(NONE);
    const audited = (await audit(alice.user.id, 'messages.send')).find((r) => r.target_id === message.id)!;
    expect(JSON.parse(audited.details)).toMatchObject({ restrictions: ['noForward', 'noDownload'] });
  });

  it('DLP-1: forwarding a no-forward message is refused (403) and audited with the message rule; nothing is created', async () => {
    const { message } = await alice.client.messages.send(teamId, { text: 'keep it here', restrictions: { noForward: true } });
    const before = (await bob.client.messages.list(bobsId)).messages.length;
    const err = await expectCode(bob.client.http.request('forwardMessage', { params: { id: teamId, messageId: message.id }, body: { toConversationId: bobsId } }), 'forbidden');
    expect(err.status).toBe(403);
    expect(err.details).toMatchObject({ rule: 'message' });
    expect((await bob.client.messages.list(bobsId)).messages.length).toBe(before);
    // At a no-forward level the level is named instead.
    const conf = (await alice.client.messages.send(confId, { text: 'board only' })).message;
    const confErr = await expectCode(bob.client.http.request('forwardMessage', { params: { id: confId, messageId: conf.id }, body: { toConversationId: confId } }), 'forbidden');
    expect(confErr.details).toMatchObject({ rule: 'level' });
    const rows = await audit(bob.user.id, 'messages.forward');
    expect(rows.map((r) => [r.outcome, r.reason, JSON.parse(r.details).rule])).toEqual([['denied', 'no_forward', 'message'], ['denied', 'no_forward', 'level']]);
    expect(rows.every((r) => !r.details.includes('keep it here'))).toBe(true);
  });

  it('DLP-1: a forwardable copy keeps the sender\'s no-copy / no-download, on the message and its files', async () => {
    const file = await uploadFile(alice.client, teamId, 'copy.txt', Buffer.from('copy me not'));
    const { message } = await alice.client.messages.send(teamId, { text: 'read only', fileIds: [file.id], restrictions: { noCopy: true, noDownload: true } });
    const fwd = (await bob.client.http.request('forwardMessage', { params: { id: teamId, messageId: message.id }, body: { toConversationId: bobsId } })).message;
    const want = { noForward: false, noCopy: true, noDownload: true };
    expect(fwd.restrictions).toEqual(want);
    expect(fwd.files?.[0]?.restrictions).toEqual(want);
    await expectCode(downloadFile(bob.client, fwd.files![0]!.id), 'forbidden');
  });

  it('DLP-1: a no-download message\'s file cannot be downloaded (audited: message rule) but its preview works', async () => {
    const file = await uploadFile(alice.client, teamId, 'minutes.txt', Buffer.from('WOMBAT minutes'));
    await alice.client.messages.send(teamId, { text: 'minutes', fileIds: [file.id], restrictions: { noDownload: true } });
    const err = await expectCode(downloadFile(bob.client, file.id), 'forbidden');
    expect(err.details).toMatchObject({ rule: 'message', preview: 'text' });
    // The sender is bound by it too: the flag is about the content, not the person.
    await expectCode(downloadFile(alice.client, file.id), 'forbidden');
    expect(Buffer.from((await previewFile(bob.client, file.id)).bytes).toString()).toContain('WOMBAT minutes');
    const rows = (await audit(bob.user.id, 'files.download')).filter((r) => r.target_id === file.id);
    expect(rows.map((r) => [r.outcome, r.reason, JSON.parse(r.details).rule])).toEqual([['denied', 'no_download', 'message']]);
    expect((await audit(bob.user.id, 'files.preview')).filter((r) => r.target_id === file.id).map((r) => r.outcome)).toEqual(['success']);
  });

  it('DLP-1: the author tightens by editing (restrictions alone or with text); nobody can lift a flag once set', async () => {
    const file = await uploadFile(alice.client, teamId, 'later.txt', Buffer.from('later'));
    const { message } = await alice.client.messages.send(teamId, { text: 'open for now', fileIds: [file.id] });
    expect(Buffer.from((await downloadFile(bob.client, file.id)).bytes).toString()).toBe('later');
    const bobSeq = await seqOf(bob.client);
    const tightened = (await alice.client.messages.edit(teamId, message.id, { restrictions: { noDownload: true } })).message;
    // Restrictions alone are not a content edit: same text, no new version.
    expect(tightened).toMatchObject({ text: 'open for now', editedAt: null, restrictions: { ...NONE, noDownload: true } });
    expect(tightened.files?.[0]?.restrictions.noDownload).toBe(true);
    await expectCode(downloadFile(bob.client, file.id), 'forbidden');
    const evs = await eventsSince(bob.client, bobSeq, message.id);
    expect(evs.map((e) => [e.type, (e.data.message as Message).restrictions.noDownload])).toEqual([['message.updated', true]]);
    // Lifting is refused, alone or together with a text edit (which then does not happen either).
    const lift = await expectCode(alice.client.messages.edit(teamId, message.id, { restrictions: { noDownload: false } }), 'forbidden');
    expect(lift.message).toContain('restrictions.noDownload');
    await expectCode(alice.client.messages.edit(teamId, message.id, { text: 'changed', restrictions: { noDownload: false } }), 'forbidden');
    const now = (await bob.client.messages.get(teamId, message.id)).message;
    expect(now).toMatchObject({ text: 'open for now', restrictions: { ...NONE, noDownload: true } });
    // Adding more, with a text edit, keeps what was set; `false` for an unset flag is a no-op.
    const more = (await alice.client.messages.edit(teamId, message.id, { text: 'closed now', restrictions: { noCopy: true, noForward: false } })).message;
    expect(more).toMatchObject({ text: 'closed now', restrictions: { noForward: false, noCopy: true, noDownload: true } });
    // An edit of the text alone leaves the flags as they are.
    expect((await alice.client.messages.edit(teamId, message.id, 'final')).message.restrictions).toEqual({ noForward: false, noCopy: true, noDownload: true });
    const rows = (await audit(alice.user.id, 'messages.edit')).filter((r) => r.target_id === message.id);
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([['success', null], ['denied', 'restriction_locked'], ['denied', 'restriction_locked'], ['success', null], ['success', null]]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ restrictionsAdded: ['noDownload'] });
  });

  it('DLP-1: the wire restrictions are the level\'s policy combined with the message\'s flags (false never lifts the level)', async () => {
    // Confidential: no forwarding, no downloads by default; copying allowed.
    const plain = (await alice.client.messages.send(confId, { text: 'level only' })).message;
    expect(plain.restrictions).toEqual({ noForward: true, noCopy: false, noDownload: true });
    const both = (await alice.client.messages.send(confId, { text: 'level and message', restrictions: { noCopy: true } })).message;
    expect(both.restrictions).toEqual({ noForward: true, noCopy: true, noDownload: true });
    const tryLift = (await alice.client.messages.send(confId, { text: 'cannot lift', restrictions: { noForward: false, noDownload: false } })).message;
    expect(tryLift.restrictions).toEqual({ noForward: true, noCopy: false, noDownload: true });
    expect((await bob.client.messages.get(confId, both.id)).message.restrictions).toEqual({ noForward: true, noCopy: true, noDownload: true });
  });

  it('denial: another member (or the conversation owner) cannot change a message\'s restrictions; an outsider gets 404', async () => {
    const { message } = await bob.client.messages.send(teamId, { text: 'bob writes', restrictions: { noCopy: true } });
    // alice owns the conversation, carol is a member: neither is the author.
    for (const other of [alice, carol]) {
      await expectCode(other.client.messages.edit(teamId, message.id, { restrictions: { noDownload: true } }), 'forbidden');
      await expectCode(other.client.messages.edit(teamId, message.id, { restrictions: { noCopy: false } }), 'forbidden');
    }
    await expectCode(t.admin.client.messages.edit(teamId, message.id, { restrictions: { noCopy: false } }), 'not_found');
    expect((await carol.client.messages.get(teamId, message.id)).message.restrictions).toEqual({ ...NONE, noCopy: true });
    const denied = await t.server.svc.database.db.selectFrom('audit_log').select(['actor_id', 'reason']).where('action', '=', 'messages.edit')
      .where('target_id', '=', message.id).where('outcome', '=', 'denied').orderBy('seq').execute();
    expect(denied.map((r) => r.reason)).toEqual(['not_author', 'not_author', 'not_author', 'not_author', 'not_member']);
  });

  it('bad input: non-boolean or unknown restriction keys are 400 naming the field', async () => {
    const send = (restrictions: unknown) => alice.client.http.request('sendMessage', { params: { id: teamId }, body: { clientId: `bad-${Math.random()}`, text: 'x', restrictions } as never });
    const yes = await expectCode(send({ noForward: 'yes' }), 'validation_failed');
    expect(yes.status).toBe(400);
    expect(yes.message).toContain('body.restrictions.noForward');
    const unknown = await expectCode(send({ noPrint: true }), 'validation_failed');
    expect(unknown.message).toContain('body.restrictions');
    expect(unknown.message).toContain('noPrint');
    await expectCode(send(true), 'validation_failed');
    const { message } = await alice.client.messages.send(teamId, { text: 'edit me' });
    const edit = await expectCode(alice.client.http.request('editMessage', { params: { id: teamId, messageId: message.id }, body: { restrictions: { noDownload: 1 } } as never }), 'validation_failed');
    expect(edit.message).toContain('body.restrictions.noDownload');
    // An edit with neither text, ciphertext nor restrictions is still refused.
    await expectCode(alice.client.http.request('editMessage', { params: { id: teamId, messageId: message.id }, body: {} as never }), 'validation_failed');
    expect((await alice.client.messages.list(teamId)).messages.filter((m) => m.text === 'x')).toEqual([]);
  });
});

describe('migration 0013_message_restrictions', () => {
  it('applies on top of 0012 with messages and files in it: existing rows get no restrictions', async () => {
    const names = Object.keys(MIGRATIONS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig13-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      await migrate(d, names[names.indexOf('0013_message_restrictions') - 1]);
      // Only these tables matter here: skip the foreign keys to orgs, users and conversations.
      await sql`pragma foreign_keys = off`.execute(d.db);
      const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      await sql`insert into messages (id, conversation_id, position, client_id, author_id, encryption, created_at) values (${id}, ${id}, 1, 'c1', ${id}, 'server', 1)`.execute(d.db);
      await sql`insert into files (id, org_id, conversation_id, uploader_id, message_id, blob_id, key_id, name_enc, size, level, status, created_at, expires_at)
        values (${id}, ${id}, ${id}, ${id}, ${id}, ${id}, ${id}, ${Buffer.from('x')}, 1, 'internal', 'ready', 1, 1)`.execute(d.db);
      expect(await migrate(d, '0013_message_restrictions')).toEqual(['0013_message_restrictions']);
      expect((await d.db.selectFrom('messages').select('restrictions').execute()).map((r) => r.restrictions)).toEqual([0]);
      expect((await d.db.selectFrom('files').select('restrictions').execute()).map((r) => r.restrictions)).toEqual([0]);
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
