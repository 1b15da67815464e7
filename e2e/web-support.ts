/**
 * Support for the web client's e2e suites. The server itself serves packages/web/dist (with its
 * SPA fallback and Content-Security-Policy), so the browser talks to one real loopback origin,
 * exactly as in production.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ConclaveClient } from '@conclave/sdk';
import { ADMIN, ROOT, launchBrowser, screenshotPath, startServer, type RunningServer } from './harness';

export const DIST = path.join(ROOT, 'packages/web/dist');

/** Builds the web client once per run, before the server starts (skip with CONCLAVE_WEB_PREBUILT=1 when dist is fresh). */
export function buildWeb(): void {
  if (process.env.CONCLAVE_WEB_PREBUILT === '1' && fs.existsSync(path.join(DIST, 'index.html'))) return;
  // The production build users get from `npm start`: under vitest NODE_ENV is "test", which made
  // the JSX transform emit its development form (larger, slower; the size figure was 252.6 KB
  // against 188.6 KB for the real build).
  execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
}

export interface WebServer { url: string; close(): Promise<void> }

/** The web client's origin: the server itself; fails loudly if it serves the status page instead. */
export async function serveWeb(serverUrl: string): Promise<WebServer> {
  const html = await (await fetch(serverUrl + '/c/check')).text();
  if (!html.includes('id="root"')) throw new Error('the server does not serve the web client: build it (npm run build:web) before starting the server');
  return { url: serverUrl, close: async () => undefined };
}

export interface WebSuite { server: RunningServer; web: WebServer; browser: Browser; admin: ConclaveClient }

/** What every web suite starts with: a fresh build, a server (with `env`) serving it, Chromium, and the admin's SDK client. */
export async function startWebSuite(env: Record<string, string> = {}): Promise<WebSuite> {
  buildWeb();
  const server = await startServer(env);
  const web = await serveWeb(server.url);
  const browser = await launchBrowser();
  const admin = await adminClient(server.url);
  return { server, web, browser, admin };
}

/** A page in a fresh context (see webContext), remembered in `contexts` for clean-up and failure screenshots. */
export async function newPage(browser: Browser, contexts: BrowserContext[], opts: { locale?: string } = {}): Promise<Page> {
  const ctx = await webContext(browser, opts);
  contexts.push(ctx);
  return ctx.newPage();
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

/** On a failed test, keeps what each open tab showed (e2e/screenshots/failed-<prefix>-N.png). */
export async function screenshotOnFailure(state: string | undefined, contexts: BrowserContext[], prefix: string): Promise<void> {
  if (state !== 'fail') return;
  let i = 0;
  for (const c of contexts) for (const p of c.pages()) await p.screenshot({ path: screenshotPath(`failed-${prefix}-${i++}`) }).catch(() => undefined);
}

/** Closes what a web suite opened, in order, ignoring what is already gone. */
export async function closeWebSuite(parts: { contexts: BrowserContext[]; browser?: Browser; clients?: (ConclaveClient | undefined)[]; web?: WebServer; server?: { stop(): Promise<void> } }): Promise<void> {
  for (const c of parts.contexts) await c.close().catch(() => undefined);
  await parts.browser?.close();
  for (const c of parts.clients ?? []) c?.close();
  await parts.web?.close();
  await parts.server?.stop();
}

/**
 * Asserts that the signed-in person on `page` has no "Admin console" entry in the org menu and
 * that opening `adminPath` directly lands back on the chat (the console is hidden, the server
 * refuses its calls anyway).
 */
export async function expectNoAdminConsole(page: Page, webUrl: string, adminPath: string, orgName = 'Northwind Manufacturing'): Promise<void> {
  const chatReady = () => page.getByRole('navigation', { name: 'Conversations' }).waitFor();
  await chatReady();
  await page.getByRole('button', { name: orgName }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
  expect(await page.getByRole('menuitem', { name: 'Admin console' }).count()).toBe(0);
  await page.keyboard.press('Escape');
  await page.goto(webUrl + adminPath);
  await chatReady();
}
