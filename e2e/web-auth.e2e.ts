/**
 * Sign-in and administration in the web client against a really started server (IAM-1,
 * IAM-3, ACL-3, ACL-5): an admin creates a user in the console, who signs in with the one-time
 * password, must choose a password and enrol TOTP (QR + recovery codes), then signs in with a
 * code; an admin deactivates a signed-in user, whose open tab returns to the sign-in screen;
 * a guest sees no directory; screenshots of the console and settings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConclaveClient, type ConclaveClient as Client } from '@conclave/sdk';
import { totpCode } from '@conclave/server';
import { ADMIN, screenshotPath, type RunningServer } from './harness';
import { signIn, newPage, startWebSuite, type WebServer, closeWebSuite, screenshotOnFailure } from './web-support';

const PW = 'a-long-e2e-passphrase-1';

describe('web client: sign-in and administration', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: Client;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite());
    await admin.org.updateSettings({ name: 'Northwind Manufacturing', mfaRequiredRoles: ['owner', 'security_officer'] });
    for (const [email, name, role] of [
      ['dave@e2e.local', 'Dave Okafor', 'member'], ['erin@e2e.local', 'Erin Walsh', 'member'],
      ['li.na@e2e.local', '李娜', 'compliance_officer'], ['sam@e2e.local', 'Sam Rivera', 'admin'],
    ] as const) {
      await admin.users.create({ email, name, role, password: PW });
    }
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin], web, server }));

  afterEach(async (ctx) => screenshotOnFailure(ctx.task.result?.state, contexts, 'auth'));

  const page = (): Promise<Page> => newPage(browser, contexts);

  const chatReady = (p: Page) => p.getByRole('navigation', { name: 'Conversations' }).waitFor();

  it('a new user signs in with a one-time password, sets a password, enrols TOTP, then signs in with a code', async () => {
    // The bootstrap owner must enrol MFA too now (mfaRequiredRoles includes owner): do it through the SDK.
    const enrol = await admin.auth.totp.enroll();
    await admin.auth.totp.confirm(totpCode(enrol.secret));
    const adminSecret = enrol.secret;

    const a = await page();
    await signIn(a, web.url, ADMIN.email, ADMIN.password);
    await a.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await a.screenshot({ path: screenshotPath('web-login-code') });
    await a.getByLabel('Authentication code').fill(totpCode(adminSecret, Date.now() + 30_000));
    await a.getByRole('button', { name: 'Verify' }).click();
    await chatReady(a);

    // Create Carol in the console; the one-time password is shown once.
    await a.goto(web.url + '/admin/users');
    await a.getByRole('button', { name: 'Add user' }).click();
    const dialog = a.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Carol Nguyen');
    await dialog.getByLabel('Email').fill('carol@e2e.local');
    await dialog.getByLabel('Role').selectOption('security_officer');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const otp = (await a.getByTestId('one-time-password').textContent())!.trim();
    expect(otp.length).toBeGreaterThan(8);
    await a.getByRole('button', { name: 'Done' }).click();
    await a.locator('tr[data-user-email="carol@e2e.local"]').waitFor();
    await a.screenshot({ path: screenshotPath('web-admin-users') });

    const c = await page();
    await c.goto(web.url + '/');
    await c.screenshot({ path: screenshotPath('web-login') });
    await signIn(c, web.url, 'carol@e2e.local', otp);
    await c.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await c.getByLabel('New password', { exact: true }).fill('Mango-Harbour-Velvet-2026!');
    await c.getByLabel('Confirm new password').fill('Mango-Harbour-Velvet-2026!');
    await c.getByRole('button', { name: 'Set password and continue' }).click();

    await c.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await c.getByTestId('totp-qr').waitFor();
    await c.screenshot({ path: screenshotPath('web-mfa-enrol') });
    const secret = (await c.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await c.getByLabel('6-digit code').fill(totpCode(secret));
    await c.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const codes = await c.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(codes.length).toBeGreaterThanOrEqual(8);
    await c.getByLabel('I have saved my recovery codes').check();
    await c.getByRole('button', { name: 'Continue' }).click();
    await chatReady(c);

    // Sign out, and back in with a TOTP code (the next time step: the enrolment used this one).
    await c.getByRole('button', { name: 'Northwind Manufacturing' }).click();
    await c.getByRole('menuitem', { name: 'Sign out' }).click();
    await signIn(c, web.url, 'carol@e2e.local', 'Mango-Harbour-Velvet-2026!');
    await c.getByLabel('Authentication code').fill(totpCode(secret, Date.now() + 30_000));
    await c.getByRole('button', { name: 'Verify' }).click();
    await chatReady(c);

    await c.goto(web.url + '/settings/security');
    await c.getByRole('heading', { name: 'Security', exact: true, level: 2 }).waitFor();
    await expect.poll(() => c.locator('.card', { hasText: 'Two-step verification' }).locator('.badge').textContent()).toContain('On');
    await c.screenshot({ path: screenshotPath('web-settings') });
    await c.goto(web.url + '/settings/sessions');
    await c.locator('.session-row').first().waitFor();
    await c.screenshot({ path: screenshotPath('web-settings-sessions') });

    await a.goto(web.url + '/admin/health');
    await expect.poll(() => a.locator('.chart').count(), { timeout: 20_000 }).toBe(6);
    await a.screenshot({ path: screenshotPath('web-admin-health') });
  });

  it('deactivating a user signs their open tab out within seconds', async () => {
    const d = await page();
    await signIn(d, web.url, 'dave@e2e.local', PW);
    await chatReady(d);

    const sam = await page();
    await signIn(sam, web.url, 'sam@e2e.local', PW);
    await chatReady(sam);
    await sam.goto(web.url + '/admin/users');
    const row = sam.locator('tr[data-user-email="dave@e2e.local"]');
    await row.getByTestId('deactivate').click();
    await sam.getByTestId('confirm-deactivate').click();
    const started = Date.now();
    await d.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(5000);
    await d.getByText('You were signed out').waitFor();
    await row.locator('.badge', { hasText: 'Deactivated' }).waitFor();
  });

  it('a guest sees no directory, and conversations with guests are marked external', async () => {
    const { user: guest } = await admin.users.create({ email: 'gina@supplier.example', name: 'Gina (Supplier)', role: 'guest', password: PW });
    const erin = new ConclaveClient({ baseUrl: server.url });
    await erin.login('erin@e2e.local', PW);
    const { conversation } = await erin.conversations.create({ kind: 'group', name: 'supplier-portal', memberIds: [guest.id] });
    expect(conversation).toBeTruthy();

    const g = await page();
    await signIn(g, web.url, 'gina@supplier.example', PW);
    await chatReady(g);
    await g.getByRole('heading', { level: 1, name: 'supplier-portal' }).waitFor();
    // The directory shows only people the guest already shares a conversation with.
    await g.keyboard.press('Control+k');
    await g.getByTestId('switcher-input').fill('Dave');
    await g.getByText('Nothing matches.').waitFor();
    await g.keyboard.press('Escape');
    if (await g.getByRole('button', { name: 'New message' }).count()) {
      await g.getByRole('button', { name: 'New message' }).click();
      const picker = g.getByRole('listbox', { name: 'People' });
      await picker.getByText('Erin Walsh').waitFor();
      expect(await picker.locator('.picker-name').allTextContents()).toEqual(['Erin Walsh']);
      await g.screenshot({ path: screenshotPath('web-guest-directory') });
      await g.keyboard.press('Escape');
    }

    const e = await page();
    await signIn(e, web.url, 'erin@e2e.local', PW);
    await chatReady(e);
    await e.locator('.conv-item', { hasText: 'supplier-portal' }).click();
    const header = e.locator('.conv-header');
    await header.locator('.badge', { hasText: 'External' }).waitFor();
    erin.close();
  });
});
