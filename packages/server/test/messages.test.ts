/** Messages: idempotent send, edit history, delete, threads, reactions, mentions, pagination (MSG-1, MSG-4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, startTestServer, type TestServer, type TestUser, expectCode } from '@conclave/testkit';


describe.each(dialects())('messages (MSG-1) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let convId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, eve] = await Promise.all([t.createUser(), t.createUser(), t.createUser()]);
    convId = (await alice.client.conversations.create({ kind: 'group', name: 'Msgs', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });

  it('a retried send with the same clientId returns the same message, once', async () => {
    const a = await alice.client.messages.send(convId, { clientId: 'retry-1', text: 'only once' });
    const b = await alice.client.messages.send(convId, { clientId: 'retry-1', text: 'only once' });
    expect(b.message.id).toBe(a.message.id);
    const all = (await bob.client.messages.list(convId)).messages.filter((m) => m.clientId === 'retry-1');
    expect(all).toHaveLength(1);
    // Positions are strictly increasing and never reused.
    const c = await alice.client.messages.send(convId, { text: 'next' });
    expect(c.message.position).toBe(a.message.position + 1);
  });

  it('a send that fails after its body was sealed leaves no key behind for the next send to use (ENC-1, GOV-2)', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Fresh bucket', memberIds: [bob.user.id] });
    // The first send of the month creates the bucket key, then fails (unknown attachment): all rolls back.
    await expectCode(alice.client.messages.send(conversation.id, { text: 'with a missing file', fileIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] }), 'validation_failed');
    const { message } = await alice.client.messages.send(conversation.id, { text: 'after the failure' });
    const db = t.server.svc.database.db;
    const row = await db.selectFrom('messages').select('key_id').where('id', '=', message.id).executeTakeFirstOrThrow();
    const key = await db.selectFrom('data_keys').select(['id', 'destroyed_at']).where('id', '=', row.key_id!).executeTakeFirst();
    expect(key).toMatchObject({ id: row.key_id, destroyed_at: null });
    expect((await bob.client.messages.list(conversation.id)).messages.map((m) => m.text)).toEqual(['after the failure']);
  });

  it('outsiders cannot read, send, edit, react or delete (not_found)', async () => {
    const { message } = await alice.client.messages.send(convId, { text: 'private' });
    await expectCode(eve.client.messages.list(convId), 'not_found');
    await expectCode(eve.client.messages.get(convId, message.id), 'not_found');
    await expectCode(eve.client.messages.send(convId, { text: 'intrude' }), 'not_found');
    await expectCode(eve.client.messages.edit(convId, message.id, 'x'), 'not_found');
    await expectCode(eve.client.messages.react(convId, message.id, '👍'), 'not_found');
    await expectCode(eve.client.messages.delete(convId, message.id), 'not_found');
    // A message id from another conversation is not found through this one.
    const other = (await eve.client.conversations.create({ kind: 'group', name: 'Eve' })).conversation.id;
    await expectCode(eve.client.messages.get(other, message.id), 'not_found');
  });

  it('edits keep history (visible to the author, not to other members by default)', async () => {
    const { message } = await alice.client.messages.send(convId, { text: 'v1' });
    await expectCode(bob.client.messages.edit(convId, message.id, 'bob edit'), 'forbidden');
    await alice.client.messages.edit(convId, message.id, 'v2');
    const { message: m3 } = await alice.client.messages.edit(convId, message.id, 'v3');
    expect(m3.text).toBe('v3');
    expect(m3.editedAt).not.toBeNull();
    const { versions } = await alice.client.messages.history(convId, message.id);
    expect(versions.map((v) => v.text)).toEqual(['v1', 'v2']);
    await expectCode(bob.client.messages.history(convId, message.id), 'forbidden');
    await t.admin.client.org.updateSettings({ editHistoryVisibleTo: 'members' });
    try {
      expect((await bob.client.messages.history(convId, message.id)).versions).toHaveLength(2);
    } finally {
      await t.admin.client.org.updateSettings({ editHistoryVisibleTo: 'author_and_admins' });
    }
  });

  it('delete erases content and history, leaves a tombstone; only author or conversation admin', async () => {
    const { message } = await bob.client.messages.send(convId, { text: 'to be deleted' });
    await bob.client.messages.edit(convId, message.id, 'edited before delete');
    await bob.client.messages.react(convId, message.id, '🔥');
    const { message: dead } = await bob.client.messages.delete(convId, message.id);
    expect(dead).toMatchObject({ text: null, deletedAt: expect.any(Number), reactions: [] });
    expect((await alice.client.messages.history(convId, message.id)).versions).toEqual([]);
    const rows = await t.server.svc.database.db.selectFrom('message_versions').selectAll().where('message_id', '=', message.id).execute();
    expect(rows).toEqual([]);
    await expectCode(bob.client.messages.edit(convId, message.id, 'zombie'), 'not_found');
    // Alice (group owner) may delete Bob's message; Bob may not delete Alice's.
    const { message: am } = await alice.client.messages.send(convId, { text: 'alice says' });
    await expectCode(bob.client.messages.delete(convId, am.id), 'forbidden');
    const { message: bm } = await bob.client.messages.send(convId, { text: 'bob says' });
    expect((await alice.client.messages.delete(convId, bm.id)).message.deletedAt).not.toBeNull();
  });

  it('threads: replies carry the root, the root carries a summary, nested replies are refused', async () => {
    const { message: root } = await alice.client.messages.send(convId, { text: 'thread root' });
    await bob.client.messages.send(convId, { text: 'reply 1', threadRootId: root.id });
    const { message: r2 } = await alice.client.messages.send(convId, { text: 'reply 2', threadRootId: root.id });
    const fresh = (await bob.client.messages.get(convId, root.id)).message;
    expect(fresh.thread).toMatchObject({ replyCount: 2, participantIds: [alice.user.id, bob.user.id].sort() });
    const thread = await bob.client.messages.list(convId, { threadRootId: root.id });
    expect(thread.messages.map((m) => m.text)).toEqual(['reply 1', 'reply 2']);
    const main = await bob.client.messages.list(convId, { limit: 200 });
    expect(main.messages.some((m) => m.threadRootId)).toBe(false);
    await expectCode(bob.client.messages.send(convId, { text: 'nested', threadRootId: r2.id }), 'validation_failed');
  });

  it('reactions are idempotent per user and emoji', async () => {
    const { message } = await alice.client.messages.send(convId, { text: 'react to me' });
    await bob.client.messages.react(convId, message.id, '👍');
    await bob.client.messages.react(convId, message.id, '👍');
    const { message: m } = await alice.client.messages.react(convId, message.id, '👍');
    expect(m.reactions).toEqual([{ emoji: '👍', count: 2, userIds: [bob.user.id, alice.user.id] }]);
    const { message: m2 } = await bob.client.messages.unreact(convId, message.id, '👍');
    expect(m2.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [alice.user.id] }]);
  });

  it('mentions keep only members', async () => {
    const { message } = await alice.client.messages.send(convId, { text: '@bob @eve', mentions: [bob.user.id, eve.user.id] });
    expect(message.mentions).toEqual([bob.user.id]);
  });

  it('pagination both ways covers every message exactly once', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Pages', memberIds: [bob.user.id] });
    for (let i = 0; i < 25; i++) await alice.client.messages.send(conversation.id, { text: `p${i}` });
    const latest = await bob.client.messages.list(conversation.id, { limit: 10 });
    expect(latest.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `p${15 + i}`));
    expect(latest.hasMore).toBe(true);
    const seen: string[] = [...latest.messages.map((m) => m.text!)];
    let before = latest.messages[0]!.id;
    for (;;) {
      const page = await bob.client.messages.list(conversation.id, { limit: 10, before });
      seen.unshift(...page.messages.map((m) => m.text!));
      if (!page.hasMore) break;
      before = page.messages[0]!.id;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p${i}`));
    const first = (await bob.client.messages.list(conversation.id, { limit: 1, before: latest.messages[0]!.id })).messages[0]!;
    const forward = await bob.client.messages.list(conversation.id, { after: first.id, limit: 3 });
    expect(forward.messages.map((m) => m.text)).toEqual(['p15', 'p16', 'p17']);
    await expectCode(bob.client.messages.list(conversation.id, { before: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), 'not_found');
  });

  it('message size limit and input checks (payload_too_large, validation_failed)', async () => {
    await expectCode(alice.client.messages.send(convId, { text: 'x'.repeat(40_001) }), 'payload_too_large');
    const multibyte = '汉'.repeat(13_334); // 40,002 bytes in UTF-8
    await expectCode(alice.client.messages.send(convId, { text: multibyte }), 'payload_too_large');
    await expectCode(alice.client.messages.send(convId, { text: '' }), 'validation_failed');
    const err = await expectCode(alice.client.http.request('sendMessage', { params: { id: convId }, body: { clientId: 'bad id!', text: 'x' } }), 'validation_failed');
    expect(err.message).toContain('clientId');
    await expectCode(alice.client.messages.send(convId, { ciphertext: Buffer.from('opaque').toString('base64') }), 'validation_failed');
  });
});
