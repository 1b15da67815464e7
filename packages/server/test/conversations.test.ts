/** Conversations: DMs, groups, channels, membership, roles, archive, read markers (MSG-1, MSG-5, ACL-1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConclaveError } from '@conclave/sdk';
import { dialects, startTestServer, type TestServer, type TestUser, expectCode } from '@conclave/testkit';


describe.each(dialects())('conversations (MSG-1) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, carol: TestUser, guest: TestUser;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, carol, guest] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Carol' }), t.createUser({ name: 'Gus', role: 'guest' })]);
  });
  afterAll(async () => { await t?.close(); });

  it('a DM is one per pair, whoever opens it', async () => {
    const a = await alice.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id] });
    const b = await bob.client.conversations.create({ kind: 'dm', memberIds: [alice.user.id] });
    const again = await alice.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id] });
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(again.conversation.id).toBe(a.conversation.id);
    expect(a.conversation.dmPeerId).toBe(bob.user.id);
    expect(b.conversation.dmPeerId).toBe(alice.user.id);
    expect(a.conversation.memberCount).toBe(2);
    await expectCode(alice.client.conversations.addMembers(a.conversation.id, [carol.user.id]), 'conflict');
    await expectCode(alice.client.conversations.leave(a.conversation.id), 'conflict');
    await expectCode(alice.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id, carol.user.id] }), 'validation_failed');
  });

  it('a private group: creator owns it, outsiders get not_found, only managers add members', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Project X', memberIds: [bob.user.id] });
    expect(conversation.myRole).toBe('owner');
    expect(conversation.memberCount).toBe(2);
    await expectCode(carol.client.conversations.get(conversation.id), 'not_found');
    await expectCode(carol.client.messages.list(conversation.id), 'not_found');
    await expectCode(carol.client.conversations.join(conversation.id), 'not_found');
    await expectCode(bob.client.conversations.addMembers(conversation.id, [carol.user.id]), 'forbidden');
    await expectCode(bob.client.conversations.update(conversation.id, { name: 'Hijack' }), 'forbidden');
    await alice.client.conversations.addMembers(conversation.id, [carol.user.id]);
    expect((await carol.client.conversations.get(conversation.id)).conversation.myRole).toBe('member');
    const audit = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'conversations.read').where('outcome', '=', 'denied').execute();
    expect(audit.some((r) => r.actor_id === carol.user.id && r.reason === 'not_member')).toBe(true);
  });

  it('a group needs a name; unknown member ids are named in the error', async () => {
    await expectCode(alice.client.conversations.create({ kind: 'group' }), 'validation_failed');
    const err = await alice.client.conversations.create({ kind: 'group', name: 'G', memberIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] }).catch((e: ConclaveError) => e);
    expect((err as ConclaveError).code).toBe('not_found');
    expect((err as ConclaveError).message).toContain('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });

  it('channels: browse, join, unique names; guests can neither browse nor create', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'channel', name: 'general-talk', topic: 'everything' });
    await expectCode(bob.client.conversations.create({ kind: 'channel', name: 'General-Talk' }), 'conflict');
    const browse = await bob.client.conversations.browse();
    const listed = browse.conversations.find((c) => c.id === conversation.id);
    expect(listed?.myRole).toBeNull();
    expect((await bob.client.conversations.get(conversation.id)).conversation.topic).toBe('everything');
    await expectCode(bob.client.messages.list(conversation.id), 'not_found');
    await bob.client.conversations.join(conversation.id);
    expect((await bob.client.messages.list(conversation.id)).messages).toEqual([]);
    expect((await guest.client.conversations.browse()).conversations).toEqual([]);
    await expectCode(guest.client.conversations.get(conversation.id), 'not_found');
    await expectCode(guest.client.conversations.join(conversation.id), 'not_found');
    await expectCode(guest.client.conversations.create({ kind: 'channel', name: 'guestroom' }), 'forbidden');
    // Any channel member may add people; the new member sees it in their list.
    await bob.client.conversations.addMembers(conversation.id, [carol.user.id]);
    expect((await carol.client.conversations.list()).conversations.map((c) => c.id)).toContain(conversation.id);
  });

  it('rename and archive: archived conversations refuse messages until unarchived', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Old', memberIds: [bob.user.id] });
    const renamed = await alice.client.conversations.update(conversation.id, { name: 'New', topic: 'hi' });
    expect(renamed.conversation.name).toBe('New');
    await alice.client.conversations.update(conversation.id, { archived: true });
    await expectCode(bob.client.messages.send(conversation.id, { text: 'x' }), 'conflict');
    expect((await bob.client.conversations.list()).conversations.map((c) => c.id)).not.toContain(conversation.id);
    expect((await bob.client.conversations.list({ includeArchived: 'true' })).conversations.map((c) => c.id)).toContain(conversation.id);
    await alice.client.conversations.update(conversation.id, { archived: false });
    await bob.client.messages.send(conversation.id, { text: 'back' });
  });

  it('remove, leave, roles; the last owner leaving hands ownership on', async () => {
    const { conversation: c } = await alice.client.conversations.create({ kind: 'group', name: 'Roles', memberIds: [bob.user.id, carol.user.id] });
    await expectCode(bob.client.conversations.removeMember(c.id, carol.user.id), 'forbidden');
    await expectCode(bob.client.conversations.updateMember(c.id, bob.user.id, 'admin'), 'forbidden');
    await alice.client.conversations.updateMember(c.id, bob.user.id, 'admin');
    await expectCode(bob.client.conversations.removeMember(c.id, alice.user.id), 'forbidden');
    await bob.client.conversations.removeMember(c.id, carol.user.id);
    await expectCode(carol.client.conversations.get(c.id), 'not_found');
    await alice.client.conversations.leave(c.id);
    const members = (await bob.client.conversations.members(c.id)).members;
    expect(members).toEqual([expect.objectContaining({ userId: bob.user.id, role: 'owner' })]);
    await expectCode(bob.client.conversations.updateMember(c.id, bob.user.id, 'member'), 'conflict');
  });

  it('org admins manage channels they have not joined, but cannot reach private groups they are not in', async () => {
    const { conversation: g } = await alice.client.conversations.create({ kind: 'group', name: 'AdminCheck', memberIds: [bob.user.id] });
    await expectCode(t.admin.client.conversations.update(g.id, { name: 'x' }), 'not_found');
    const { conversation: ch } = await alice.client.conversations.create({ kind: 'channel', name: 'admin-managed' });
    await expectCode(bob.client.conversations.update(ch.id, { name: 'bob-was-here' }), 'forbidden');
    const r = await t.admin.client.conversations.update(ch.id, { archived: true });
    expect(r.conversation.archived).toBe(true);
    expect(r.conversation.myRole).toBeNull();
  });

  it('read markers only move forward and unread counts follow them (MSG-5)', async () => {
    const { conversation: c } = await alice.client.conversations.create({ kind: 'group', name: 'Reads', memberIds: [bob.user.id] });
    for (let i = 0; i < 3; i++) await alice.client.messages.send(c.id, { text: `m${i}`, mentions: i === 2 ? [bob.user.id] : [] });
    let mine = (await bob.client.conversations.get(c.id)).conversation;
    expect(mine.unreadCount).toBe(3);
    expect(mine.mentionCount).toBe(1);
    expect((await alice.client.conversations.get(c.id)).conversation.unreadCount).toBe(0);
    expect((await bob.client.conversations.markRead(c.id, 2)).lastReadPosition).toBe(2);
    expect((await bob.client.conversations.markRead(c.id, 1)).lastReadPosition).toBe(2);
    mine = (await bob.client.conversations.get(c.id)).conversation;
    expect(mine.unreadCount).toBe(1);
    expect((await bob.client.conversations.markRead(c.id, 99)).lastReadPosition).toBe(3);
    expect((await bob.client.conversations.get(c.id)).conversation).toMatchObject({ unreadCount: 0, mentionCount: 0 });
    await expectCode(carol.client.conversations.markRead(c.id, 1), 'not_found');
  });

  it('the directory hides other people from guests (ACL-4)', async () => {
    const all = (await alice.client.users.list()).users.map((u) => u.id);
    expect(all).toEqual(expect.arrayContaining([bob.user.id, guest.user.id]));
    expect((await guest.client.users.list()).users.map((u) => u.id)).toEqual([guest.user.id]);
    await expectCode(guest.client.users.get(bob.user.id), 'not_found');
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'WithGuest', memberIds: [guest.user.id] });
    expect((await guest.client.users.list()).users.map((u) => u.id).sort()).toEqual([alice.user.id, guest.user.id].sort());
    expect((await guest.client.conversations.get(conversation.id)).conversation.id).toBe(conversation.id);
  });
});
