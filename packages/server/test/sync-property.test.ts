/**
 * Sync property (MSG-4): for random interleavings of sends, edits, deletes, reactions, read
 * markers, membership changes, renames, disconnects and cold restarts, every client's
 * "initial state + live events" equals a fresh fetch — no gap, no duplicate, nothing stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientState, type ConclaveClient, type Subscription } from '@conclave/sdk';
import type { SyncEvent } from '@conclave/protocol';
import { dialects, eventually, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

/** mulberry32: small seeded PRNG so a failing run can be replayed with SYNC_SEED. */
function prng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function allMessages(client: ConclaveClient, convId: string) {
  const out = [];
  let before: string | undefined;
  for (;;) {
    const page = await client.messages.list(convId, { limit: 200, ...(before ? { before } : {}) });
    out.unshift(...page.messages);
    if (!page.hasMore || !page.messages.length) break;
    before = page.messages[0]!.id;
  }
  for (const root of out.filter((m) => m.thread)) {
    out.push(...(await client.messages.list(convId, { threadRootId: root.id, limit: 200 })).messages);
  }
  return out;
}

async function currentSeq(client: ConclaveClient): Promise<number> {
  let since = 0;
  for (;;) {
    const page = await client.sync(since);
    since = page.seq;
    if (!page.hasMore) return since;
  }
}

/** One device: a replica, a subscription, and the seq it has applied. */
class Device {
  state: ClientState;
  sub: Subscription | null = null;
  applied = 0;
  constructor(readonly u: TestUser) { this.state = new ClientState(u.user.id); }

  /** Cold start: remember the seq, fetch everything, then subscribe from that seq. */
  async coldStart(): Promise<void> {
    this.stop();
    this.state = new ClientState(this.u.user.id);
    const since = await currentSeq(this.u.client);
    const { conversations } = await this.u.client.conversations.list({ includeArchived: 'true' });
    this.state.loadConversations(conversations);
    for (const c of conversations) this.state.loadMessages(await allMessages(this.u.client, c.id));
    this.applied = since;
    this.resume();
  }

  resume(): void {
    this.sub = this.u.client.subscribe(async (e: SyncEvent) => {
      if (e.seq !== this.applied + 1) throw new Error(`gap or duplicate: got seq ${e.seq} after ${this.applied}`);
      this.applied = e.seq;
      this.state.apply(e);
      // A conversation that appears (joined, added) gets its history fetched, as a UI does.
      if (e.type === 'conversation.updated' && !this.state.hasMessages(e.data.conversation.id)) {
        this.state.loadMessages(await allMessages(this.u.client, e.data.conversation.id));
      }
    }, { since: this.applied });
  }

  stop(): void {
    this.sub?.close();
    this.sub = null;
  }
}

describe.each(dialects())('sync property (MSG-4) [%s]', (dialect) => {
  let t: TestServer;
  let users: TestUser[];
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    users = await Promise.all([0, 1, 2, 3].map((i) => t.createUser({ name: `P${i}` })));
  });
  afterAll(async () => { await t?.close(); });

  const seeds = (process.env.SYNC_SEED ? [Number(process.env.SYNC_SEED)] : [1, 2, 3]);
  it.each(seeds)('seed %i: initial state + live events == fresh fetch', async (seed) => {
    const rnd = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const [a, b, c, d] = users as [TestUser, TestUser, TestUser, TestUser];
    const group = (await a.client.conversations.create({ kind: 'group', name: `G${seed}`, memberIds: [b.user.id, c.user.id] })).conversation.id;
    const channel = (await b.client.conversations.create({ kind: 'channel', name: `ch-${seed}-${dialect}`, memberIds: [c.user.id] })).conversation.id;
    const dm = (await c.client.conversations.create({ kind: 'dm', memberIds: [d.user.id] })).conversation.id;
    const devices = users.flatMap((u) => [new Device(u), new Device(u)]);
    await Promise.all(devices.map((dev) => dev.coldStart()));

    const mine = new Map<string, Array<{ conv: string; id: string }>>();
    const convsOf = async (u: TestUser) => (await u.client.conversations.list()).conversations.map((x) => x.id);
    for (let step = 0; step < 60; step++) {
      const u = pick(users);
      const convs = await convsOf(u);
      const r = rnd();
      try {
        if (r < 0.35 && convs.length) {
          const conv = pick(convs);
          const roots = (mine.get(u.user.id) ?? []).filter((m) => m.conv === conv);
          const threadRootId = rnd() < 0.2 && roots.length ? pick(roots).id : undefined;
          const { message } = await u.client.messages.send(conv, { text: `s${seed}-${step}`, mentions: users.map((x) => x.user.id).filter(() => rnd() < 0.3), ...(threadRootId ? { threadRootId } : {}) });
          if (!threadRootId) mine.set(u.user.id, [...(mine.get(u.user.id) ?? []), { conv, id: message.id }]);
        } else if (r < 0.45 && mine.get(u.user.id)?.length) {
          const m = pick(mine.get(u.user.id)!);
          await u.client.messages.edit(m.conv, m.id, `edited-${step}`);
        } else if (r < 0.5 && mine.get(u.user.id)?.length) {
          const m = pick(mine.get(u.user.id)!);
          await u.client.messages.delete(m.conv, m.id);
        } else if (r < 0.6 && convs.length) {
          const conv = pick(convs);
          const { messages } = await u.client.messages.list(conv, { limit: 5 });
          const live = messages.filter((m) => !m.deletedAt);
          if (live.length) await (rnd() < 0.7 ? u.client.messages.react(conv, pick(live).id, pick(['👍', '🎉', '中'])) : u.client.messages.unreact(conv, pick(live).id, '👍'));
        } else if (r < 0.7 && convs.length) {
          const conv = pick(convs);
          const last = (await u.client.conversations.get(conv)).conversation.lastPosition;
          await u.client.conversations.markRead(conv, Math.floor(rnd() * (last + 1)));
        } else if (r < 0.76) {
          const other = pick(users.filter((x) => x !== a));
          const members = (await a.client.conversations.members(group)).members.map((m) => m.userId);
          if (members.includes(other.user.id)) await a.client.conversations.removeMember(group, other.user.id);
          else await a.client.conversations.addMembers(group, [other.user.id]);
        } else if (r < 0.8) {
          const joiner = pick(users);
          const isMember = (await convsOf(joiner)).includes(channel);
          await (isMember ? joiner.client.conversations.leave(channel) : joiner.client.conversations.join(channel));
        } else if (r < 0.84) {
          await a.client.conversations.update(group, { name: `G${seed}-${step}` }).catch(() => {});
        } else if (r < 0.92) {
          const dev = pick(devices);
          if (dev.sub) dev.stop();
          else dev.resume();
        } else {
          await pick(devices).coldStart();
        }
      } catch (err) {
        // Refusals (e.g. leaving as last owner) are part of the workload; only 5xx would be a bug.
        if ((err as { status?: number }).status === undefined || (err as { status: number }).status >= 500) throw err;
      }
      if (step === 30) await c.client.messages.send(dm, { text: 'dm midway' });
    }

    for (const dev of devices) if (!dev.sub) dev.resume();
    for (const dev of devices) {
      const target = await currentSeq(dev.u.client);
      await eventually(() => dev.applied >= target, 10_000, `device of ${dev.u.user.name} to reach seq ${target}`);
    }
    for (const dev of devices) {
      const fresh = (await dev.u.client.conversations.list({ includeArchived: 'true' })).conversations;
      const byId = (xs: { id: string }[]) => [...xs].sort((x, y) => x.id.localeCompare(y.id));
      expect(byId(dev.state.conversations()), `conversations of ${dev.u.user.name}`).toEqual(byId(fresh));
      for (const conv of fresh) {
        const msgs = (await allMessages(dev.u.client, conv.id)).sort((x, y) => x.position - y.position);
        expect(dev.state.messages(conv.id), `messages of ${dev.u.user.name} in ${conv.id}`).toEqual(msgs);
      }
    }
    devices.forEach((dev) => dev.stop());
  });
});
