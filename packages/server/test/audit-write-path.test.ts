/** The write path (rule 3, AUD-1): every write audited in the same transaction, denials too, append-only. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowHash, GENESIS_HASH } from '@conclave/crypto';
import { dialects, startTestServer, type TestServer } from '@conclave/testkit';

describe.each(dialects())('audit write path (AUD-1) [%s]', (dialect) => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ dialect }); });
  afterAll(async () => { await t?.close(); });
  const rows = () => t.server.svc.database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();

  it('records who, what, when, where and outcome for writes, and nothing of the content', async () => {
    const bob = await t.createUser();
    const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'Audited' });
    const { message } = await bob.client.messages.send(conversation.id, { text: 'AUDIT-CANARY-SECRET' });
    const all = await rows();
    const send = all.find((r) => r.action === 'messages.send' && r.target_id === message.id)!;
    expect(send).toMatchObject({ actor_type: 'user', actor_id: bob.user.id, outcome: 'success', target_type: 'message', ip: '127.0.0.1' });
    expect(send.session_id).toBeTruthy();
    expect(send.user_agent).toBeTruthy();
    expect(JSON.stringify(all)).not.toContain('AUDIT-CANARY-SECRET');
    expect(JSON.stringify(all)).not.toContain(bob.password);
  });

  it('a failed write leaves no partial change and is audited with its reason', async () => {
    const bob = await t.createUser();
    const before = await t.server.svc.database.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await bob.client.conversations.create({ kind: 'group', name: 'Bad', memberIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] }).catch(() => null);
    const after = await t.server.svc.database.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const failed = (await rows()).filter((r) => r.action === 'conversations.create' && r.actor_id === bob.user.id);
    expect(failed.map((r) => [r.outcome, r.reason])).toEqual([['denied', 'unknown_or_inactive_user']]);
  });

  it('hostile text in audit details (a lone surrogate) is recorded as U+FFFD, never losing the row', async () => {
    const { systemActor } = await import('../src/kernel/actor');
    await t.server.svc.runner.run(systemActor(t.server.bootstrap.orgId, 'test'), 'test.lone_surrogate', { details: { field: 'a\uD800b', nested: { list: ['\uDC00'] } } }, async () => undefined);
    const row = (await rows()).find((r) => r.action === 'test.lone_surrogate')!;
    expect(JSON.parse(row.details)).toEqual({ field: 'a\uFFFDb', nested: { list: ['\uFFFD'] } });
  });

  it('rows form a hash chain from genesis', async () => {
    const all = await rows();
    let prev = GENESIS_HASH;
    all.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      expect(r.prev_hash).toBe(prev);
      const { hash, prev_hash, ...rest } = r;
      expect(auditRowHash(rest, prev_hash)).toBe(hash);
      prev = hash;
    });
  });

  it('the audit table rejects UPDATE and DELETE at the database level', async () => {
    const db = t.server.svc.database.db;
    await expect(sql`UPDATE audit_log SET outcome = 'success'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect((await rows()).length).toBeGreaterThan(0);
  });
});
