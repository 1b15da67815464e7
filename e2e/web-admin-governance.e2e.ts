/**
 * Admin → Governance and Settings → My data against a really started server (GOV-1..3):
 * a compliance officer sets a legal minimum and retention policies (and sees the server's
 * warning), explains which retention applies to a conversation, places and releases a legal
 * hold, runs retention and opens the signed receipt of the completed run; a plain member asks
 * for a data export in "My data", and the officer finds it in the queue (deciding without an
 * MFA session is refused, with the reason shown); a plain member sees no Governance at all.
 * Screenshots of the governance page and of My data, in English and in Chinese.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConclaveClient, type ConclaveClient as Client } from '@conclave/sdk';
import { screenshotPath, type RunningServer } from './harness';
import { signIn, newPage, startWebSuite, type WebServer, closeWebSuite, expectNoAdminConsole, screenshotOnFailure } from './web-support';

const PW = 'a-long-e2e-passphrase-1';
const OFFICER = 'cora@e2e.local';
const MEMBER = 'dave@e2e.local';

describe('web client: governance console and My data', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: Client;
  let officer: Client;
  let channelId = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // No scheduled run: the only runs are the ones the test starts.
    ({ server, web, browser, admin } = await startWebSuite({ CONCLAVE_RETENTION_INTERVAL_HOURS: '0' }));
    await admin.org.updateSettings({ name: 'Northwind Manufacturing', mfaRequiredRoles: [] });
    for (const [email, name, role] of [
      [OFFICER, 'Cora Lindqvist', 'compliance_officer'], [MEMBER, 'Dave Okafor', 'member'], ['li.na@e2e.local', '李娜', 'member'],
    ] as const) {
      await admin.users.create({ email, name, role, password: PW });
    }
    officer = new ConclaveClient({ baseUrl: server.url });
    await officer.login(OFFICER, PW);
    const { conversation } = await officer.conversations.create({ kind: 'channel', name: 'atlas-launch' });
    channelId = conversation.id;
    await officer.messages.send(channelId, { text: 'Launch checklist for Atlas' });
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin, officer], web, server }));

  afterEach(async (ctx) => screenshotOnFailure(ctx.task.result?.state, contexts, 'admin-governance'));

  const page = (): Promise<Page> => newPage(browser, contexts);
  const chatReady = (p: Page) => p.getByRole('navigation', { name: 'Conversations' }).waitFor();
  const adminNav = (p: Page) => p.getByRole('navigation', { name: 'Administration' });
  const govNav = (p: Page) => p.getByRole('navigation', { name: 'Governance' });

  it('a plain member sees no Governance section', async () => {
    const d = await page();
    await signIn(d, web.url, MEMBER, PW);
    await expectNoAdminConsole(d, web.url, '/admin/governance');
    expect(await d.getByRole('heading', { name: 'Governance' }).count()).toBe(0);
  });

  it('a compliance officer sets retention, explains it, holds, runs retention and reads the receipt', async () => {
    const p = await page();
    await signIn(p, web.url, OFFICER, PW);
    await chatReady(p);
    await p.getByRole('button', { name: 'Northwind Manufacturing' }).click();
    await p.getByRole('menuitem', { name: 'Admin console' }).click();
    await adminNav(p).getByRole('link', { name: 'Governance' }).click();
    await p.getByRole('heading', { name: 'Governance', level: 2 }).waitFor();
    // Officers hold every governance permission; user management is not theirs.
    for (const tab of ['Retention', 'Legal holds', 'Receipts', 'Data-subject requests', 'eDiscovery']) expect(await govNav(p).getByRole('link', { name: tab }).count()).toBe(1);
    expect(await adminNav(p).getByRole('link', { name: 'Users' }).count()).toBe(0);

    // A legal minimum for "secret", then an organisation-wide policy below it: saved, with the server's warning.
    const minimums = p.getByTestId('minimums-table');
    await minimums.getByLabel('New legal minimum for secret, in days').fill('3650');
    await minimums.locator('tr[data-level="secret"]').getByRole('button', { name: 'Set' }).click();
    await p.getByText('Legal minimum for secret: 3,650 days.').waitFor();
    await expect.poll(() => minimums.locator('tr[data-level="secret"]').textContent()).toContain('3,650 days');

    await p.getByTestId('policy-add').click();
    let form = p.getByTestId('policy-form');
    await form.getByLabel('Delete content older than').fill('365');
    await form.getByTestId('policy-save').click();
    const saved = p.getByTestId('policy-saved');
    await saved.waitFor();
    expect(await saved.textContent()).toContain('legal minimum of 3650 days');
    await p.getByTestId('policies-table').locator('tr[data-scope="org"]', { hasText: '365 days' }).waitFor();

    // A channel policy: more specific, so it wins for the channel.
    await p.getByTestId('policy-add').click();
    form = p.getByTestId('policy-form');
    await form.getByLabel('Scope').selectOption('kind');
    await form.getByLabel('Conversation kind').selectOption('channel');
    await form.getByLabel('Delete content older than').fill('30');
    await form.getByTestId('policy-save').click();
    await p.getByTestId('policies-table').locator('tr[data-scope="kind"][data-target="channel"]', { hasText: '30 days' }).waitFor();

    // Explain: which retention applies to #atlas-launch, and why.
    await p.getByTestId('explain-conversation').fill(channelId);
    await p.getByTestId('explain-submit').click();
    const explained = p.getByTestId('explain-result');
    await explained.waitFor();
    expect(await explained.getByTestId('explain-days').textContent()).toBe('30 days');
    expect(await explained.getByTestId('explain-text').textContent()).toContain('The kind policy (channel) applies: delete after 30 days');
    expect(await explained.locator('tr[data-outcome="applies"]').textContent()).toContain('Kind policy');
    expect(await explained.locator('tr[data-outcome="overridden"]').count()).toBeGreaterThanOrEqual(1);
    expect(await explained.textContent()).toContain('atlas-launch');

    await p.setViewportSize({ width: 1360, height: 1500 });
    await p.evaluate(() => document.getElementById('page-main')?.scrollTo(0, 0));
    await p.screenshot({ path: screenshotPath('web-admin-governance') });
    await p.setViewportSize({ width: 1360, height: 860 });

    // Place a custodian hold on Dave, picked by email, then release it with a reason.
    await govNav(p).getByRole('link', { name: 'Legal holds' }).click();
    await p.getByTestId('hold-create').click();
    const hold = p.getByTestId('hold-form');
    await hold.getByLabel('Name').fill('Okafor v. Northwind');
    await hold.getByTestId('hold-custodian').locator('input').fill(MEMBER);
    await hold.getByTestId('hold-custodian').getByRole('button', { name: 'Add' }).click();
    await hold.getByText('Dave Okafor · dave@e2e.local').waitFor();
    await hold.getByLabel('Reason').fill('Employment claim filed 2026-03');
    await p.screenshot({ path: screenshotPath('web-admin-governance-hold') });
    await hold.getByTestId('hold-submit').click();
    await p.getByTestId('hold-notice').getByText('Hold “Okafor v. Northwind” placed.').waitFor();
    const item = p.getByTestId('holds-list').locator('li[data-hold="Okafor v. Northwind"]');
    expect(await item.textContent()).toContain('Dave Okafor');
    expect(await item.getAttribute('data-active')).toBe('true');
    await item.getByRole('button', { name: 'Release “Okafor v. Northwind”' }).click();
    const dialog = p.getByRole('dialog');
    expect(await dialog.getByTestId('hold-release-confirm').isDisabled()).toBe(true);
    await dialog.getByLabel('Reason for releasing').fill('Claim settled');
    await dialog.getByTestId('hold-release-confirm').click();
    await p.getByTestId('hold-notice').getByText('Hold “Okafor v. Northwind” released.').waitFor();
    await p.getByRole('radio', { name: /Released/ }).click();
    const released = p.getByTestId('holds-list').locator('li[data-hold="Okafor v. Northwind"][data-active="false"]');
    await released.waitFor();
    expect(await released.textContent()).toContain('Claim settled');

    // Run retention now: the run shows, completes, and its receipt opens as signed JSON.
    await govNav(p).getByRole('link', { name: 'Retention' }).click();
    await p.getByTestId('retention-preview').click();
    await p.getByTestId('preview-result').waitFor();
    await p.getByTestId('retention-run').click();
    const run = p.getByTestId('runs-table').locator('tr[data-status="completed"]').first();
    await run.waitFor({ timeout: 30_000 });
    await run.getByTestId('run-receipt').click();
    const receipt = p.getByRole('dialog');
    await receipt.getByTestId('receipt-detail').waitFor();
    const json = JSON.parse((await receipt.getByTestId('receipt-json').textContent())!) as { receipt: { type: string; kind: string; status: string }; signature: string };
    expect(json.receipt).toMatchObject({ type: 'conclave.deletion-receipt', kind: 'retention', status: 'completed' });
    expect(json.signature.length).toBeGreaterThan(40);
    expect(await receipt.textContent()).toContain('conclave governance verify-receipt');
    const downloading = p.waitForEvent('download');
    await receipt.getByTestId('receipt-download').click();
    expect((await downloading).suggestedFilename()).toBe('receipt.json');
    await p.screenshot({ path: screenshotPath('web-admin-governance-receipt') });
    await p.keyboard.press('Escape');

    // The receipt is listed under Receipts too.
    await govNav(p).getByRole('link', { name: 'Receipts' }).click();
    await p.getByTestId('receipts-table').locator('tr', { hasText: 'Retention run' }).first().waitFor();

    // An eDiscovery export for Dave: requested from the form, listed with its status.
    await govNav(p).getByRole('link', { name: 'eDiscovery' }).click();
    await p.getByTestId('ed-create').click();
    const ed = p.getByTestId('ed-form');
    await ed.getByLabel('Matter').fill('Okafor v. Northwind');
    await ed.getByTestId('ed-custodians').locator('input').fill(MEMBER);
    await ed.getByTestId('ed-custodians').getByRole('button', { name: 'Add' }).click();
    await ed.getByLabel('From').fill('2026-01-01');
    await ed.getByTestId('ed-submit').click();
    await p.getByTestId('ed-notice').waitFor();
    const x = p.getByTestId('ed-list').locator('li[data-matter="Okafor v. Northwind"]');
    await x.waitFor();
    expect(['ready', 'pending_approval']).toContain(await x.getAttribute('data-status'));
    expect(await x.textContent()).toContain('Dave Okafor');
    await p.screenshot({ path: screenshotPath('web-admin-governance-ediscovery') });
    if (await x.getAttribute('data-status') === 'ready') {
      // The package goes to its requester once, as a zip.
      const zip = p.waitForEvent('download');
      await x.getByTestId('ed-download').click();
      expect((await zip).suggestedFilename()).toMatch(/\.zip$/);
      await p.getByTestId('ed-list').locator('li[data-matter="Okafor v. Northwind"][data-status="downloaded"]').waitFor();
    }
  });

  it('a member asks for a data export in My data; the officer sees it in the queue', async () => {
    const d = await page();
    await signIn(d, web.url, MEMBER, PW);
    await chatReady(d);
    await d.goto(web.url + '/settings/my-data');
    await d.getByRole('heading', { name: 'My data', level: 2, exact: true }).waitFor();
    await d.getByTestId('start-export').click();
    await d.getByTestId('note-export').fill('Everything since I joined, please.');
    await d.getByTestId('submit-export').click();
    await d.getByTestId('mydata-notice').waitFor();
    const mine = d.getByTestId('mydata-requests').locator('li[data-kind="export"][data-status="open"]');
    await mine.waitFor();
    expect(await mine.getByTestId('dsar-history').textContent()).toContain('Opened');
    // A second export while this one is open is not offered.
    await d.getByTestId('ask-export').getByText('You already have an open request of this kind.').waitFor();
    await d.screenshot({ path: screenshotPath('web-my-data') });

    const p = await page();
    await signIn(p, web.url, OFFICER, PW);
    await chatReady(p);
    await p.goto(web.url + '/admin/governance/requests');
    const row = p.getByTestId('dsar-table').locator('tr[data-kind="export"][data-status="open"]', { hasText: 'Dave Okafor' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Open the request of Dave Okafor' }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByTestId('dsar-detail').waitFor();
    expect(await dialog.textContent()).toContain('Everything since I joined, please.');
    // Deciding needs an MFA session; this one has none: the refusal says so.
    await dialog.getByTestId('dsar-reason').fill('Identity verified by phone');
    await dialog.getByTestId('dsar-approve').click();
    const err = dialog.getByTestId('dsar-decide-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('two-step verification');
    await p.screenshot({ path: screenshotPath('web-admin-governance-dsar') });
    await p.keyboard.press('Escape');
    await p.getByTestId('dsar-alerts-empty').waitFor();
  });

  it('the governance page and My data read in Simplified Chinese', async () => {
    const p = await page();
    await signIn(p, web.url, OFFICER, PW);
    await chatReady(p);
    await p.evaluate(() => localStorage.setItem('conclave.lang', 'zh-CN'));
    await p.goto(web.url + '/admin/governance/retention');
    await p.getByRole('heading', { name: '数据治理', level: 2 }).waitFor();
    await p.getByTestId('runs-table').locator('tr[data-status="completed"]').first().waitFor();
    await p.getByText('法定最短保留期').first().waitFor();
    await p.getByTestId('explain-conversation').fill(channelId);
    await p.getByTestId('explain-submit').click();
    await p.getByTestId('explain-result').waitFor();
    await p.setViewportSize({ width: 1360, height: 1500 });
    await p.screenshot({ path: screenshotPath('web-admin-governance-zh') });
    await p.setViewportSize({ width: 1360, height: 860 });
    await p.goto(web.url + '/admin/governance/requests');
    await p.getByTestId('dsar-table').locator('tr', { hasText: 'Dave Okafor' }).waitFor();
    await p.screenshot({ path: screenshotPath('web-admin-governance-dsar-zh') });

    const d = await page();
    await signIn(d, web.url, MEMBER, PW);
    await chatReady(d);
    await d.evaluate(() => localStorage.setItem('conclave.lang', 'zh-CN'));
    await d.goto(web.url + '/settings/my-data');
    await d.getByRole('heading', { name: '我的数据', level: 2, exact: true }).waitFor();
    await d.getByTestId('mydata-requests').locator('li').first().waitFor();
    await d.getByTestId('start-erasure').click();
    await d.getByTestId('note-erasure').waitFor();
    await d.screenshot({ path: screenshotPath('web-my-data-zh') });
  });
});
