/** Graceful shutdown (OPS-1, MSG-4): sockets close with 4010, the client resumes after restart with no gap, data survives. */
import { describe, expect, it } from 'vitest';
import type { SyncEvent } from '@conclave/protocol';
import { eventually, startTestServer } from '@conclave/testkit';

describe('graceful shutdown and restart', () => {
  it('clients are told to reconnect, and resume from their seq on the restarted server', async () => {
    const first = await startTestServer();
    const port = Number(new URL(first.url).port);
    const bob = await first.createUser({ name: 'Bob' });
    const { conversation } = await first.admin.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id] });
    await first.admin.client.messages.send(conversation.id, { text: 'before restart' });
    const got: SyncEvent[] = [];
    const states: string[] = [];
    const sub = bob.client.subscribe((e) => { got.push(e); }, { since: 0, onState: (s) => states.push(s) });
    await eventually(() => got.some((e) => e.type === 'message.created'), 5000, 'first message');
    await first.stop();
    await eventually(() => states.includes('reconnecting'), 3000, 'reconnecting state');
    const second = await startTestServer({ dataDir: first.dataDir, config: { port } });
    try {
      await second.admin.client.messages.send(conversation.id, { text: 'after restart' });
      await eventually(() => got.some((e) => e.type === 'message.created' && e.data.message.text === 'after restart'), 15_000, 'message after restart');
      const seqs = got.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect((await bob.client.messages.list(conversation.id)).messages.map((m) => m.text)).toEqual(['before restart', 'after restart']);
    } finally {
      sub.close();
      await second.close();
    }
  });
});
