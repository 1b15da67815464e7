/**
 * The audit log and security alerts screens of the admin console, against a really started
 * server (AUD-2, AUD-3, MON-1): an auditor searches, filters, pages, opens a record, sees the
 * chain status and exports a signed range (the API's row cap is shown as a clear error); the
 * owner reads the log but may not export; a security officer opens and acknowledges a
 * brute-force alert; a plain member sees none of it. Screenshots of both screens.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConclaveClient, type ConclaveClient as Client } from '@conclave/sdk';
import { ADMIN, screenshotPath, type RunningServer } from './harness';
import { signIn, newPage, startWebSuite, type WebServer, closeWebSuite, expectNoAdminConsole, screenshotOnFailure } from './web-support';

const PW = 'a-long-e2e-passphrase-1';
const EXPORT_MAX_ROWS = 20;

describe('web client: audit log and security alerts', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: Client;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite({
      CONCLAVE_ALERT_SCAN_SECONDS: '1', CONCLAVE_ALERT_BRUTE_FORCE_FAILURES: '3',
      CONCLAVE_AUDIT_CHECKPOINT_ROWS: '10', CONCLAVE_AUDIT_EXPORT_MAX_ROWS: String(EXPORT_MAX_ROWS),
    }));
    await admin.org.updateSettings({ name: 'Northwind Manufacturing', mfaRequiredRoles: [] });
    for (const [email, name, role] of [
      ['ada@e2e.local', 'Ada Byrne', 'auditor'], ['sol@e2e.local', 'Sol Reyes', 'security_officer'],
      ['dave@e2e.local', 'Dave Okafor', 'member'], ['erin@e2e.local', 'Erin Walsh', 'member'],
      ['li.na@e2e.local', '李娜', 'member'], ['marco@e2e.local', 'Marco Rossi', 'member'],
      ['priya@e2e.local', 'Priya Natarajan', 'member'], ['tom@e2e.local', 'Tom Becker', 'member'],
    ] as const) {
      await admin.users.create({ email, name, role, password: PW });
    }
    // Enough history that the log pages ("Load older") and a default export exceeds the cap.
    for (let i = 0; i < 45; i++) await admin.conversations.create({ kind: 'channel', name: `project-${i}` });
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin], web, server }));

  afterEach(async (ctx) => screenshotOnFailure(ctx.task.result?.state, contexts, 'admin-audit'));

  const page = (): Promise<Page> => newPage(browser, contexts);

  const chatReady = (p: Page) => p.getByRole('navigation', { name: 'Conversations' }).waitFor();
  const adminNav = (p: Page) => p.getByRole('navigation', { name: 'Administration' });
  const rowActions = (p: Page) => p.getByTestId('audit-table').locator('tr.audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));

  it('a plain member sees no admin entries at all', async () => {
    const d = await page();
    await signIn(d, web.url, 'dave@e2e.local', PW);
    await expectNoAdminConsole(d, web.url, '/admin/audit');
    expect(await d.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
    expect(await d.getByTestId('audit-table').count()).toBe(0);
  });

  it('the owner reads the audit log but has no export', async () => {
    const a = await page();
    await signIn(a, web.url, ADMIN.email, ADMIN.password);
    await chatReady(a);
    await a.goto(web.url + '/admin/audit');
    await a.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
    await a.getByTestId('audit-table').locator('tr.audit-row').first().waitFor();
    await a.getByLabel('Action').fill('users.*');
    await a.getByRole('button', { name: 'Apply filters' }).click();
    await a.getByTestId('audit-table').locator('tr[data-action="users.create"]', { hasText: 'Erin Walsh' }).waitFor();
    expect(await a.getByTestId('audit-export').count()).toBe(0);
    // Owners hold audit.read but not alerts.manage.
    expect(await adminNav(a).getByRole('link', { name: 'Security alerts' }).count()).toBe(0);
    expect(await adminNav(a).getByRole('link', { name: 'Users' }).count()).toBe(1);
  });

  it('an auditor filters, pages, opens a record, sees the chain status and exports a signed range', async () => {
    const auditor = new ConclaveClient({ baseUrl: server.url });
    await auditor.login('ada@e2e.local', PW);
    const { keys } = await auditor.http.request('listAuditKeys');

    const p = await page();
    await signIn(p, web.url, 'ada@e2e.local', PW);
    await chatReady(p);
    await p.getByRole('button', { name: 'Northwind Manufacturing' }).click();
    await p.getByRole('menuitem', { name: 'Admin console' }).click();
    // The auditor's console opens on the audit log; user management is not theirs.
    await p.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
    expect(await adminNav(p).getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await adminNav(p).getByRole('link', { name: 'Security alerts' }).count()).toBe(0);

    const table = p.getByTestId('audit-table');
    // Paging: the 50 newest records, then older ones.
    await expect.poll(() => table.locator('tr.audit-row').count()).toBe(50);
    await p.getByRole('button', { name: 'Load older' }).click();
    await expect.poll(() => table.locator('tr.audit-row').count()).toBeGreaterThan(50);
    // Real records: the owner created Erin.
    const erinRow = table.locator('tr[data-action="users.create"]', { hasText: 'Erin Walsh' });
    await erinRow.waitFor();

    // Chain status: the current key's fingerprint and a signed checkpoint.
    const current = keys.find((k) => k.current)!;
    await expect.poll(() => p.getByTestId('audit-key-fingerprint').getAttribute('title')).toBe(current.fingerprint);
    await expect.poll(() => p.getByTestId('audit-checkpoint').textContent()).toMatch(/\d+ rows/);
    expect(await p.getByTestId('audit-verify-command').textContent()).toContain('conclave audit verify');

    // Export of everything listed exceeds the API's cap: the reason is shown, not swallowed.
    await p.getByTestId('audit-export').click();
    const err = p.getByTestId('audit-export-error');
    await err.waitFor();
    expect(await err.textContent()).toContain(`at most ${EXPORT_MAX_ROWS}`);

    // A filter narrows the table: only sign-ins.
    await p.getByLabel('Action').fill('auth.*');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(async () => { const a = await rowActions(p); return a.length > 0 && a.every((x) => x?.startsWith('auth.')); }).toBe(true);

    // Then only user creations, which fit in one export.
    await p.getByLabel('Action').fill('users.create');
    await p.getByLabel('Outcome').selectOption('success');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(async () => { const a = await rowActions(p); return a.length >= 8 && a.every((x) => x === 'users.create'); }).toBe(true);

    // A record's full detail: its details JSON and hashes.
    await erinRow.getByRole('button', { name: /Details of row/ }).click();
    const detail = p.getByTestId('audit-detail');
    await detail.waitFor();
    const json = JSON.parse((await detail.getByTestId('audit-details-json').textContent())!) as Record<string, unknown>;
    expect(json).toMatchObject({ role: 'member' });

    const downloading = p.waitForEvent('download');
    await p.getByTestId('audit-export').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.jsonl$/);
    const file = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    const manifest = JSON.parse(file[0]) as { format: string; count: number; key: { fingerprint: string } };
    expect(manifest.format).toBe('conclave-audit-export');
    expect(manifest.key.fingerprint).toBe(current.fingerprint);
    expect(file.length).toBe(manifest.count + 1);
    await p.getByTestId('audit-export-done').waitFor();
    // A taller window so the screenshot holds the chain status, filters and an open record.
    await p.setViewportSize({ width: 1360, height: 1240 });
    await p.evaluate(() => document.getElementById('page-main')?.scrollTo(0, 0));
    await p.screenshot({ path: screenshotPath('web-admin-audit') });
    await p.setViewportSize({ width: 1360, height: 860 });

    // Trace every operation on Erin from the record.
    await detail.getByRole('button', { name: 'Every operation on this target' }).click();
    await p.getByText('Every operation on', { exact: false }).first().waitFor();
    await expect.poll(() => table.locator('tr.audit-row').count()).toBeGreaterThan(0);
    auditor.close();
  });

  it('a security officer opens and acknowledges a brute-force alert', async () => {
    // Three wrong passwords for Erin: the brute-force rule (threshold 3) fires within seconds.
    const guesser = new ConclaveClient({ baseUrl: server.url });
    for (let i = 0; i < 3; i++) await guesser.login('erin@e2e.local', `wrong-guess-${i}-xxxxxxxx`).catch(() => undefined);
    guesser.close();
    const sol = new ConclaveClient({ baseUrl: server.url });
    await sol.login('sol@e2e.local', PW);
    await expect.poll(async () => (await sol.http.request('listAlerts', { query: { rule: 'brute_force' } })).alerts.length, { timeout: 20_000 }).toBeGreaterThan(0);
    sol.close();

    const p = await page();
    await signIn(p, web.url, 'sol@e2e.local', PW);
    await chatReady(p);
    await p.goto(web.url + '/admin/alerts');
    await p.getByRole('heading', { name: 'Security alerts', level: 2 }).waitFor();
    // Security officers also read the audit log, but do not manage users.
    expect(await adminNav(p).getByRole('link', { name: 'Audit log' }).count()).toBe(1);
    expect(await adminNav(p).getByRole('link', { name: 'Users' }).count()).toBe(0);

    const item = p.getByTestId('alerts-list').locator('li[data-rule="brute_force"]').first();
    await item.waitFor();
    expect(await item.textContent()).toContain('Erin Walsh');
    expect(await item.locator('.badge', { hasText: 'High' }).count()).toBe(1);
    await p.screenshot({ path: screenshotPath('web-admin-alerts') });

    await item.getByRole('button', { name: 'Open', exact: true }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByTestId('alert-detail').waitFor();
    await expect.poll(() => dialog.getByTestId('alert-records').locator('tr[data-action="auth.login"]').count()).toBeGreaterThanOrEqual(3);
    await p.screenshot({ path: screenshotPath('web-admin-alert-detail') });
    await dialog.getByLabel(/Note/).fill('Erin mistyped after a password change; confirmed by phone.');
    await dialog.getByTestId('acknowledge').click();
    await dialog.locator('.badge', { hasText: 'Acknowledged' }).waitFor();
    await dialog.getByText('confirmed by phone').waitFor();
    await p.keyboard.press('Escape');

    await p.getByRole('radio', { name: 'Acknowledged' }).click();
    await p.getByTestId('alerts-list').locator('li[data-rule="brute_force"][data-status="acknowledged"]').first().waitFor();
  });

  it('the audit log and alerts read in Simplified Chinese', async () => {
    const p = await page();
    await signIn(p, web.url, 'sol@e2e.local', PW);
    await chatReady(p);
    await p.evaluate(() => localStorage.setItem('conclave.lang', 'zh-CN'));
    await p.goto(web.url + '/admin/audit');
    await p.getByRole('heading', { name: '审计日志', level: 2 }).waitFor();
    await p.getByTestId('audit-table').locator('tr.audit-row').first().waitFor();
    await p.getByRole('button', { name: '应用筛选' }).waitFor();
    await p.screenshot({ path: screenshotPath('web-admin-audit-zh') });
    await p.goto(web.url + '/admin/alerts');
    await p.getByRole('heading', { name: '安全告警', level: 2 }).waitFor();
    await p.getByRole('radio', { name: '全部' }).click();
    await p.getByTestId('alerts-list').locator('li').first().waitFor();
    await p.screenshot({ path: screenshotPath('web-admin-alerts-zh') });
  });
});
