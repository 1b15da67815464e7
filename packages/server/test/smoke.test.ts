import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, startTestServer, type TestServer } from '@conclave/testkit';

describe.each(dialects())('smoke (MSG-1) [%s]', (dialect) => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ dialect }); });
  afterAll(async () => { await t?.close(); });

  it('admin creates a user, they DM and the message round-trips', async () => {
    const bob = await t.createUser({ name: 'Bob' });
    const { conversation } = await t.admin.client.conversations.create({ kind: 'dm', memberIds: [bob.user.id] });
    const { message } = await t.admin.client.messages.send(conversation.id, { text: 'hello bob' });
    expect(message.text).toBe('hello bob');
    const { messages } = await bob.client.messages.list(conversation.id);
    expect(messages.map((m) => m.text)).toEqual(['hello bob']);
  });
});
