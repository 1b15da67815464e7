/**
 * Editing the confidentiality level list (ACL-2, PUT /api/v1/admin/levels): add, relabel,
 * reorder and remove, each one audited action; a level still in use (conversations, clearances,
 * files, retention settings), the default level and the watermark threshold cannot be removed
 * (409 naming it); bad lists are refused field by field; and everyone without
 * org.update_settings is refused and audited (every permission has a denial test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, expectCode, startTestServer, type TestServer } from '@conclave/testkit';

const DEFAULTS = ['public', 'internal', 'confidential', 'secret'].map((name) => ({ name }));

describe.each(dialects())('confidentiality level list administration [%s]', (dialect) => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ dialect }); });
  afterAll(async () => { await t?.close(); });
  const admin = () => t.admin.client;
  const audit = (action: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
  const levels = async () => (await admin().org.getSettings()).settings.levels;

  it('adds a level (its policy copied from the level below), relabels and reorders; clients see labels; audited', async () => {
    const member = await t.createUser();
    const { settings } = await admin().org.updateLevels({
      levels: [{ name: 'public' }, { name: 'internal', label: 'Internal use' }, { name: 'restricted', label: 'Restricted' }, { name: 'confidential' }, { name: 'secret', label: '绝密' }],
    });
    expect(settings.levels).toEqual(['public', 'internal', 'restricted', 'confidential', 'secret']);
    expect(settings.levelLabels).toEqual({ internal: 'Internal use', restricted: 'Restricted', secret: '绝密' });
    // A new level is never silently open: it starts as strict as the level below it.
    expect(settings.levelPolicies.restricted).toEqual(settings.levelPolicies.internal);
    const caps = await member.client.http.request('capabilities');
    expect(caps.levels.map((l) => [l.name, l.label, l.visible])).toEqual([
      ['public', 'public', true], ['internal', 'Internal use', true], ['restricted', 'Restricted', false], ['confidential', 'confidential', false], ['secret', '绝密', false],
    ]);
    const row = (await audit('org.update_levels')).at(-1)!;
    expect(row.outcome).toBe('success');
    expect(JSON.parse(row.details)).toMatchObject({ added: ['restricted'], removed: [], reordered: false, relabelled: ['internal', 'secret'] });

    // The order is data the policy engine reads: moving "restricted" above "confidential"
    // takes a conversation at "restricted" away from a user cleared for "confidential".
    const cleared = await t.createUser();
    await admin().users.update(cleared.user.id, { clearance: 'confidential' });
    const { conversation } = await admin().conversations.create({ kind: 'group', name: 'Plant 4 tender', level: 'restricted', memberIds: [cleared.user.id] });
    expect((await cleared.client.conversations.get(conversation.id)).conversation.level).toBe('restricted');
    await admin().org.updateLevels({ levels: [{ name: 'public' }, { name: 'internal', label: 'Internal use' }, { name: 'confidential' }, { name: 'restricted', label: 'Restricted' }, { name: 'secret', label: '绝密' }] });
    await expectCode(cleared.client.conversations.get(conversation.id), 'not_found');
    expect(JSON.parse((await audit('org.update_levels')).at(-1)!.details)).toMatchObject({ reordered: true, added: [], removed: [] });

    // Put back for the tests below (the conversation keeps "restricted" in use).
    await admin().org.updateLevels({ levels: [{ name: 'public' }, { name: 'internal' }, { name: 'restricted' }, { name: 'confidential' }, { name: 'secret' }] });
    expect((await admin().org.getSettings()).settings.levelLabels).toEqual({});
  });

  it('refuses to remove a level in use (409 naming it, with the counts), the default level or the watermark threshold', async () => {
    const before = await admin().org.getSettings();
    const without = (name: string) => before.settings.levels.filter((l) => l !== name).map((n) => ({ name: n }));

    const inUse = await expectCode(admin().org.updateLevels({ levels: without('restricted') }), 'conflict');
    expect(inUse.status).toBe(409);
    expect(inUse.message).toContain('"restricted"');
    expect(inUse.details).toMatchObject({ reason: 'level_in_use', level: 'restricted', usage: { conversations: 1, clearances: 0 } });

    // A clearance alone keeps a level in use.
    const spareUser = await t.createUser();
    await admin().org.updateLevels({ levels: [...before.settings.levels.map((name) => ({ name })), { name: 'cosmic' }] });
    await admin().users.update(spareUser.user.id, { clearance: 'cosmic' });
    const byClearance = await expectCode(admin().org.updateLevels({ levels: before.settings.levels.map((name) => ({ name })) }), 'conflict');
    expect(byClearance.details).toMatchObject({ reason: 'level_in_use', level: 'cosmic', usage: { clearances: 1, conversations: 0 } });
    await admin().users.update(spareUser.user.id, { clearance: 'internal' });

    const byDefault = await expectCode(admin().org.updateLevels({ levels: without('internal') }), 'conflict');
    expect(byDefault.details).toMatchObject({ reason: 'default_level', level: 'internal' });
    const byWatermark = await expectCode(admin().org.updateLevels({ levels: without('confidential') }), 'conflict');
    expect(byWatermark.details).toMatchObject({ reason: 'watermark_level', level: 'confidential' });
    // Nothing changed by the refusals; each is audited as failed.
    expect(await levels()).toEqual([...before.settings.levels, 'cosmic']);
    expect((await audit('org.update_levels')).filter((r) => r.outcome === 'failed').length).toBeGreaterThanOrEqual(4);

    // An unused level goes, with the settings keyed by it.
    await admin().org.updateSettings({ dlp: { ...before.settings.dlp, levelActions: { ...before.settings.dlp.levelActions, cosmic: 'block' } }, fileMaxBytesByLevel: { cosmic: 1024 } });
    const { settings } = await admin().org.updateLevels({ levels: before.settings.levels.map((name) => ({ name })) });
    expect(settings.levels).toEqual(before.settings.levels);
    expect(settings.levelPolicies.cosmic).toBeUndefined();
    expect(settings.dlp.levelActions.cosmic).toBeUndefined();
    expect(settings.fileMaxBytesByLevel.cosmic).toBeUndefined();
    expect(JSON.parse((await audit('org.update_levels')).at(-1)!.details)).toMatchObject({ removed: ['cosmic'] });

    // Changing the default in the same request makes the old default removable when unused.
    await admin().org.updateLevels({ levels: [...before.settings.levels.map((name) => ({ name })), { name: 'draft' }], defaultLevel: 'draft' });
    expect((await admin().org.getSettings()).settings.defaultLevel).toBe('draft');
    await admin().org.updateLevels({ levels: before.settings.levels.map((name) => ({ name })), defaultLevel: 'internal' });
    expect((await admin().org.getSettings()).settings.defaultLevel).toBe('internal');
  });

  it('bad lists are refused naming the field: duplicates, duplicate labels, empty, too long, bad names, unknown default', async () => {
    const current = await levels();
    await expectCode(admin().org.updateLevels({ levels: [{ name: 'public' }, { name: 'public' }] }), 'validation_failed');
    const dupLabel = await expectCode(admin().org.updateLevels({ levels: [{ name: 'public', label: 'Open' }, { name: 'internal', label: 'open' }] }), 'validation_failed');
    expect(dupLabel.message).toContain('levels');
    await expectCode(admin().org.updateLevels({ levels: [{ name: 'public' }, { name: 'internal', label: 'Public' }] }), 'validation_failed');
    await expectCode(admin().org.updateLevels({ levels: [] }), 'validation_failed');
    await expectCode(admin().org.updateLevels({ levels: Array.from({ length: 11 }, (_, i) => ({ name: `level_${i}` })) }), 'validation_failed');
    await expectCode(admin().org.updateLevels({ levels: [{ name: 'Top Secret' }] }), 'validation_failed');
    await expectCode(admin().org.updateLevels({ levels: [{ name: 'public', label: 'x'.repeat(41) }] }), 'validation_failed');
    await expectCode(admin().org.updateLevels({ levels: DEFAULTS, defaultLevel: 'nope' }), 'validation_failed');
    await expectCode(admin().http.request('updateLevels', { body: { levels: DEFAULTS, extra: true } as never }), 'validation_failed');
    expect(await levels()).toEqual(current);
  });

  it('denial: only holders of org.update_settings edit levels; refusals are audited and change nothing', async () => {
    const current = await levels();
    const member = await t.createUser();
    const auditor = await t.createUser({ role: 'auditor' });
    await admin().http.request('createRole', { body: { name: 'org_chart_keeper', permissions: ['departments.manage'] } });
    const keeper = await t.createUser();
    await admin().users.update(keeper.user.id, { role: 'org_chart_keeper' });
    for (const who of [member, auditor, keeper]) {
      const err = await expectCode(who.client.org.updateLevels({ levels: [...current.map((name) => ({ name })), { name: 'mine' }] }), 'forbidden');
      expect(err.message).toContain('org.update_settings');
      const row = (await audit('org.update_levels')).at(-1)!;
      expect(row).toMatchObject({ outcome: 'denied', actor_id: who.user.id, reason: 'missing_permission:org.update_settings' });
    }
    expect(await levels()).toEqual(current);
  });

  it('access conflicts carry a machine-readable reason the clients localize', async () => {
    await admin().http.request('createRole', { body: { name: 'shift_lead', permissions: ['conversations.create_channel'] } });
    const holder = await t.createUser();
    await admin().users.update(holder.user.id, { role: 'shift_lead' });
    const inUse = await expectCode(admin().http.request('deleteRole', { params: { name: 'shift_lead' } }), 'conflict');
    expect(inUse.details).toMatchObject({ reason: 'role_in_use', role: 'shift_lead', holders: 1 });
    expect((await expectCode(admin().http.request('deleteRole', { params: { name: 'member' } }), 'conflict')).details).toMatchObject({ reason: 'builtin_role' });
    expect((await expectCode(admin().http.request('updateRole', { params: { name: 'guest' }, body: { permissions: [] } }), 'conflict')).details).toMatchObject({ reason: 'fixed_role' });
    const a = await t.createUser({ role: 'admin' });
    const escalation = await expectCode(a.client.http.request('createRole', { body: { name: 'peeker', permissions: ['audit.read', 'audit.export'] } }), 'forbidden');
    expect(escalation.details).toMatchObject({ reason: 'escalation', permissions: ['audit.read', 'audit.export'] });

    const parent = (await admin().http.request('createDepartment', { body: { name: 'Plant 4' } })).department;
    await admin().http.request('createDepartment', { body: { name: 'Plant 4 quality', parentId: parent.id } });
    expect((await expectCode(admin().http.request('deleteDepartment', { params: { id: parent.id } }), 'conflict')).details).toMatchObject({ reason: 'department_has_children', subDepartments: 1 });
  });
});
