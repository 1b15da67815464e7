/** Contract checks: every route declares auth + action (rule 1); ERRORS.md matches the code table (rule 4); OpenAPI; ops endpoints (MON-2). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, endpoints } from '@conclave/protocol';
import { startTestServer, type TestServer } from '@conclave/testkit';

const root = path.resolve(__dirname, '../../..');

describe('contract', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer(); });
  afterAll(async () => { await t?.close(); });

  it('every route declares auth and an action name, and every endpoint has a route (rule 1)', () => {
    for (const r of t.server.routes) {
      expect(['none', 'session', 'mfa'], `${r.endpoint} auth`).toContain(r.auth);
      expect(r.action, `${r.endpoint} action`).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
    }
    expect(t.server.routes.map((r) => r.endpoint).sort()).toEqual(Object.keys(endpoints).sort());
    // Only login, and signed file links (the signature is the credential; access re-checked per use), are reachable without a session.
    expect(t.server.routes.filter((r) => r.auth === 'none').map((r) => r.endpoint).sort()).toEqual(['login', 'useFileLink']);
  });

  it('every authenticated route refuses a request without a token (deny by default)', async () => {
    for (const r of t.server.routes.filter((x) => x.auth !== 'none')) {
      const ep = endpoints[r.endpoint];
      const url = t.url + ep.path.replace(/:(\w+)/g, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
      const res = await fetch(url, { method: ep.method, headers: { 'content-type': 'application/json' }, body: ['GET', 'DELETE'].includes(ep.method) ? undefined : '{}' });
      expect(res.status, `${ep.method} ${ep.path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });

  it('docs/ERRORS.md lists exactly the codes in the protocol, with their statuses (rule 4)', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/ERRORS.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.status])));
  });

  it('serves an OpenAPI document generated from the protocol', async () => {
    const doc = await (await fetch(`${t.url}/api/v1/openapi.json`)).json() as { openapi: string; paths: Record<string, Record<string, { operationId: string; 'x-conclave-auth': string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(endpoints).sort());
    expect(doc.paths['/api/v1/conversations/{id}/messages']!.post!['x-conclave-auth']).toBe('session');
  });

  it('health, readiness and Prometheus metrics (MON-2)', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    await t.admin.client.me.get();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/conclave_http_requests_total\{method="GET",route="\/api\/v1\/me",status="200"\} \d+/);
    expect(metrics).toContain('conclave_http_request_duration_seconds_bucket');
    expect(metrics).toContain('conclave_ws_connections');
    expect(metrics).toContain('conclave_ws_deliveries_total');
  });

  it('unknown routes, bad JSON, invalid UTF-8 and wrong content types are clear 4xx errors', async () => {
    const auth = { authorization: `Bearer ${t.admin.client.token}` };
    const post = (body: BodyInit, type = 'application/json') => fetch(`${t.url}/api/v1/conversations`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
    const codes = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    expect(await codes(await fetch(`${t.url}/api/v1/nope`))).toEqual([404, 'not_found']);
    expect(await codes(await post('{"kind":'))).toEqual([400, 'bad_request']);
    expect(await codes(await post(Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])))).toEqual([400, 'bad_request']);
    expect(await codes(await post('kind=dm', 'application/x-www-form-urlencoded'))).toEqual([415, 'unsupported_media_type']);
    expect(await codes(await post(JSON.stringify({ kind: 'dm', extra: 1 })))).toEqual([400, 'validation_failed']);
    const big = await post(JSON.stringify({ kind: 'group', name: 'x'.repeat(3 * 1024 * 1024) }));
    expect(await codes(big)).toEqual([413, 'payload_too_large']);
    const bad = await post(JSON.stringify({ kind: 'group', name: 42 }));
    const body = await bad.json() as { error: { message: string; details: { issues: Array<{ path: string }> } } };
    expect(body.error.message).toContain('body.name');
    expect(body.error.details.issues[0]!.path).toBe('body.name');
  });
});
