/**
 * Security keys in the web client (IAM-1) against a really started server, with Chromium's
 * virtual authenticator (CDP WebAuthn domain, CTAP2 over USB, user verification on): a user
 * registers a key in Settings → Security (shown recovery codes once), renames it, signs out,
 * signs in with password + security key (offered first), sees "last used", and removes it
 * after a confirmation. Screenshots: e2e/screenshots/web-settings-security-keys.png and
 * web-login-security-key.png.
 *
 * WebAuthn needs a secure context whose host is a valid RP ID: the page is opened at
 * http://localhost:<port>, the origin the server defaults to (CONCLAVE_WEBAUTHN_ORIGIN unset).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { ConclaveClient } from '@conclave/sdk';
import { ADMIN, screenshotPath, type RunningServer } from './harness';
import { closeWebSuite, newPage, screenshotOnFailure, signIn, startWebSuite, type WebServer } from './web-support';

const PW = 'a-long-e2e-passphrase-1';
const ORG = 'Northwind Manufacturing';

/** A virtual CTAP2 security key on `page`'s tab that answers every prompt at once (presence and verification simulated). */
async function addVirtualKey(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

async function credentialsOn(key: { cdp: CDPSession; authenticatorId: string }) {
  return (await key.cdp.send('WebAuthn.getCredentials', { authenticatorId: key.authenticatorId })).credentials;
}

describe('web client: security keys (IAM-1)', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: ConclaveClient;
  let url: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite());
    url = web.url.replace('127.0.0.1', 'localhost');
    await admin.org.updateSettings({ name: ORG });
    await admin.users.create({ email: 'kim@e2e.local', name: 'Kim Park', role: 'member', password: PW });
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin], web, server }));

  afterEach(async (ctx) => screenshotOnFailure(ctx.task.result?.state, contexts, 'webauthn'));

  const chatReady = (p: Page) => p.getByRole('navigation', { name: 'Conversations' }).waitFor();

  it('registers a key in Settings, signs in with password + key, renames and removes it', async () => {
    const page = await newPage(browser, contexts);
    const key = await addVirtualKey(page);
    await signIn(page, url, 'kim@e2e.local', PW);
    await chatReady(page);

    // Register: name, password, the (virtual) key answers; recovery codes are shown once.
    await page.goto(url + '/settings/security');
    const card = page.locator('.card', { has: page.getByTestId('security-keys') });
    await card.getByText('No security keys yet.').waitFor();
    await card.getByRole('button', { name: 'Add security key' }).click();
    await card.getByLabel('Key name').fill('YubiKey 5C NFC');
    await card.getByLabel('Your password').fill(PW);
    await card.getByRole('button', { name: 'Register key' }).click();
    await card.getByTestId('recovery-codes').waitFor();
    const codes = await card.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await card.getByLabel('I have saved my recovery codes').check();
    await card.getByRole('button', { name: 'Continue' }).click();
    const row = card.getByTestId('security-key-row');
    await expect.poll(() => row.count()).toBe(1);
    await row.getByText('YubiKey 5C NFC').waitFor();
    await row.getByText('Not used yet').waitFor();
    expect(await credentialsOn(key)).toHaveLength(1);

    // Rename in place.
    await row.getByRole('button', { name: 'Rename: YubiKey 5C NFC' }).click();
    await row.getByLabel('New name for YubiKey 5C NFC').fill('Desk key');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Desk key').waitFor();

    // Sign out and back in: the security key is offered first.
    await page.getByRole('button', { name: 'Back to chat' }).click();
    await chatReady(page);
    await page.getByRole('button', { name: ORG }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await signIn(page, url, 'kim@e2e.local', PW);
    await page.getByRole('heading', { name: 'Use your security key' }).waitFor();
    await page.getByRole('button', { name: 'Use your authenticator app instead' }).count().then((n) => expect(n).toBe(0)); // no TOTP on this account
    await page.getByRole('button', { name: 'Use a recovery code instead' }).waitFor();
    await page.screenshot({ path: screenshotPath('web-login-security-key') });
    await page.getByRole('button', { name: 'Use security key' }).click();
    await chatReady(page);
    const counter = (await credentialsOn(key))[0]!.signCount;
    expect(counter).toBeGreaterThanOrEqual(1);

    // The session passed MFA with the key; Settings shows when the key was last used.
    await page.goto(url + '/settings/sessions');
    await page.locator('.session-row', { hasText: 'This device' }).getByText('Verified').waitFor();
    await page.goto(url + '/settings/security');
    await card.getByTestId('security-key-row').getByText(/Last used/).waitFor();
    await expect.poll(() => page.locator('.card', { hasText: 'Two-step verification' }).first().locator('.badge').first().textContent()).toContain('Off');
    await card.screenshot({ path: screenshotPath('web-settings-security-keys') });

    // Remove, after a confirmation.
    await card.getByRole('button', { name: 'Remove: Desk key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this security key?' });
    await dialog.getByText('“Desk key” will no longer verify your sign-ins.', { exact: false }).waitFor();
    await dialog.getByTestId('confirm-remove-key').click();
    await card.getByText('No security keys yet.').waitFor();
    expect(await card.getByTestId('security-key-row').count()).toBe(0);
  });

  it('a role that requires MFA can enrol a security key instead of TOTP at first sign-in', async () => {
    await admin.org.updateSettings({ mfaRequiredRoles: ['auditor'] });
    await admin.users.create({ email: 'ivy@e2e.local', name: 'Ivy Chen', role: 'auditor', password: PW });
    const page = await newPage(browser, contexts);
    await addVirtualKey(page);
    await signIn(page, url, 'ivy@e2e.local', PW);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page.getByRole('button', { name: 'Use a security key instead' }).click();
    await page.getByLabel('Key name').fill('Laptop fingerprint');
    await page.screenshot({ path: screenshotPath('web-mfa-enrol-security-key') });
    await page.getByRole('button', { name: 'Register key' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await chatReady(page);

    await page.getByRole('button', { name: ORG }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await signIn(page, url, 'ivy@e2e.local', PW);
    await page.getByRole('button', { name: 'Use security key' }).click();
    await chatReady(page);

    // Ivy lost her key: an administrator resets her second factors in Users. Her open tab is
    // signed out at once, and her role makes her enrol again at the next sign-in.
    const adminPage = await newPage(browser, contexts);
    await signIn(adminPage, url, ADMIN.email, ADMIN.password);
    await chatReady(adminPage);
    await adminPage.goto(url + '/admin/users');
    await adminPage.locator('tr', { hasText: 'ivy@e2e.local' }).getByTestId('reset-mfa').click();
    const confirm = adminPage.getByRole('dialog', { name: 'Reset the second factors of Ivy Chen?' });
    await confirm.getByTestId('confirm-reset-mfa').click();
    await adminPage.getByText('The second factors of Ivy Chen were reset (security keys removed: 1)', { exact: false }).waitFor();
    await adminPage.screenshot({ path: screenshotPath('web-admin-reset-mfa') });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    await signIn(page, url, 'ivy@e2e.local', PW);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
  });
});
