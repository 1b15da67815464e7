/** MLS end-to-end encryption (E2E-1): multi-client tests through the SDK against the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, eventually, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { cleanupDirs, openDevice, texts, type Device } from './mls-helpers';

describe.each(dialects())('MLS groups (E2E-1) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let a: Device, b: Device, c: Device;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, carol] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Carol' })]);
    [a, b, c] = await Promise.all([openDevice(t, alice), openDevice(t, bob), openDevice(t, carol)]);
  });
  afterAll(async () => {
    for (const d of [a, b, c]) d?.close();
    await t?.close();
    cleanupDirs();
  });

  it('two parties: create, welcome, send both ways, edit, delete; the server stores ciphertext only', async () => {
    const conv = await a.mls.createGroup({ name: 'Pair', memberIds: [bob.user.id] });
    expect(conv.encryption).toBe('e2ee');
    expect(conv.memberCount).toBe(2);
    await b.mls.sync();
    expect(await b.mls.epoch(conv.id)).toBe(1);
    const m1 = await a.mls.send(conv.id, 'hello bob');
    expect(m1.text).toBeNull();
    expect(m1.ciphertext).toBeTruthy();
    const m2 = await b.mls.send(conv.id, 'hi alice');
    expect(await texts(b, conv.id)).toEqual(['hello bob', 'hi alice']);
    expect(await texts(a, conv.id)).toEqual(['hello bob', 'hi alice']);
    // Second read of the same ciphertext is served from local state (MLS keys are single-use).
    expect(await texts(b, conv.id)).toEqual(['hello bob', 'hi alice']);
    await a.mls.edit(conv.id, m1.id, 'hello bob (edited)');
    await b.mls.delete(conv.id, m2.id);
    const seen = await b.mls.messages(conv.id);
    expect(seen.map((m) => [m.status, m.text])).toEqual([['ok', 'hello bob (edited)'], ['deleted', null]]);
    // Plain text is refused for an E2EE conversation.
    await expectCode(alice.client.messages.send(conv.id, { text: 'in clear' }), 'validation_failed');
  });

  it('end-to-end encrypted DMs: one per pair, opened from either side, separate from the plaintext DM', async () => {
    const dm = await a.mls.openDm(carol.user.id);
    expect(dm).toMatchObject({ kind: 'dm', encryption: 'e2ee', memberCount: 2 });
    const again = await c.mls.openDm(alice.user.id); // carol's side: same conversation, joins from the Welcome
    expect(again.id).toBe(dm.id);
    expect(await c.mls.epoch(dm.id)).toBe(1);
    expect((await a.mls.openDm(carol.user.id)).id).toBe(dm.id);
    await a.mls.send(dm.id, 'just between us');
    await c.mls.send(dm.id, 'agreed');
    expect(await texts(c, dm.id)).toEqual(['just between us', 'agreed']);
    expect(await texts(a, dm.id)).toEqual(['just between us', 'agreed']);
    const plain = (await alice.client.conversations.create({ kind: 'dm', memberIds: [carol.user.id] })).conversation;
    expect(plain.id).not.toBe(dm.id);
    expect(plain.encryption).toBe('server');
    await expectCode(alice.client.messages.send(dm.id, { text: 'in clear' }), 'validation_failed');
    await expectCode(alice.client.conversations.create({ kind: 'channel', name: 'enc-chan', encryption: 'e2ee' }), 'validation_failed');
  });

  it('live delivery: messages arrive over the WebSocket and decrypt in order', async () => {
    const conv = await a.mls.createGroup({ name: 'Live', memberIds: [bob.user.id, carol.user.id] });
    b.live();
    c.live();
    try {
      for (const text of ['one', 'two', 'three']) await a.mls.send(conv.id, text);
      for (const d of [b, c]) {
        await eventually(() => d.events.filter((e) => e.type === 'message' && e.conversationId === conv.id && e.message.status === 'ok').length === 3, 10_000, 'three messages');
        const got = d.events.flatMap((e) => (e.type === 'message' && e.conversationId === conv.id ? [e.message.text] : []));
        expect(got).toEqual(['one', 'two', 'three']);
      }
    } finally {
      b.close();
      c.close();
      b.sub = null;
      c.sub = null;
    }
  });
});
