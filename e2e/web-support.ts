/**
 * Support for the web client's e2e suites. Until the server serves packages/web/dist itself,
 * `serveWeb` stands in for it: a loopback HTTP server that answers with the built files (and
 * dist/index.html for client routes like /c/…: the SPA fallback) and passes /api (WebSocket
 * upgrades included), /healthz, /readyz and /metrics through to the real server. A real
 * loopback origin matters: Chromium's local-network-access checks block a WebSocket to
 * 127.0.0.1 from a document Playwright fulfilled itself.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConclaveClient } from '@conclave/sdk';
import { ADMIN, ROOT } from './harness';

export const DIST = path.join(ROOT, 'packages/web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.png': 'image/png', '.woff2': 'font/woff2',
};

/** Builds the web client once per run (skip with CONCLAVE_WEB_PREBUILT=1 when dist is fresh). */
export function buildWeb(): void {
  if (process.env.CONCLAVE_WEB_PREBUILT === '1' && fs.existsSync(path.join(DIST, 'index.html'))) return;
  execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'ignore' });
}

function isServerPath(p: string): boolean {
  return p.startsWith('/api/') || p === '/healthz' || p === '/readyz' || p === '/metrics';
}

export interface WebServer { url: string; close(): Promise<void> }

/** Serves dist with an SPA fallback and proxies the server's paths (HTTP and WebSocket) to `serverUrl`. */
export async function serveWeb(serverUrl: string): Promise<WebServer> {
  const target = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  const srv = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (isServerPath(pathname)) {
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
      req.pipe(up);
      return;
    }
    const file = path.join(DIST, path.normalize(decodeURIComponent(pathname)));
    const isFile = file.startsWith(DIST) && fs.existsSync(file) && fs.statSync(file).isFile();
    const chosen = isFile ? file : path.join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(chosen)] ?? 'application/octet-stream', 'cache-control': isFile && pathname.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-cache' });
    fs.createReadStream(chosen).pipe(res);
  });
  srv.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  srv.on('upgrade', (req, socket, head) => {
    const up = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i].toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    sockets.add(up);
    up.on('close', () => { sockets.delete(up); socket.destroy(); });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); srv.close(() => resolve()); }),
  };
}

/** A fresh browser context (own storage, IndexedDB and cookies): one person on one device. */
export async function webContext(browser: Browser, opts: { locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1360, height: 860 }, locale: opts.locale ?? 'en-GB', timezoneId: 'Europe/London',
    // Tests load a fresh build each run; the PWA shell cache is not what they test.
    serviceWorkers: 'block',
  });
}

/** Signs in through the UI and waits for the chat (sidebar) to show. */
export async function signIn(page: Page, serverUrl: string, email: string, password: string): Promise<void> {
  await page.goto(serverUrl + '/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** An SDK client logged in as the bootstrap admin, for arranging fixtures the way a user would. */
export async function adminClient(serverUrl: string): Promise<ConclaveClient> {
  const c = new ConclaveClient({ baseUrl: serverUrl });
  await c.login(ADMIN.email, ADMIN.password);
  return c;
}
