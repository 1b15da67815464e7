/** Audit query, trace, checkpoints, keys and export through the API (AUD-1..3); denials; bad input. */
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFingerprint, verifyAuditExport, verifyCheckpoint } from '@conclave/crypto';
import type { AuditRecord } from '@conclave/protocol';
import type { ConclaveClient } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { searchAuditQuery } from '../src/modules/audit/audit.store';

describe.each(dialects())('audit API [%s]', (dialect) => {
  let t: TestServer;
  let auditor: TestUser;
  let member: TestUser;
  let security: TestUser;
  let conversationId: string;
  let messageId: string;
  const db = () => t.server.svc.database.db;
  const rows = (action: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
  const search = (c: ConclaveClient, query: Record<string, string | number> = {}) => c.http.request('searchAudit', { query: query as never });

  beforeAll(async () => {
    t = await startTestServer({ dialect, config: { auditExportMaxRows: 40 } });
    auditor = await t.createUser({ role: 'auditor', name: 'Auditor' });
    member = await t.createUser({ name: 'Member' });
    security = await t.createUser({ role: 'security_officer', name: 'Sec' });
    ({ conversation: { id: conversationId } } = await member.client.conversations.create({ kind: 'group', name: 'Traced' }));
    ({ message: { id: messageId } } = await member.client.messages.send(conversationId, { text: 'AUDIT-API-CANARY' }));
    await expectCode(member.client.users.create({ email: 'x@test.local', name: 'X', role: 'member' }), 'forbidden');
    // Enough rows for the export tests (they need more than auditExportMaxRows + 1).
    for (let i = 0; i < 20; i++) await member.client.messages.send(conversationId, { text: `filler ${i}` });
  });
  afterAll(async () => { await t?.close(); });

  it('searches by action, action prefix, actor, target and outcome, newest first', async () => {
    const created = (await search(auditor.client, { action: 'users.create' })).records;
    expect(created.length).toBeGreaterThanOrEqual(4);
    expect(created.every((r) => r.action === 'users.create')).toBe(true);
    expect(created.map((r) => r.seq)).toEqual([...created.map((r) => r.seq)].sort((a, b) => b - a));

    const auth = (await search(auditor.client, { action: 'auth.*', limit: 500 })).records;
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((r) => r.action.startsWith('auth.'))).toBe(true);
    expect(auth.some((r) => r.action === 'auth.login' && r.outcome === 'success')).toBe(true);

    const mine = (await search(auditor.client, { actor: member.user.id, limit: 500 })).records;
    expect(mine.map((r) => r.action)).toEqual(expect.arrayContaining(['conversations.create', 'messages.send', 'users.create']));
    expect(mine.every((r) => r.actorId === member.user.id)).toBe(true);

    const denied = (await search(auditor.client, { actor: member.user.id, outcome: 'denied' })).records;
    expect(denied.map((r) => [r.action, r.reason])).toContainEqual(['users.create', 'missing_permission:users.create']);

    const onMessage = (await search(auditor.client, { target: messageId })).records;
    expect(onMessage.map((r) => r.action)).toEqual(['messages.send']);
    expect(onMessage[0]).toMatchObject({ targetType: 'message', details: { conversationId }, actorType: 'user' });
    expect(JSON.stringify(await search(auditor.client, { limit: 500 }))).not.toContain('AUDIT-API-CANARY');
  });

  it('filters by time (ms or ISO-8601) and pages with a cursor without gaps or overlaps', async () => {
    const all = (await search(auditor.client, { limit: 500 })).records;
    const mid = all[Math.floor(all.length / 2)]!;
    const since = (await search(auditor.client, { from: String(mid.at), limit: 500 })).records;
    expect(since.every((r) => r.at >= mid.at)).toBe(true);
    const until = (await search(auditor.client, { to: new Date(mid.at).toISOString(), limit: 500 })).records;
    expect(until.every((r) => r.at <= mid.at)).toBe(true);
    expect(since.length + until.length).toBeGreaterThanOrEqual(all.length);

    const seen: AuditRecord[] = [];
    let cursor: string | null = null;
    do {
      const page: { records: AuditRecord[]; nextCursor: string | null } = await search(auditor.client, { limit: 3, action: 'users.create', ...(cursor ? { cursor } : {}) });
      expect(page.records.length).toBeLessThanOrEqual(3);
      seen.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor);
    const once = (await search(auditor.client, { action: 'users.create', limit: 500 })).records;
    expect(seen.map((r) => r.id)).toEqual(once.map((r) => r.id));
  });

  it('searches are themselves audited, with the filters and never the results', async () => {
    await search(auditor.client, { action: 'messages.send', target: messageId });
    const row = (await rows('audit.search')).filter((r) => r.actor_id === auditor.user.id).at(-1)!;
    expect(row.outcome).toBe('success');
    expect(JSON.parse(row.details)).toMatchObject({ filters: { action: 'messages.send', target: messageId }, results: 1 });
  });

  it('search filters are served by indexes (SQLite query plan)', async () => {
    if (dialect !== 'sqlite') return;
    const orgId = t.server.bootstrap.orgId;
    for (const f of [{ actorId: member.user.id }, { action: 'auth.login' }, { targetId: messageId }, { outcome: 'denied' }, { action: 'auth.', actionPrefix: true }, {}]) {
      const c = searchAuditQuery(db(), orgId, { ...f, limit: 10, beforeSeq: 1000 }).compile();
      const plan = await db().executeQuery(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${c.sql}`, [...c.parameters]));
      const text = JSON.stringify(plan.rows);
      expect(text, JSON.stringify(f)).toMatch(/USING (COVERING )?INDEX audit_/);
      expect(text).not.toMatch(/USE TEMP B-TREE/);
    }
  });

  it('traces every operation on a record: as target, as actor, or referred to in details', async () => {
    const trace = (await auditor.client.http.request('traceAudit', { params: { id: conversationId } })).records;
    expect(trace.map((r) => r.action)).toEqual(expect.arrayContaining(['conversations.create', 'messages.send']));
    expect(trace.some((r) => r.action === 'messages.send' && r.targetId === messageId)).toBe(true);
    const person = (await auditor.client.http.request('traceAudit', { params: { id: member.user.id }, query: { limit: 500 } })).records;
    expect(person.map((r) => r.action)).toEqual(expect.arrayContaining(['users.create', 'auth.login', 'messages.send']));
    const page = await auditor.client.http.request('traceAudit', { params: { id: member.user.id }, query: { limit: 2 } });
    expect(page.records).toHaveLength(2);
    const next = await auditor.client.http.request('traceAudit', { params: { id: member.user.id }, query: { limit: 500, cursor: page.nextCursor! } });
    expect(next.records.every((r) => r.seq < page.records[1]!.seq)).toBe(true);
    expect((await rows('audit.trace')).some((r) => r.target_id === conversationId && r.actor_id === auditor.user.id)).toBe(true);
  });

  it('shows the public key fingerprint and signed checkpoints that verify under it', async () => {
    const { keys } = await auditor.client.http.request('listAuditKeys');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ algorithm: 'Ed25519', current: true, fingerprint: publicKeyFingerprint(keys[0]!.publicKeyPem) });
    const made = await t.server.audit.checkpoints.checkpoint(t.server.bootstrap.orgId);
    expect(made).not.toBeNull();
    const { checkpoints, head } = await auditor.client.http.request('listAuditCheckpoints');
    expect(checkpoints[0]).toMatchObject({ count: Number(made!.count), headHash: made!.head_hash, keyFingerprint: keys[0]!.fingerprint });
    expect(verifyCheckpoint([keys[0]!.publicKeyPem], checkpoints[0])).toBe(true);
    expect(head.count).toBeGreaterThanOrEqual(checkpoints[0]!.count);
    // Nothing new since: no second checkpoint.
    expect(await t.server.audit.checkpoints.checkpoint(t.server.bootstrap.orgId)).toBeNull();
  });

  it('exports a range as signed JSON Lines that the offline verifier accepts; the export is audited', async () => {
    const { keys } = await auditor.client.http.request('listAuditKeys');
    await t.server.audit.checkpoints.checkpoint(t.server.bootstrap.orgId);
    const res = await auditor.client.http.request('exportAudit', { body: { fromSeq: 1, toSeq: 30 } });
    expect(res.manifest).toMatchObject({ format: 'conclave-audit-export', fromSeq: 1, toSeq: 30, count: 30, exportedBy: { actorType: 'user', actorId: auditor.user.id } });
    expect(res.filename).toMatch(/^conclave-audit-.*-1-30\.jsonl$/);
    const lines = res.jsonl.split('\n');
    expect(lines.filter(Boolean)).toHaveLength(31);
    const v = await verifyAuditExport(lines, { publicKeys: [keys[0]!.publicKeyPem] });
    expect(v).toMatchObject({ ok: true, rows: 30, lastSeq: 30 });
    const sub = await auditor.client.http.request('exportAudit', { body: { fromSeq: 11, toSeq: 20 } });
    expect(await verifyAuditExport(sub.jsonl.split('\n'), { publicKeys: [keys[0]!.publicKeyPem] })).toMatchObject({ ok: true, rows: 10 });
    const audited = (await rows('audit.export')).filter((r) => r.actor_id === auditor.user.id);
    expect(audited.map((r) => JSON.parse(r.details))).toContainEqual(expect.objectContaining({ fromSeq: 1, toSeq: 30, rows: 30, via: 'api' }));
    // Time ranges resolve to the seq range holding them.
    const first = (await db().selectFrom('audit_log').select(['at']).where('seq', '=', 5).executeTakeFirstOrThrow()).at;
    const byTime = await auditor.client.http.request('exportAudit', { body: { from: Number(first), to: Number(first) } });
    expect(byTime.manifest.fromSeq).toBeLessThanOrEqual(5);
    expect(await verifyAuditExport(byTime.jsonl.split('\n'), { publicKeys: [keys[0]!.publicKeyPem] })).toMatchObject({ ok: true });
  });

  it('bad input: malformed filters, absurd or unknown ranges are clear 4xx errors', async () => {
    const bad = async (query: Record<string, string | number>, field: string) => {
      const e = await expectCode(search(auditor.client, query), 'validation_failed');
      expect(e.status).toBe(400);
      expect(e.message).toContain(`query.${field}`);
    };
    await bad({ from: '2025-02-01', to: '2025-01-01' }, 'from');
    await bad({ cursor: 'abc' }, 'cursor');
    await bad({ cursor: '-1' }, 'cursor');
    await bad({ action: 'Auth.Login' }, 'action');
    await bad({ action: 'auth.*.x' }, 'action');
    await bad({ from: 'yesterday' }, 'from');
    await bad({ from: '2025-13-45' }, 'from');
    await bad({ to: '99999999999999999' }, 'to');
    await bad({ limit: 0 }, 'limit');
    await bad({ limit: 5000 }, 'limit');
    await bad({ outcome: 'maybe' }, 'outcome');
    await bad({ target: 'a b' }, 'target');
    await expectCode(search(auditor.client, { colour: 'red' }), 'validation_failed');

    const head = (await db().selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m;
    const exp = async (body: Record<string, number>, field: string) => {
      const e = await expectCode(auditor.client.http.request('exportAudit', { body }), 'validation_failed');
      expect(e.message).toContain(field);
    };
    await exp({ fromSeq: Number(head) + 100 }, 'body.fromSeq');
    await exp({ fromSeq: 1, toSeq: Number(head) + 100 }, 'body.toSeq');
    await exp({ fromSeq: 9, toSeq: 3 }, 'body.fromSeq');
    await exp({ fromSeq: 0 }, 'body.fromSeq');
    await exp({ from: 1, to: 2 }, 'body.from');
    await exp({ from: 10, to: 5 }, 'body.from');
    await exp({ fromSeq: 1, from: 5 }, 'body.from');
    const big = await expectCode(auditor.client.http.request('exportAudit', { body: { fromSeq: 1, toSeq: 41 } }), 'validation_failed');
    expect(big.details).toMatchObject({ maxRows: 40, rows: 41 });
    await expectCode(auditor.client.http.request('traceAudit', { params: { id: 'not an id!' } }), 'validation_failed');
  });

  it('every audit route is denied (403) without its permission, and the denial is audited', async () => {
    const denied = async (who: TestUser, p: Promise<unknown>, action: string, perm: string) => {
      const e = await expectCode(p, 'forbidden');
      expect(e.status).toBe(403);
      const r = (await rows(action)).filter((x) => x.actor_id === who.user.id && x.outcome === 'denied');
      expect(r.map((x) => x.reason), action).toContain(`missing_permission:${perm}`);
    };
    await denied(member, search(member.client), 'audit.search', 'audit.read');
    await denied(member, member.client.http.request('traceAudit', { params: { id: member.user.id } }), 'audit.trace', 'audit.read');
    await denied(member, member.client.http.request('listAuditCheckpoints'), 'audit.checkpoints', 'audit.read');
    await denied(member, member.client.http.request('listAuditKeys'), 'audit.keys', 'audit.read');
    await denied(security, security.client.http.request('exportAudit', { body: { fromSeq: 1, toSeq: 2 } }), 'audit.export', 'audit.export');
    await denied(t.admin, t.admin.client.http.request('exportAudit', {}), 'audit.export', 'audit.export');
    await denied(auditor, auditor.client.http.request('listAlerts'), 'alerts.list', 'alerts.manage');
    await denied(auditor, auditor.client.http.request('getAlert', { params: { id: messageId } }), 'alerts.read', 'alerts.manage');
    await denied(auditor, auditor.client.http.request('acknowledgeAlert', { params: { id: messageId } }), 'alerts.acknowledge', 'alerts.manage');
    // Admins do not read the audit log by default (separation of duties).
    const admin = await t.createUser({ role: 'admin', name: 'Plain admin' });
    await denied(admin, search(admin.client), 'audit.search', 'audit.read');
    await expectCode(security.client.http.request('getAlert', { params: { id: messageId } }), 'not_found');
  });

  it('an admin viewing a user\'s sessions is audited as a sensitive read', async () => {
    await t.admin.client.users.sessions(member.user.id);
    const r = (await rows('sessions.list_user')).filter((x) => x.actor_id === t.admin.user.id && x.outcome === 'success');
    expect(r.at(-1)).toMatchObject({ target_type: 'user', target_id: member.user.id });
  });
});
