/** The server serves the built web client from its own origin (INT-3, OPS-1): SPA fallback, caching, CSP, no escapes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@conclave/testkit';

function rawGet(url: string, rawPath: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.end(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let out = '';
    s.on('data', (d) => { out += String(d); });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('web client served by the server', () => {
  let t: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Conclave</title><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
    fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    fs.writeFileSync(path.join(os.tmpdir(), 'conclave-web-secret.txt'), 'outside the web dir');
    t = await startTestServer({ config: { webDir: dir } });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, with a strict CSP and no framing', async () => {
    for (const p of ['/', '/c/01HXYZ', '/admin/users', '/settings/security']) {
      const res = await fetch(t.url + p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('<div id="root">');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('serves hashed assets with immutable caching and the service worker without', async () => {
    const js = await fetch(`${t.url}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log("app")');
    const sw = await fetch(`${t.url}/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers misses under /api and missing files with a JSON not_found, never the app', async () => {
    for (const p of ['/api/v1/no-such-thing', '/api', '/logo-missing.png', '/assets/gone.js']) {
      const res = await fetch(t.url + p);
      expect(res.status, p).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('never serves a file outside the web directory', async () => {
    for (const p of ['/../conclave-web-secret.txt', '/%2e%2e/conclave-web-secret.txt', '/assets/..%2f..%2fconclave-web-secret.txt', '/..%5cconclave-web-secret.txt']) {
      const res = await rawGet(t.url, p);
      expect(res, p).not.toContain('outside the web dir');
      expect(res, p).toMatch(/^HTTP\/1\.1 (200|400|404)/);
    }
  });

  it('shows a status page explaining how to build the client when it is missing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-noweb-'));
    const s = await startTestServer({ config: { webDir: empty } });
    try {
      const res = await fetch(`${s.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('npm run build:web');
      expect((await fetch(`${s.url}/c/x`)).status).toBe(404);
    } finally {
      await s.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
