/**
 * Search (MSG-3) review checks: the exact Chinese example of issue 8 (会议 in
 * 下午的会议改到三点), and results never above the caller's clearance — a stale membership
 * (left in place by a bug or a restore) does not outrank clearance, and a file keeps the level
 * it was uploaded at when its conversation is later lowered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe.each(dialects())('search: CJK example and clearance [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, carol] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Carol' })]);
    await t.admin.client.users.update(alice.user.id, { clearance: 'confidential' });
    await t.admin.client.users.update(carol.user.id, { clearance: 'confidential' });
  });
  afterAll(async () => { await t?.close(); });
  const search = (u: TestUser, query: Record<string, unknown>) => u.client.http.request('search', { query: query as { q: string } });

  it('会议 finds 下午的会议改到三点 (and 三点, 改到), with the highlight on the word', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: '周会', memberIds: [bob.user.id] });
    const { message } = await alice.client.messages.send(conversation.id, { text: '下午的会议改到三点' });
    const res = await search(bob, { q: '会议' });
    expect(res.messages.map((h) => h.message.id)).toEqual([message.id]);
    const h = res.messages[0]!;
    expect(h.snippet).toBe('下午的会议改到三点');
    expect(h.snippet.slice(h.highlights[0]!.start, h.highlights[0]!.end)).toBe('会议');
    expect((await search(bob, { q: '三点' })).messages.map((x) => x.message.id)).toEqual([message.id]);
    expect((await search(bob, { q: '会议 改到' })).messages.map((x) => x.message.id)).toEqual([message.id]);
    // Characters in the wrong order are not a match.
    expect((await search(bob, { q: '议会' })).messages).toEqual([]);
  });

  it('never above the caller\'s clearance, even with a stale membership row', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Deal', level: 'confidential', memberIds: [carol.user.id] });
    await alice.client.messages.send(conversation.id, { text: 'pangolin acquisition 收购方案' });
    expect((await search(carol, { q: 'pangolin' })).messages.length).toBe(1);
    expect((await search(bob, { q: 'pangolin' })).messages).toEqual([]);
    expect((await search(bob, { q: '收购' })).messages).toEqual([]);
    // Bob (internal clearance) gets a membership row directly in the database, as a stale row would.
    const db = t.server.svc.database.db;
    const row = await db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversation.id).where('user_id', '=', carol.user.id).executeTakeFirstOrThrow();
    await db.insertInto('conversation_members').values({ ...row, user_id: bob.user.id }).execute();
    expect((await search(bob, { q: 'pangolin' })).messages).toEqual([]);
    expect((await search(bob, { q: '收购方案' })).messages).toEqual([]);
    await expectCode(search(bob, { q: 'pangolin', conversationId: conversation.id }), 'not_found');
    const denied = await db.selectFrom('audit_log').selectAll().where('actor_id', '=', bob.user.id).where('outcome', '=', 'denied').where('reason', '=', 'clearance').execute();
    expect(denied.length).toBeGreaterThan(0);
    // Lowering Carol's clearance takes the results away from her as well.
    await t.admin.client.users.update(carol.user.id, { clearance: 'internal' });
    expect((await search(carol, { q: 'pangolin' })).messages).toEqual([]);
    await t.admin.client.users.update(carol.user.id, { clearance: 'confidential' });
  });

  it('a file keeps its level when the conversation is lowered: hidden from search, metadata and content', async () => {
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: 'Was confidential', level: 'confidential' });
    const file = await uploadFile(t.admin.client, conversation.id, 'quoll-merger-plan.txt', Buffer.from('quoll plan body'));
    await t.admin.client.messages.send(conversation.id, { text: 'plan attached', fileIds: [file.id] });
    await t.admin.client.conversations.update(conversation.id, { level: 'internal' });
    await t.admin.client.conversations.addMembers(conversation.id, [bob.user.id]);
    // The conversation (now internal) is Bob's to read; the confidential file is not.
    expect((await bob.client.messages.list(conversation.id)).messages.some((m) => m.text === 'plan attached')).toBe(true);
    expect((await search(bob, { q: 'quoll' })).files).toEqual([]);
    expect((await search(t.admin, { q: 'quoll' })).files.map((f) => f.file.id)).toEqual([file.id]);
    await expectCode(bob.client.http.request('getFile', { params: { id: file.id } }), 'not_found');
    await expectCode(bob.client.http.request('previewFile', { params: { id: file.id } }), 'not_found');
    await expectCode(bob.client.http.request('downloadFile', { params: { id: file.id } }), 'not_found');
    expect((await bob.client.http.request('listFiles', { params: { id: conversation.id } })).files).toEqual([]);
    const audit = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('actor_id', '=', bob.user.id).where('outcome', '=', 'denied').where('reason', '=', 'clearance').execute();
    // Content reads are audited with the file as target; the metadata read by the HTTP layer.
    expect(audit.filter((r) => r.target_id === file.id).map((r) => r.action).sort()).toEqual(['files.download', 'files.preview']);
    expect(audit.some((r) => r.action === 'files.read')).toBe(true);
    // The admin (clearance reaches it) still sees it, with the stricter level and its restrictions.
    const seen = (await t.admin.client.http.request('getFile', { params: { id: file.id } })).file;
    expect(seen).toMatchObject({ level: 'confidential', restrictions: { noDownload: true, noForward: true } });
  });
});
