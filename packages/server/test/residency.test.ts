/**
 * Data residency (GOV-4): with the default configuration the server opens no connection to
 * anything but loopback — through login, messaging, files, search, audit checkpoints, alert
 * scans and a retention run. An integration an admin configures is listed, and
 * CONCLAVE_OUTBOUND_BLOCK stops it from calling out even though its URL is set.
 */
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@conclave/protocol';
import { uploadFile } from '@conclave/sdk';
import { dialects, eventually, expectCode, startTestServer, type TestServer } from '@conclave/testkit';

/**
 * Every host the process tries to connect to: net sockets (pg, ioredis, ws, clamd) by wrapping
 * Socket#connect, and fetch (undici, which has its own socket plumbing) by its diagnostics channel.
 */
const attempts: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const onFetchConnect = (m: unknown) => { attempts.push((m as { connectParams: { hostname: string } }).connectParams.hostname); };
function recordConnections(): void {
  dc.subscribe('undici:client:beforeConnect', onFetchConnect);
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; path?: string } | number | string;
    const host = typeof first === 'object' && first !== null ? (first.path ? `unix:${first.path}` : first.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
    attempts.push(host);
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
}
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.0\.0\.1|unix:.*)$/;

const TEST_NET = 'http://203.0.113.7:8999/hook'; // RFC 5737 TEST-NET-3: never a real host (and not a port fetch refuses)

function fakeAlert(): Alert {
  return {
    id: '01J00000000000000000000000', rule: 'brute_force', severity: 'high', subject: 'user', summary: 'test', details: {},
    rowIds: [], rowSeqs: [], triggerSeq: 1, triggerAt: 0, createdAt: 0, status: 'open', acknowledgedBy: null, acknowledgedAt: null, note: null,
  } as unknown as Alert;
}

describe.each(dialects())('data residency (GOV-4) [%s]', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    recordConnections();
    t = await startTestServer({ dialect, config: { retentionIntervalMs: 0 } });
  });
  afterAll(async () => {
    net.Socket.prototype.connect = originalConnect;
    dc.unsubscribe('undici:client:beforeConnect', onFetchConnect);
    await t?.close();
  });
  afterEach(() => {
    attempts.length = 0;
  });

  it('makes no outbound connection in normal use with the default configuration', async () => {
    const alice = await t.createUser({ name: 'Alice' });
    const officer = await t.createUser({ name: 'Olga', role: 'compliance_officer' });
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Residency', memberIds: [officer.user.id] });
    await alice.client.messages.send(conversation.id, { text: 'stays here' });
    const file = await uploadFile(alice.client, conversation.id, 'local.txt', new TextEncoder().encode('local bytes'));
    await alice.client.messages.send(conversation.id, { text: 'file', fileIds: [file.id] });
    await alice.client.http.request('search', { query: { q: 'stays' } });
    await t.server.audit.checkpoints.checkpoint(t.server.bootstrap.orgId);
    await t.server.audit.alerts.tick();
    await officer.client.governance.startRun();
    await t.server.governance.retention.idle(t.server.bootstrap.orgId);
    expect(await t.server.audit.webhook.send(t.server.bootstrap.orgId, fakeAlert())).toBe(false);

    expect(attempts.length).toBeGreaterThan(0); // the recorder works: the SDK's own calls are in it
    expect(attempts.filter((h) => !LOOPBACK.test(h))).toEqual([]);
    const { destinations } = await officer.client.governance.outbound();
    expect(destinations.filter((d) => d.kind === 'integration')).toEqual([]);
    if (dialect === 'postgres') expect(destinations.map((d) => d.name)).toContain('database');
  });

  it('lists a configured integration and CONCLAVE_OUTBOUND_BLOCK keeps it from calling out', async () => {
    const blocked = await startTestServer({ dialect, config: { retentionIntervalMs: 0, alerts: { ...t.config.alerts, webhookUrl: TEST_NET }, outboundBlock: ['alert_webhook'] } });
    try {
      const { destinations } = await blocked.admin.client.governance.outbound();
      expect(destinations.find((d) => d.name === 'alert_webhook')).toMatchObject({ kind: 'integration', target: 'http://203.0.113.7:8999', blocked: true, setting: 'CONCLAVE_ALERT_WEBHOOK_URL' });
      attempts.length = 0;
      expect(await blocked.server.audit.webhook.send(blocked.server.bootstrap.orgId, fakeAlert())).toBe(false);
      expect(attempts.filter((h) => h === '203.0.113.7')).toEqual([]);
      // A member may not see the deployment's integrations.
      const m = await blocked.createUser();
      await expectCode(m.client.governance.outbound(), 'forbidden');
    } finally {
      await blocked.close();
    }
  });

  it('without the block the same setting does call out (the recorder sees it)', async () => {
    // Another port per dialect: fetch keeps connections alive, so a second run would reuse the first's.
    const url = TEST_NET.replace('8999', dialect === 'sqlite' ? '8997' : '8998');
    const open = await startTestServer({ dialect, config: { retentionIntervalMs: 0, alerts: { ...t.config.alerts, webhookUrl: url } } });
    try {
      expect((await open.admin.client.governance.outbound()).destinations.find((d) => d.name === 'alert_webhook')?.blocked).toBe(false);
      attempts.length = 0;
      void open.server.audit.webhook.send(open.server.bootstrap.orgId, fakeAlert());
      await eventually(() => attempts.includes('203.0.113.7'), 5_000, 'the webhook to connect');
    } finally {
      await open.close();
    }
  });
});
