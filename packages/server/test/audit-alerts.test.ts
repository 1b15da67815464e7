/**
 * Security alert rules over the audit stream (MON-1, CC-6): for each rule, activity through
 * the SDK that triggers it and activity that does not. The rules engine is ticked by hand
 * (its job interval is set to an hour). Alerts reach security officers through the API and
 * the event stream (WS/sync), can be acknowledged, name the rows that triggered them, and
 * are posted to a webhook when one is configured.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertRule } from '@conclave/protocol';
import { ConclaveClient } from '@conclave/sdk';
import { loadConfig } from '@conclave/server';
import { dialects, expectCode, startTestServer, USER_PASSWORD, type TestServer, type TestUser } from '@conclave/testkit';

const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123';

describe.each(dialects())('security alerts (MON-1) [%s]', (dialect) => {
  let t: TestServer;
  let security: TestUser;
  let hook: http.Server;
  const posted: Array<{ body: string; signature: string | undefined }> = [];

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => { posted.push({ body, signature: req.headers['x-conclave-signature'] as string | undefined }); res.end('ok'); });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const defaults = loadConfig({}, { dataDir: '/tmp' }).alerts;
    t = await startTestServer({
      dialect,
      config: {
        trustProxy: true,
        alerts: {
          ...defaults, scanIntervalMs: 3_600_000, bruteForceFailures: 3, privilegeProbes: 3, exportRows: 20, downloads: 1000,
          timeZone: 'UTC', businessDays: [0, 1, 2, 3, 4, 5, 6], businessHours: { start: 0, end: 24 },
          webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`, webhookSecret: WEBHOOK_SECRET,
        },
      },
    });
    security = await t.createUser({ role: 'security_officer', name: 'Sec' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => hook.close(r));
  });

  /** A client whose requests come from `ip` (the server trusts X-Forwarded-For here). */
  const from = (ip: string) => new ConclaveClient({
    baseUrl: t.url,
    fetch: (url, init) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': ip } }),
  });
  const scan = () => t.server.audit.alerts.tick();
  const alertsOf = async (rule: AlertRule, subject?: string): Promise<Alert[]> =>
    (await security.client.http.request('listAlerts', { query: { rule, limit: 500 } })).alerts.filter((a) => subject === undefined || a.subject === subject);
  const loginFrom = async (u: TestUser, ip: string) => { await from(ip).login(u.user.email, USER_PASSWORD); };
  const failLogins = async (u: TestUser, ip: string, n: number) => {
    for (let i = 0; i < n; i++) await expectCode(from(ip).login(u.user.email, 'wrong-password-guess-1234'), 'invalid_credentials').catch(() => undefined);
  };

  it('brute_force: N failed logins for one account within the window alert; fewer do not', async () => {
    const victim = await t.createUser();
    const other = await t.createUser();
    await failLogins(victim, '198.51.100.7', 3);
    await failLogins(other, '198.51.100.8', 2);
    await scan();
    const [a] = await alertsOf('brute_force', victim.user.id);
    expect(a).toMatchObject({ severity: 'high', status: 'open', details: { failures: 3, threshold: 3 } });
    expect(a!.rowIds).toHaveLength(3);
    expect(await alertsOf('brute_force', other.user.id)).toEqual([]);
    // The alert names the audit rows that triggered it, and they are the failed logins.
    const { records } = await security.client.http.request('getAlert', { params: { id: a!.id } });
    expect(records.map((r) => [r.action, r.outcome, r.targetId, r.ip])).toEqual(Array(3).fill(['auth.login', 'denied', victim.user.id, '198.51.100.7']));
  });

  it('new_network: a login from a network the user never used alerts; a known network does not', async () => {
    const u = await t.createUser(); // first login from 127.0.0.1 is the baseline
    const v = await t.createUser();
    await loginFrom(u, '10.20.30.40');
    await loginFrom(v, '127.0.0.1');
    await scan();
    const [a] = await alertsOf('new_network', u.user.id);
    expect(a).toMatchObject({ details: { ip: '10.20.30.40', network: '10.20.30.0/24', knownNetworks: ['127.0.0.0/24'] } });
    expect(await alertsOf('new_network', v.user.id)).toEqual([]);
  });

  it('impossible_travel: logins from two IP regions within the window alert; a new network in the same region does not', async () => {
    const u = await t.createUser();
    const v = await t.createUser();
    await loginFrom(u, '203.0.113.5');
    await loginFrom(v, '127.0.9.1'); // another /24, same /16 region
    await scan();
    const [a] = await alertsOf('impossible_travel', u.user.id);
    expect(a).toMatchObject({ severity: 'high', details: { from: { region: '127.0.0.0/16' }, to: { ip: '203.0.113.5', region: '203.0.0.0/16' } } });
    expect(a!.rowIds).toHaveLength(2);
    expect(await alertsOf('impossible_travel', v.user.id)).toEqual([]);
    expect(await alertsOf('new_network', v.user.id)).toHaveLength(1);
  });

  it('bulk_export: exports above the row threshold alert (CC-6); a small export does not', async () => {
    const big = await t.createUser({ role: 'auditor' });
    const small = await t.createUser({ role: 'auditor' });
    await big.client.http.request('exportAudit', { body: { fromSeq: 1, toSeq: 25 } });
    await small.client.http.request('exportAudit', { body: { fromSeq: 1, toSeq: 5 } });
    await scan();
    const [a] = await alertsOf('bulk_export', big.user.id);
    expect(a).toMatchObject({ details: { exportedRows: 25, exportThreshold: 20 } });
    expect(await alertsOf('bulk_export', small.user.id)).toEqual([]);
  });

  it('off_hours_admin: an admin change outside business hours alerts; inside them it does not', async () => {
    const dayAdmin = await t.createUser({ role: 'admin' });
    const nightAdmin = await t.createUser({ role: 'admin' });
    const someone = await t.createUser();
    await dayAdmin.client.users.update(someone.user.id, { name: 'Renamed by day' });
    await scan();
    expect(await alertsOf('off_hours_admin', dayAdmin.user.id)).toEqual([]);
    const alerts = t.server.svc.config.alerts;
    const saved = alerts.businessDays;
    alerts.businessDays = []; // every hour is now outside business hours
    try {
      await nightAdmin.client.users.update(someone.user.id, { name: 'Renamed at night' });
      await scan();
    } finally {
      alerts.businessDays = saved;
    }
    const [a] = await alertsOf('off_hours_admin', nightAdmin.user.id);
    expect(a).toMatchObject({ severity: 'low', details: { action: 'users.update', timeZone: 'UTC' } });
    expect(await alertsOf('off_hours_admin', dayAdmin.user.id)).toEqual([]);
  });

  it('privilege_escalation: a privileged role grant and repeated refused privileged actions alert; ordinary changes do not', async () => {
    const promoted = await t.createUser();
    const demoted = await t.createUser({ role: 'auditor' });
    await t.admin.client.users.update(promoted.user.id, { role: 'security_officer' });
    await t.admin.client.users.update(demoted.user.id, { role: 'member' });
    const prober = await t.createUser();
    const curious = await t.createUser();
    for (let i = 0; i < 3; i++) await expectCode(prober.client.users.create({ email: `p${i}@test.local`, name: 'P', role: 'admin' }), 'forbidden');
    await expectCode(curious.client.users.create({ email: 'c@test.local', name: 'C', role: 'member' }), 'forbidden');
    await scan();
    const grants = await alertsOf('privilege_escalation', promoted.user.id);
    expect(grants.map((a) => a.details)).toEqual([expect.objectContaining({ kind: 'privileged_grant', role: 'security_officer', grantedBy: t.admin.user.id })]);
    expect(await alertsOf('privilege_escalation', demoted.user.id)).toEqual([]);
    const [probe] = await alertsOf('privilege_escalation', prober.user.id);
    expect(probe).toMatchObject({ details: { kind: 'probing', denials: 3, threshold: 3 } });
    expect(await alertsOf('privilege_escalation', curious.user.id)).toEqual([]);
  });

  it('a re-scan raises nothing twice; alerts reach security officers as events and are acknowledged once', async () => {
    const before = (await security.client.http.request('listAlerts', { query: { limit: 500 } })).alerts.length;
    await scan();
    const list = await security.client.http.request('listAlerts', { query: { limit: 500 } });
    expect(list.alerts).toHaveLength(before);
    expect(list.scannedThrough).toBeGreaterThan(0);

    const page = await security.client.sync(0, 1000);
    const events = page.events.filter((e) => e.type === 'alert.created');
    expect(events.length).toBe(before);

    const target = list.alerts[0]!;
    const ack = await security.client.http.request('acknowledgeAlert', { params: { id: target.id }, body: { note: 'looked into it' } });
    expect(ack.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: security.user.id, note: 'looked into it' });
    await expectCode(security.client.http.request('acknowledgeAlert', { params: { id: target.id } }), 'conflict');
    expect((await security.client.http.request('listAlerts', { query: { status: 'open', limit: 500 } })).alerts.map((a) => a.id)).not.toContain(target.id);
    // Acknowledging is audited.
    const rows = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'alerts.acknowledge').execute();
    expect(rows.map((r) => [r.actor_id, r.target_id, r.outcome])).toContainEqual([security.user.id, target.id, 'success']);
  });

  it('each alert is posted to the configured webhook, signed with HMAC-SHA256', async () => {
    const ids = (await security.client.http.request('listAlerts', { query: { limit: 500 } })).alerts.map((a) => a.id);
    const deadline = Date.now() + 5_000;
    while (posted.length < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(posted.map((p) => (JSON.parse(p.body) as { alert: Alert }).alert.id).sort()).toEqual([...ids].sort());
    for (const p of posted) expect(p.signature).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(p.body).digest('hex')}`);
  });
});
