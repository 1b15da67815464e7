/**
 * The access-control section of the admin console against a really started server (ACL-1..5,
 * GOV-6): the owner builds the department tree (sub-department, manager, external isolation),
 * edits a confidentiality level's policies, applies an industry preset after confirming, and
 * reads the role table; each change is checked through the SDK. A plain member never sees the
 * section. Screenshots of the departments, levels, presets and roles screens.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ConclaveClient as Client } from '@conclave/sdk';
import { ADMIN, screenshotPath, type RunningServer } from './harness';
import { signIn, newPage, startWebSuite, type WebServer, closeWebSuite, expectNoAdminConsole, screenshotOnFailure } from './web-support';

const PW = 'a-long-e2e-passphrase-1';

describe('web client: access control', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: Client;
  const contexts: BrowserContext[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite());
    await admin.org.updateSettings({ name: 'Northwind Manufacturing', mfaRequiredRoles: [] });
    const dept = async (name: string, parentId: string | null = null) =>
      (await admin.http.request('createDepartment', { body: { name, parentId } })).department.id;
    ids.engineering = await dept('Engineering');
    ids.platform = await dept('Platform', ids.engineering);
    ids.mobile = await dept('Mobile apps', ids.engineering);
    ids.sales = await dept('Sales');
    for (const [email, name, role, depts] of [
      ['ada@e2e.local', 'Ada Byrne', 'admin', [ids.engineering, ids.platform]],
      ['dave@e2e.local', 'Dave Okafor', 'member', [ids.platform]],
      ['erin@e2e.local', 'Erin Walsh', 'member', [ids.mobile]],
      ['li.na@e2e.local', '李娜', 'member', [ids.sales]],
      ['marco@e2e.local', 'Marco Rossi', 'member', [ids.sales]],
    ] as const) {
      const { user } = await admin.users.create({ email, name, role, password: PW, departmentIds: [...depts] });
      ids[email] = user.id;
    }
    await admin.http.request('updateDepartment', { params: { id: ids.engineering }, body: { managerId: ids['ada@e2e.local'] } });
    await admin.http.request('updateDepartment', { params: { id: ids.sales }, body: { managerId: ids['marco@e2e.local'] } });
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin], web, server }));

  afterEach(async (ctx) => screenshotOnFailure(ctx.task.result?.state, contexts, 'admin-access'));

  const page = (): Promise<Page> => newPage(browser, contexts);

  const chatReady = (p: Page) => p.getByRole('navigation', { name: 'Conversations' }).waitFor();
  const adminNav = (p: Page) => p.getByRole('navigation', { name: 'Administration' });
  let owner: Page;

  it('a plain member does not see the access-control section', async () => {
    const d = await page();
    await signIn(d, web.url, 'dave@e2e.local', PW);
    await expectNoAdminConsole(d, web.url, '/admin/access/departments');
    expect(await d.getByRole('heading', { name: 'Access control' }).count()).toBe(0);
    expect(await d.getByTestId('departments-table').count()).toBe(0);
  });

  it('the owner creates a sub-department, sets its manager and isolates it from externals', async () => {
    owner = await page();
    await signIn(owner, web.url, ADMIN.email, ADMIN.password);
    await chatReady(owner);
    await owner.goto(web.url + '/admin');
    await adminNav(owner).getByRole('link', { name: 'Access control' }).click();
    await owner.getByRole('heading', { name: 'Access control', level: 2 }).waitFor();
    const table = owner.getByTestId('departments-table');
    await table.locator('tr[data-department="Platform"]').waitFor();

    // A new sub-department of Engineering, created from the Engineering row.
    await owner.getByRole('button', { name: 'New sub-department of Engineering' }).click();
    const dialog = owner.getByRole('dialog');
    await dialog.getByLabel('Department', { exact: true }).fill('Security engineering');
    expect(await dialog.getByLabel('Part of').inputValue()).toBe(ids.engineering);
    await dialog.getByRole('button', { name: 'Create department' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = table.locator('tr[data-department="Security engineering"]');
    await row.waitFor();

    await row.getByLabel('Manager of Security engineering').selectOption({ label: 'Dave Okafor' });
    await owner.getByText('The manager of Security engineering was changed.').waitFor();
    await row.getByRole('switch', { name: 'External isolation for Security engineering' }).check();
    await owner.getByText('Security engineering is now closed to external users.').waitFor();

    const { departments } = await admin.http.request('listDepartments');
    const created = departments.find((d) => d.name === 'Security engineering');
    expect(created).toMatchObject({ parentId: ids.engineering, managerId: ids['dave@e2e.local'], externalIsolation: true });

    // The tree reads in order: Engineering, then its sub-departments indented under it.
    const order = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department')));
    expect(order).toEqual(['Engineering', 'Mobile apps', 'Platform', 'Security engineering', 'Sales']);
    expect(await table.locator('tr[data-department="Platform"] td.num').textContent()).toBe('2');
    await owner.screenshot({ path: screenshotPath('web-admin-departments') });
  });

  it('a level policy changed in the UI is what the API returns', async () => {
    await owner.getByRole('link', { name: 'Levels & policies' }).click();
    const table = owner.getByTestId('levels-table');
    await table.locator('tr[data-level="confidential"]').waitFor();
    // Defaults: internal is open; confidential allows copying but not forwarding.
    const forwarding = owner.getByLabel('Forwarding at level internal');
    expect(await forwarding.isChecked()).toBe(true);
    expect(await owner.getByLabel('Forwarding at level confidential').isChecked()).toBe(false);
    await forwarding.uncheck();
    await owner.getByLabel('Copying at level confidential').uncheck();
    await owner.getByLabel('Retention in days at level secret').fill('3650');
    await owner.getByLabel('Directory visibility').selectOption('department');
    await owner.getByRole('button', { name: 'Save changes' }).click();
    await owner.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const { settings } = await admin.org.getSettings();
    expect(settings.levelPolicies.internal).toMatchObject({ forwardingAllowed: false, copyAllowed: true, downloadsAllowed: true });
    expect(settings.levelPolicies.confidential).toMatchObject({ forwardingAllowed: false, copyAllowed: false });
    expect(settings.levelPolicies.secret).toMatchObject({ retentionDays: 3650, mfaRequired: true });
    expect(settings.levelPolicies.public).toMatchObject({ forwardingAllowed: true, retentionDays: null });
    expect(settings.directoryVisibility).toBe('department');
    const caps = await admin.http.request('capabilities');
    expect(caps.levels.find((l) => l.name === 'internal')?.policy.forwardingAllowed).toBe(false);
    expect(await owner.getByText('10 years').count()).toBe(1);
    await owner.setViewportSize({ width: 1360, height: 1000 });
    await owner.evaluate(() => document.getElementById('page-main')?.scrollTo(0, 0));
    await owner.screenshot({ path: screenshotPath('web-admin-levels') });
    await owner.setViewportSize({ width: 1360, height: 860 });
  });

  it('applying the manufacturing preset changes the org settings as docs/PRESETS.md says', async () => {
    await admin.org.updateSettings({ directoryVisibility: 'all', guestDmToNonMembers: true });
    await owner.getByRole('link', { name: 'Presets' }).click();
    await owner.locator('li[data-preset="manufacturing"]').waitFor();
    expect(await owner.locator('li[data-preset]').evaluateAll((l) => l.map((x) => x.getAttribute('data-preset')))).toEqual(['finance', 'healthcare', 'manufacturing', 'government']);
    await owner.getByRole('button', { name: 'Apply the Manufacturing preset' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Apply the Manufacturing preset?' });
    await dialog.waitFor();
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.org.getSettings()).settings.preset).not.toBe('manufacturing');

    await owner.getByRole('button', { name: 'Apply the Manufacturing preset' }).click();
    await owner.screenshot({ path: screenshotPath('web-admin-preset-confirm') });
    await dialog.getByTestId('confirm-preset').click();
    await owner.getByText('The Manufacturing preset was applied.').waitFor();
    await owner.locator('li[data-preset="manufacturing"].current').waitFor();

    // PRESETS.md, manufacturing: directory by department, external isolation in every department, no guest DMs to non-members.
    const { settings } = await admin.org.getSettings();
    expect(settings).toMatchObject({ preset: 'manufacturing', directoryVisibility: 'department', guestDmToNonMembers: false });
    const { departments } = await admin.http.request('listDepartments');
    expect(departments.length).toBe(5);
    expect(departments.every((d) => d.externalIsolation)).toBe(true);
    await owner.screenshot({ path: screenshotPath('web-admin-presets') });

    // The departments screen shows the isolation the preset switched on.
    await owner.getByRole('link', { name: 'Departments' }).click();
    await owner.getByRole('switch', { name: 'External isolation for Sales' }).waitFor();
    expect(await owner.getByRole('switch', { name: 'External isolation for Sales' }).isChecked()).toBe(true);
  });

  it('the roles table lists built-in and custom roles with their permissions', async () => {
    await admin.http.request('createRole', { body: { name: 'plant_supervisor', permissions: ['conversations.create_channel', 'departments.manage'] } });
    await owner.getByRole('link', { name: 'Roles' }).click();
    const table = owner.getByTestId('roles-table');
    await table.waitFor();
    const heads = await table.locator('thead th').allTextContents();
    expect(heads.join('|')).toContain('Owner');
    expect(heads.join('|')).toContain('plant_supervisor');
    expect(heads.join('|')).toContain('custom');
    await table.locator('th[scope="row"]', { hasText: 'roles.manage' }).waitFor();
    await owner.getByText('Custom roles: 1.').waitFor();
    await owner.screenshot({ path: screenshotPath('web-admin-roles') });
  });

  it('reads in Simplified Chinese', async () => {
    await owner.evaluate(() => localStorage.setItem('conclave.lang', 'zh-CN'));
    await owner.goto(web.url + '/admin/access/levels');
    await owner.getByRole('heading', { name: '访问控制', level: 2 }).waitFor();
    await owner.getByTestId('levels-table').waitFor();
    await owner.screenshot({ path: screenshotPath('web-admin-levels-zh') });
    await owner.evaluate(() => localStorage.setItem('conclave.lang', 'en'));
  });
});
