/**
 * The access-control section of the admin console against a really started server (ACL-1..5,
 * GOV-6): the owner builds the department tree (sub-department, manager, external isolation),
 * renames and moves a department (only valid parents offered) and deletes an empty one, edits a
 * confidentiality level's policies and the level list itself (add, relabel, reorder; a level in
 * use is refused with its name), applies an industry preset after confirming, creates, edits,
 * assigns and deletes a custom role (the server's 409 for a role in use is shown), and — with
 * dual control on — requests a privileged grant that a second admin approves in another browser
 * context; each change is checked through the SDK. A plain member never sees the section.
 * Screenshots of every access screen and dialog, in English and in Chinese.
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

  it('the owner renames and moves a department (no cycles offered) and deletes only an empty one', async () => {
    const table = owner.getByTestId('departments-table');
    // Engineering cannot move under itself or anything below it: those parents are not offered.
    await owner.getByRole('button', { name: 'Edit Engineering' }).click();
    let dialog = owner.getByRole('dialog', { name: 'Edit Engineering' });
    const parents = await dialog.getByLabel('Part of').locator('option').allTextContents();
    expect(parents.map((p) => p.trim())).toEqual(['Top level (no parent)', 'Sales']);
    await dialog.getByText('Its own sub-departments (3) are not offered').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Rename "Mobile apps" and move it under Sales, in one change.
    await owner.getByRole('button', { name: 'Edit Mobile apps' }).click();
    dialog = owner.getByRole('dialog', { name: 'Edit Mobile apps' });
    await dialog.getByLabel('Department', { exact: true }).fill('Mobile');
    await dialog.getByLabel('Part of').selectOption({ label: 'Sales' });
    await owner.screenshot({ path: screenshotPath('web-admin-department-edit') });
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await owner.getByText('“Mobile apps” is now “Mobile”.').waitFor();
    const moved = (await admin.http.request('listDepartments')).departments.find((d) => d.id === ids.mobile);
    expect(moved).toMatchObject({ name: 'Mobile', parentId: ids.sales });
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department'))))
      .toEqual(['Engineering', 'Platform', 'Security engineering', 'Sales', 'Mobile']);

    // A department with members cannot be deleted: the dialog says why and offers no delete.
    await owner.getByRole('button', { name: 'Delete Sales' }).click();
    dialog = owner.getByRole('dialog', { name: 'Delete Sales' });
    await dialog.getByText('It still has sub-departments (1)').waitFor();
    expect(await dialog.getByTestId('confirm-delete-department').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // An empty one goes.
    await admin.http.request('createDepartment', { body: { name: 'Temporary crew', parentId: ids.sales } });
    await owner.reload();
    await table.locator('tr[data-department="Temporary crew"]').waitFor();
    await owner.getByRole('button', { name: 'Delete Temporary crew' }).click();
    dialog = owner.getByRole('dialog', { name: 'Delete Temporary crew' });
    await dialog.getByTestId('confirm-delete-department').click();
    await owner.getByText('Department “Temporary crew” was deleted.').waitFor();
    expect((await admin.http.request('listDepartments')).departments.map((d) => d.name)).not.toContain('Temporary crew');
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

  it('the level list: a level is added, relabelled and moved; one in use cannot be removed, an unused one can', async () => {
    await owner.getByTestId('edit-levels').click();
    let dialog = owner.getByRole('dialog', { name: 'Edit levels' });
    await dialog.getByLabel('Name', { exact: true }).fill('restricted');
    await dialog.getByLabel('Label (optional)').fill('Restricted');
    await dialog.getByTestId('add-level').click();
    await dialog.getByRole('button', { name: 'Move restricted up' }).click();
    await dialog.getByLabel('Label of level internal').fill('Internal use');
    expect(await dialog.getByTestId('level-editor').locator('li').evaluateAll((l) => l.map((x) => x.getAttribute('data-level'))))
      .toEqual(['public', 'internal', 'confidential', 'restricted', 'secret']);
    await owner.setViewportSize({ width: 1360, height: 1000 });
    await owner.screenshot({ path: screenshotPath('web-admin-level-editor') });
    await dialog.getByTestId('save-levels').click();
    await dialog.waitFor({ state: 'detached' });
    await owner.getByText('The level list was saved.').waitFor();
    const table = owner.getByTestId('levels-table');
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level'))))
      .toEqual(['public', 'internal', 'confidential', 'restricted', 'secret']);
    await table.locator('tr[data-level="internal"]').getByText('Internal use').waitFor();
    let { settings } = await admin.org.getSettings();
    expect(settings.levels).toEqual(['public', 'internal', 'confidential', 'restricted', 'secret']);
    expect(settings.levelLabels).toEqual({ internal: 'Internal use', restricted: 'Restricted' });
    // A new level is as strict as the one below it.
    expect(settings.levelPolicies.restricted).toEqual(settings.levelPolicies.confidential);

    // A level in use is refused, naming it and what uses it; nothing changes.
    const { conversation } = await admin.conversations.create({ kind: 'group', name: 'Tender 2027', level: 'restricted' });
    await owner.getByTestId('edit-levels').click();
    dialog = owner.getByRole('dialog', { name: 'Edit levels' });
    await dialog.getByRole('button', { name: 'Remove restricted' }).click();
    await dialog.getByTestId('levels-removed').getByText('To be removed: restricted.').waitFor();
    await dialog.getByTestId('save-levels').click();
    const err = dialog.getByTestId('levels-error');
    await err.waitFor();
    expect(await err.textContent()).toBe('Level restricted is still in use (conversations: 1). Move what uses it to another level before removing it.');
    await owner.screenshot({ path: screenshotPath('web-admin-level-in-use') });
    expect((await admin.org.getSettings()).settings.levels).toContain('restricted');

    // Keep it after all, and remove the unused "public" instead.
    await dialog.getByRole('button', { name: 'Keep restricted' }).click();
    await dialog.getByRole('button', { name: 'Remove public' }).click();
    await dialog.getByTestId('save-levels').click();
    await dialog.waitFor({ state: 'detached' });
    ({ settings } = await admin.org.getSettings());
    expect(settings.levels).toEqual(['internal', 'confidential', 'restricted', 'secret']);
    await admin.conversations.update(conversation.id, { level: 'internal' });
    await owner.setViewportSize({ width: 1360, height: 860 });
  });

  it('applying the manufacturing preset changes the org settings as docs/PRESETS.md says', async () => {
    await admin.org.updateSettings({ directoryVisibility: 'all', guestDmToNonMembers: true });
    await owner.getByRole('link', { name: 'Presets' }).click();
    await owner.locator('li[data-preset="manufacturing"]').waitFor();
    expect(await owner.locator('li[data-preset]').evaluateAll((l) => l.map((x) => x.getAttribute('data-preset')))).toEqual(['finance', 'healthcare', 'manufacturing', 'government']);
    await owner.getByRole('button', { name: 'Apply preset — Manufacturing' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Apply the Manufacturing preset?' });
    await dialog.waitFor();
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.org.getSettings()).settings.preset).not.toBe('manufacturing');

    await owner.getByRole('button', { name: 'Apply preset — Manufacturing' }).click();
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

  it('a custom role is created with grouped, explained permissions, edited, assigned and deleted when unused', async () => {
    const list = owner.getByTestId('roles-list');
    // Owner and guest are fixed: view only.
    await list.locator('tr[data-role="owner"]').getByRole('button', { name: 'View Owner' }).click();
    let dialog = owner.getByRole('dialog', { name: 'Role: Owner' });
    await dialog.getByText('The owner role always has every permission. It cannot be changed.').waitFor();
    expect(await dialog.getByRole('checkbox', { name: /Read the audit log/ }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    await owner.getByTestId('new-role').click();
    dialog = owner.getByRole('dialog', { name: 'New role' });
    await dialog.getByLabel('Name', { exact: true }).fill('Shift Lead');
    await dialog.getByText('2–40 characters: lower-case letters').first().waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('shift_lead');
    await dialog.getByLabel('Start from').selectOption({ label: 'Member' });
    await dialog.getByRole('checkbox', { name: /Sign others out/ }).check();
    await dialog.getByRole('checkbox', { name: /Read the audit log/ }).check();
    await dialog.getByText('With oversight permissions this role is privileged').waitFor();
    await owner.setViewportSize({ width: 1360, height: 1000 });
    await dialog.locator('.modal-body').evaluate((el) => el.scrollTo(0, 0));
    await owner.screenshot({ path: screenshotPath('web-admin-role-editor') });
    await owner.setViewportSize({ width: 1360, height: 860 });
    await dialog.getByTestId('save-role').click();
    await dialog.waitFor({ state: 'detached' });
    await owner.getByText('Role “shift_lead” was created.').waitFor();
    let role = (await admin.http.request('listRoles')).roles.find((r) => r.name === 'shift_lead');
    expect(role?.permissions.sort()).toEqual(['audit.read', 'conversations.browse_channels', 'conversations.create_channel', 'conversations.create_dm',
      'conversations.create_group', 'conversations.invite_guests', 'users.revoke_sessions']);
    await list.locator('tr[data-role="shift_lead"]').getByText('privileged').waitFor();

    // Edit: the oversight permission goes again.
    await list.locator('tr[data-role="shift_lead"]').getByRole('button', { name: 'Edit shift_lead' }).click();
    dialog = owner.getByRole('dialog', { name: 'Edit role: shift_lead' });
    await dialog.getByRole('checkbox', { name: /Read the audit log/ }).uncheck();
    await dialog.getByTestId('save-role').click();
    await dialog.waitFor({ state: 'detached' });
    role = (await admin.http.request('listRoles')).roles.find((r) => r.name === 'shift_lead');
    expect(role?.permissions).not.toContain('audit.read');

    // Assign it in Users; the custom role is offered beside the built-in ones.
    await owner.goto(web.url + '/admin/users');
    await owner.getByLabel('Role of Dave Okafor').selectOption('shift_lead');
    await owner.getByText('Dave Okafor’s role was changed.').waitFor();
    expect((await admin.users.get(ids['dave@e2e.local']!)).user.role).toBe('shift_lead');

    // Deleting a role someone holds is refused up front…
    await owner.goto(web.url + '/admin/access/roles');
    await list.locator('tr[data-role="shift_lead"]').getByRole('button', { name: 'Delete shift_lead' }).click();
    dialog = owner.getByRole('dialog', { name: 'Delete role “shift_lead”?' });
    await dialog.getByText('People still hold shift_lead (1).').waitFor();
    expect(await dialog.getByTestId('confirm-delete-role').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // …and when someone got it after the page loaded, the server's 409 is shown in words.
    await list.locator('tr[data-role="plant_supervisor"]').getByRole('button', { name: 'Delete plant_supervisor' }).click();
    dialog = owner.getByRole('dialog', { name: 'Delete role “plant_supervisor”?' });
    await admin.users.update(ids['marco@e2e.local']!, { role: 'plant_supervisor' });
    await dialog.getByTestId('confirm-delete-role').click();
    const err = dialog.getByTestId('delete-role-error');
    await err.waitFor();
    expect(await err.textContent()).toBe('People still hold plant_supervisor (1). Give them another role under Users first, then delete it.');
    await owner.screenshot({ path: screenshotPath('web-admin-role-in-use') });
    await admin.users.update(ids['marco@e2e.local']!, { role: 'member' });
    await dialog.getByTestId('confirm-delete-role').click();
    await owner.getByText('Role “plant_supervisor” was deleted.').waitFor();
    expect((await admin.http.request('listRoles')).roles.map((r) => r.name)).not.toContain('plant_supervisor');
    await admin.users.update(ids['dave@e2e.local']!, { role: 'member' });
  });

  it('dual control: a privileged grant requested by the owner waits until a second admin approves it', async () => {
    await admin.org.updateSettings({ dualControlRoleGrants: true });
    try {
      await owner.goto(web.url + '/admin/users');
      await owner.getByLabel('Role of Erin Walsh').selectOption('auditor');
      await owner.getByText('Making Erin Walsh Auditor needs a second administrator’s approval.').waitFor();
      await owner.locator('tr[data-user-email="erin@e2e.local"]').getByText('Pending: Auditor').waitFor();
      expect((await admin.users.get(ids['erin@e2e.local']!)).user.role).toBe('member');

      // The requester sees the request but cannot decide it, and gets no badge for it.
      await owner.goto(web.url + '/admin/access/approvals');
      const mine = owner.getByTestId('approvals-list').locator('li[data-user="erin@e2e.local"]');
      await mine.getByTestId('own-request').getByText('You asked for this. Another administrator must approve or reject it.').waitFor();
      expect(await mine.getByRole('button', { name: /Approve/ }).count()).toBe(0);
      expect(await adminNav(owner).locator('.count-badge').count()).toBe(0);

      // A second admin, in another browser context, sees the badge and approves.
      const ada = await page();
      await signIn(ada, web.url, 'ada@e2e.local', PW);
      await chatReady(ada);
      await ada.goto(web.url + '/admin/users');
      const accessLink = adminNav(ada).getByRole('link', { name: 'Access control (1 waiting for your approval)' });
      await accessLink.waitFor();
      expect(await accessLink.locator('.count-badge').textContent()).toBe('1');
      await accessLink.click();
      await ada.getByRole('link', { name: /Approvals/ }).click();
      const item = ada.getByTestId('approvals-list').locator('li[data-user="erin@e2e.local"]');
      await item.getByText('Erin Walsh to become Auditor').waitFor();
      await item.getByText('Requested by Administrator').waitFor();
      await ada.screenshot({ path: screenshotPath('web-admin-approvals') });
      await item.getByRole('button', { name: 'Approve — Erin Walsh' }).click();
      const dialog = ada.getByRole('dialog', { name: 'Approve: Erin Walsh becomes Auditor?' });
      await dialog.getByText('Read the audit log').waitFor();
      await ada.screenshot({ path: screenshotPath('web-admin-approve-dialog') });
      await dialog.getByTestId('confirm-decision').click();
      await ada.getByTestId('approvals-notice').getByText('Approved: Erin Walsh is now Auditor.').waitFor();
      await ada.getByText('No approvals waiting').waitFor();
      expect(await adminNav(ada).locator('.count-badge').count()).toBe(0);
      expect((await admin.users.get(ids['erin@e2e.local']!)).user.role).toBe('auditor');
    } finally {
      await admin.org.updateSettings({ dualControlRoleGrants: false });
    }
  });

  it('reads in Simplified Chinese', async () => {
    await owner.evaluate(() => localStorage.setItem('conclave.lang', 'zh-CN'));
    await owner.goto(web.url + '/admin/access/levels');
    await owner.getByRole('heading', { name: '访问控制', level: 2 }).waitFor();
    await owner.getByTestId('levels-table').waitFor();
    await owner.screenshot({ path: screenshotPath('web-admin-levels-zh') });
    await owner.goto(web.url + '/admin/access/roles');
    await owner.getByTestId('roles-list').waitFor();
    await owner.getByTestId('new-role').click();
    await owner.getByRole('dialog', { name: '新建角色' }).getByText('审计与安全').waitFor();
    await owner.screenshot({ path: screenshotPath('web-admin-role-editor-zh') });
    await owner.keyboard.press('Escape');
    await owner.evaluate(() => localStorage.setItem('conclave.lang', 'en'));
  });
});
