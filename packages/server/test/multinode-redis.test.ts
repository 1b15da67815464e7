/**
 * Several nodes behind a load balancer (OPS-2): two servers share one database and a Redis bus.
 * A user connected to node A gets what is sent through node B, in order, and an offboarding on
 * node B closes their socket on node A within a second (ACL-5). Runs when CONCLAVE_TEST_REDIS_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConclaveClient } from '@conclave/sdk';
import type { SyncEvent } from '@conclave/protocol';
import { ADMIN_EMAIL, ADMIN_PASSWORD, REDIS_URL, eventually, startTestServer, type TestServer } from '@conclave/testkit';

if (!REDIS_URL) process.stderr.write('\n[multinode-redis] CONCLAVE_TEST_REDIS_URL is not set: multi-node Redis suite is SKIPPED (CI sets it).\n');

describe.skipIf(!REDIS_URL)('two nodes over Redis (OPS-2)', () => {
  let a: TestServer, b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ config: { redisUrl: REDIS_URL } });
    b = await startTestServer({ dataDir: a.dataDir, config: { redisUrl: REDIS_URL } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.close();
  });

  it('events sent through node B reach a socket on node A, in order', async () => {
    const bob = await a.createUser({ name: 'Bob' });
    const adminOnB = new ConclaveClient({ baseUrl: b.url });
    await adminOnB.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const { conversation } = await adminOnB.conversations.create({ kind: 'group', name: 'Across', memberIds: [bob.user.id] });
    const got: SyncEvent[] = [];
    const sub = bob.client.subscribe((e) => { got.push(e); }, { since: 0 });
    await eventually(() => sub.state === 'open');
    for (let i = 0; i < 30; i++) await adminOnB.messages.send(conversation.id, { text: `n${i}` });
    await eventually(() => got.filter((e) => e.type === 'message.created').length === 30, 5000, '30 messages on node A');
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(got.filter((e) => e.type === 'message.created').map((e) => e.type === 'message.created' && e.data.message.text)).toEqual(Array.from({ length: 30 }, (_, i) => `n${i}`));
    sub.close();
  });

  it('deactivating on node B closes the user\'s socket on node A within a second', async () => {
    const carol = await a.createUser({ name: 'Carol' });
    let closedAt = 0;
    const sub = carol.client.subscribe(() => {}, { onState: (s) => { if (s === 'closed') closedAt = Date.now(); } });
    await eventually(() => sub.state === 'open');
    const adminOnB = new ConclaveClient({ baseUrl: b.url });
    await adminOnB.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const start = Date.now();
    await adminOnB.users.deactivate(carol.user.id);
    await eventually(() => closedAt > 0, 2000, 'socket on node A closed');
    expect(closedAt - start).toBeLessThan(1000);
  });
});
