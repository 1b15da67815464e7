import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WS_CLOSE, type SyncEvent } from '@conclave/protocol';
import { ConclaveClient } from './client';
import type { StateInfo, SubscribeOptions } from './realtime';
import { GOOD_TOKEN, makeEvent, startFakeServer, waitFor, type FakeServer } from '../test/fake-server';

let fake: FakeServer;
let client: ConclaveClient;

beforeEach(async () => {
  fake = await startFakeServer();
  client = new ConclaveClient({ baseUrl: fake.baseUrl, token: GOOD_TOKEN });
});

afterEach(async () => {
  client.close();
  await fake.close();
});

function subscribe(opts: SubscribeOptions = {}) {
  const seen: number[] = [];
  const states: Array<{ state: string; info?: StateInfo }> = [];
  const errors: unknown[] = [];
  const sub = client.subscribe((e: SyncEvent) => void seen.push(e.seq), {
    backoff: { initialMs: 10, maxMs: 40 },
    onState: (state, info) => states.push({ state, info }),
    onError: (err) => errors.push(err),
    ...opts,
  });
  return { sub, seen, states, errors };
}

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('subscribe: ordered, exactly-once delivery (MSG-4)', () => {
  it('replays after since, then delivers live events in order, each once', async () => {
    fake.log.push(makeEvent(1), makeEvent(2), makeEvent(3));
    const { seen, sub } = subscribe({ since: 1 });
    const conn = await fake.waitForConnections(1);
    expect(conn.url.pathname).toBe('/api/v1/ws');
    expect(conn.url.searchParams.get('token')).toBe(GOOD_TOKEN);
    expect(conn.url.searchParams.get('since')).toBe('1');
    await waitFor(() => seen.length === 2, 3000, 'replay');
    fake.publish(4, 5, 6);
    await waitFor(() => seen.length === 5, 3000, 'live events');
    expect(seen).toEqual([2, 3, 4, 5, 6]);
    expect(sub.lastSeq).toBe(6);
    expect(sub.state).toBe('open');
  });

  it('without since, starts at the server seq from hello (live events only)', async () => {
    fake.log.push(makeEvent(1), makeEvent(2));
    const { seen, sub } = subscribe();
    const conn = await fake.waitForConnections(1);
    expect(conn.url.searchParams.has('since')).toBe(false);
    await waitFor(() => sub.lastSeq === 2, 3000, 'hello');
    fake.publish(3);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([3]);
  });

  it('drops duplicate and stale frames', async () => {
    fake.onConnection = (conn) => {
      conn.send({ type: 'hello', userId: 'U', sessionId: 'S', seq: 0, resumedFrom: 0 });
      for (const seq of [1, 2, 2, 1, 3, 3, 2]) conn.send({ type: 'event', event: makeEvent(seq) });
    };
    fake.log.push(makeEvent(1), makeEvent(2), makeEvent(3));
    const { seen } = subscribe({ since: 0 });
    await waitFor(() => seen.length >= 3);
    fake.publish(4);
    await waitFor(() => seen.length >= 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(fake.syncCalls).toEqual([]);
  });

  it('repairs a gap via /sync (paging while hasMore) before delivering later events', async () => {
    fake.syncPageSize = 1;
    fake.syncDelayMs = 50; // live frames keep arriving while the repair is in flight
    fake.onConnection = (conn) => {
      conn.send({ type: 'hello', userId: 'U', sessionId: 'S', seq: 0, resumedFrom: 0 });
      fake.log.push(makeEvent(1), makeEvent(2), makeEvent(3), makeEvent(4), makeEvent(5));
      for (const seq of [1, 4, 5]) conn.send({ type: 'event', event: makeEvent(seq) }); // 2 and 3 lost
    };
    const { seen } = subscribe({ since: 0 });
    await waitFor(() => seen.length >= 5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    // since=1 → [2] hasMore, since=2 → [3] hasMore, since=3 → [4] hasMore, since=4 → [5] done.
    expect(fake.syncCalls).toEqual([1, 2, 3, 4]);
  });

  it('handles reset from the server: onReset runs, then delivery continues from the new seq', async () => {
    let resets = 0;
    fake.onConnection = (conn) => {
      conn.send({ type: 'hello', userId: 'U', sessionId: 'S', seq: 50, resumedFrom: 3 });
      conn.send({ type: 'reset', seq: 50 });
      conn.send({ type: 'event', event: makeEvent(49) }); // older than the reset point: dropped
      conn.send({ type: 'event', event: makeEvent(51) });
    };
    const { seen, sub } = subscribe({
      since: 3,
      onReset: async () => {
        await new Promise((r) => setTimeout(r, 20)); // an app refetching state
        resets++;
      },
    });
    await waitFor(() => seen.length >= 1);
    expect(resets).toBe(1);
    expect(seen).toEqual([51]);
    expect(sub.lastSeq).toBe(51);
  });

  it('treats a /sync answer with reset: true like a reset frame', async () => {
    let resets = 0;
    fake.syncResetTo = 10;
    fake.onConnection = (conn) => {
      conn.send({ type: 'hello', userId: 'U', sessionId: 'S', seq: 11, resumedFrom: 0 });
      conn.send({ type: 'event', event: makeEvent(11) }); // gap 1..10 → /sync says reset at 10
    };
    const { seen } = subscribe({ since: 0, onReset: () => void resets++ });
    await waitFor(() => seen.length >= 1);
    expect(resets).toBe(1);
    expect(seen).toEqual([11]);
  });

  it('awaits an async handler before delivering the next event', async () => {
    const order: string[] = [];
    fake.log.push(makeEvent(1), makeEvent(2));
    client.subscribe(async (e) => {
      order.push(`start ${e.seq}`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`end ${e.seq}`);
    }, { since: 0, onError: () => {} });
    await waitFor(() => order.length === 4);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});

describe('subscribe: reconnect and resume', () => {
  it('reconnects after the server drops the socket and resumes from lastSeq', async () => {
    fake.log.push(makeEvent(1), makeEvent(2));
    const { seen, states } = subscribe({ since: 0 });
    const first = await fake.waitForConnections(1);
    await waitFor(() => seen.length === 2);
    fake.log.push(makeEvent(3)); // committed while the client is away
    first.ws.terminate();
    const second = await fake.waitForConnections(2);
    expect(second.url.searchParams.get('since')).toBe('2');
    await waitFor(() => seen.length === 3);
    fake.publish(4);
    await waitFor(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
  });

  it.each([
    ['slowConsumer', WS_CLOSE.slowConsumer],
    ['shuttingDown', WS_CLOSE.shuttingDown],
  ])('reconnects and resumes after close code %s', async (_name, code) => {
    fake.log.push(makeEvent(1));
    const { seen } = subscribe({ since: 0 });
    const first = await fake.waitForConnections(1);
    await waitFor(() => seen.length === 1);
    first.ws.close(code, 'bye');
    const second = await fake.waitForConnections(2);
    expect(second.url.searchParams.get('since')).toBe('1');
  });

  it.each([
    ['revoked', WS_CLOSE.revoked],
    ['unauthenticated', WS_CLOSE.unauthenticated],
  ])('does not reconnect after close code %s', async (_name, code) => {
    const { states, sub } = subscribe({ since: 0 });
    const conn = await fake.waitForConnections(1);
    await waitFor(() => sub.state === 'open');
    conn.ws.close(code, 'session revoked');
    await waitFor(() => sub.state === 'closed');
    await new Promise((r) => setTimeout(r, 150)); // several backoff periods
    expect(fake.connections).toHaveLength(1);
    expect(states.at(-1)).toEqual({ state: 'closed', info: { code, reason: 'session revoked' } });
  });

  it('gives up when the handshake is refused and /me says the session is gone', async () => {
    fake.rejectAuth = true;
    const { sub, states } = subscribe({ since: 0 });
    await waitFor(() => sub.state === 'closed');
    expect(states.at(-1)?.info?.code).toBe(WS_CLOSE.unauthenticated);
    expect(fake.requests.map((r) => r.url.pathname)).toContain('/api/v1/me');
  });

  it('reconnects when no frame arrives within the idle timeout', async () => {
    fake.onConnection = () => {}; // accepts, then stays silent
    const { sub } = subscribe({ since: 0, idleTimeoutMs: 60 });
    await fake.waitForConnections(2);
    expect(sub.state).not.toBe('closed');
  });

  it('pings and resends presence "away" after a reconnect', async () => {
    const { sub } = subscribe({ since: 0, pingIntervalMs: 20 });
    const first = await fake.waitForConnections(1);
    await waitFor(() => sub.state === 'open');
    expect(sub.setPresence('away')).toBe(true);
    expect(sub.sendTyping('01HZY0000000000000000000AA')).toBe(true);
    await waitFor(() => first.received.some((f) => f.type === 'ping'));
    first.ws.terminate();
    const second = await fake.waitForConnections(2);
    await waitFor(() => second.received.some((f) => f.type === 'presence'));
    expect(first.received.filter((f) => f.type !== 'ping')).toEqual([
      { type: 'presence', status: 'away' },
      { type: 'typing', conversationId: '01HZY0000000000000000000AA' },
    ]);
    expect(second.received.find((f) => f.type === 'presence')).toEqual({ type: 'presence', status: 'away' });
  });
});

describe('subscribe: close()', () => {
  it('leaves no timers behind, even with a reconnect pending', async () => {
    const before = timeouts();
    const sub = client.subscribe(() => {}, {
      since: 0,
      backoff: { initialMs: 5000, maxMs: 5000 },
      onError: () => {},
    });
    const conn = await fake.waitForConnections(1);
    await waitFor(() => sub.state === 'open');
    expect(timeouts()).toBeGreaterThan(before); // ping interval + idle timer are live
    conn.ws.terminate();
    await waitFor(() => sub.state === 'reconnecting');
    sub.close();
    expect(sub.state).toBe('closed');
    expect(timeouts()).toBeLessThanOrEqual(before);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.connections).toHaveLength(1);
  });

  it('closes an open socket and stops delivery', async () => {
    const { sub, seen } = subscribe({ since: 0 });
    const conn = await fake.waitForConnections(1);
    await waitFor(() => sub.state === 'open');
    const closed = new Promise<number>((r) => conn.ws.once('close', (code) => r(code)));
    client.close(); // closes every subscription of the client
    expect(await closed).toBe(1000);
    fake.publish(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([]);
    expect(sub.state).toBe('closed');
  });
});
