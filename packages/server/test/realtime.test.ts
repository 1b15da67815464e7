/** Realtime (MSG-4, MSG-5, IAM-3): live delivery, resume without gaps or duplicates, offboarding closes sockets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SyncEvent, Ephemeral } from '@conclave/protocol';
import { WS_CLOSE } from '@conclave/protocol';
import { dialects, eventually, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe.each(dialects())('realtime (MSG-4) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser;
  let convId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect, config: { wsMaxBufferBytes: 32 * 1024 } });
    [alice, bob] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' })]);
    convId = (await alice.client.conversations.create({ kind: 'group', name: 'RT', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });

  it('delivers a message live with a per-user seq, and /sync returns the same events', async () => {
    const got: SyncEvent[] = [];
    const sub = bob.client.subscribe((e) => { got.push(e); }, { since: 0 });
    const { message } = await alice.client.messages.send(convId, { text: 'live hello' });
    const ev = await eventually(() => got.find((e) => e.type === 'message.created' && e.data.message.id === message.id), 5000, 'live event');
    expect(ev!.type === 'message.created' && ev.data.message.text).toBe('live hello');
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBe(1);
    sub.close();
    const page = await bob.client.sync(0);
    expect(page.events.map((e) => e.seq)).toEqual(seqs.slice(0, page.events.length));
    expect(page.events.find((e) => e.seq === ev!.seq)).toEqual(ev);
  });

  it('a client that reconnects gets exactly what it missed, in order', async () => {
    const first: SyncEvent[] = [];
    const sub = bob.client.subscribe((e) => { first.push(e); }, { since: 0 });
    await eventually(() => sub.state === 'open', 3000, 'open');
    await alice.client.messages.send(convId, { text: 'before disconnect' });
    await eventually(() => first.some((e) => e.type === 'message.created' && e.data.message.text === 'before disconnect'));
    const last = sub.lastSeq;
    sub.close();
    const texts = Array.from({ length: 20 }, (_, i) => `missed ${i}`);
    for (const text of texts) await alice.client.messages.send(convId, { text });
    const second: SyncEvent[] = [];
    const sub2 = bob.client.subscribe((e) => { second.push(e); }, { since: last! });
    await eventually(() => second.length >= 20, 5000, 'catch-up');
    sub2.close();
    expect(second.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => last! + 1 + i));
    expect(second.map((e) => e.type === 'message.created' && e.data.message.text)).toEqual(texts);
  });

  it('deactivation closes the user\'s open socket within a second and rejects the token (ACL-5)', async () => {
    const carol = await t.createUser();
    const states: string[] = [];
    let closedAt = 0;
    const sub = carol.client.subscribe(() => {}, { onState: (s) => { states.push(s); if (s === 'closed') closedAt = Date.now(); } });
    await eventually(() => sub.state === 'open', 3000, 'open');
    const start = Date.now();
    await t.admin.client.users.deactivate(carol.user.id);
    await eventually(() => closedAt > 0, 2000, 'socket closed');
    expect(closedAt - start).toBeLessThan(1000);
    expect(states.at(-1)).toBe('closed');
    await expect(carol.client.me.get()).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('a session revoked outside this node (direct database write, as the CLI does) is closed by the sweep', async () => {
    const dave = await t.createUser();
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws?token=${dave.client.token}`);
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await new Promise((r) => ws.on('message', r));
    await t.server.svc.database.db.updateTable('sessions').set({ revoked_at: Date.now(), revoked_reason: 'test' }).where('user_id', '=', dave.user.id).execute();
    const start = Date.now();
    expect(await closed).toBe(WS_CLOSE.revoked);
    expect(Date.now() - start).toBeLessThan(2500);
  });

  it('a bad token gets an upgrade and then close code 4003', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws?token=nope`);
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(code).toBe(WS_CLOSE.unauthenticated);
  });

  it('typing and presence are ephemeral signals to the other members (MSG-5)', async () => {
    const { conversation } = await alice.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id] });
    const seen: Ephemeral[] = [];
    const subA = alice.client.subscribe(() => {}, { onEphemeral: (s) => seen.push(s) });
    await eventually(() => subA.state === 'open');
    const subB = bob.client.subscribe(() => {});
    await eventually(() => seen.some((s) => s.type === 'presence' && s.userId === bob.user.id && s.status === 'online'), 3000, 'presence online');
    subB.sendTyping(conversation.id);
    await eventually(() => seen.some((s) => s.type === 'typing' && s.userId === bob.user.id && s.conversationId === conversation.id), 3000, 'typing');
    expect((await alice.client.users.get(bob.user.id)).user.presence).toBe('online');
    subB.close();
    await eventually(() => seen.some((s) => s.type === 'presence' && s.userId === bob.user.id && s.status === 'offline'), 3000, 'presence offline');
    subA.close();
    // Ephemeral signals never enter the durable log.
    const page = await alice.client.sync(0);
    expect(page.events.some((e) => (e.type as string) === 'typing')).toBe(false);
  });

  it('a consumer that stops reading is disconnected (slow consumer) instead of growing server memory', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws?token=${bob.client.token}`);
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(30_000);
    for (let i = 0; i < 200; i++) {
      await alice.client.messages.send(convId, { text: big });
      if (await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 1))])) break;
    }
    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(WS_CLOSE.slowConsumer);
  });
});
