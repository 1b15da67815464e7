/**
 * Access control (ACL-1..5, GOV-6): the department tree, confidentiality levels with their
 * policies and the org-wide policies, industry presets, and the role → permission table.
 * One admin section with a tab per part; each tab shows only to holders of its permission.
 */
import { useEffect, useMemo, useState } from 'react';
import type { OrgSettings, ResponseOf, User } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import type { MsgKey } from '../i18n/en';
import { errorText } from '../lib/errors';
import { Badge, Button, Field, Modal, SaveBar, Spinner } from '../ui/kit';
import { Icon, type IconName } from '../ui/Icon';
import { useSubmit } from '../ui/use-submit';
import { Card } from '../ui/PageShell';
import { navigate, usePath } from '../ui/router';
import { BUILTIN_ROLES, roleLabel } from './roles';

type Department = ResponseOf<'listDepartments'>['departments'][number];
type Role = ResponseOf<'listRoles'>['roles'][number];
type LevelPolicy = OrgSettings['levelPolicies'][string];

interface AccessTab { id: string; label: MsgKey; icon: IconName; permission: string; render(): React.ReactNode }

const TABS: AccessTab[] = [
  { id: 'departments', label: 'access.tab.departments', icon: 'building', permission: 'departments.manage', render: () => <DepartmentsTab /> },
  { id: 'levels', label: 'access.tab.levels', icon: 'layers', permission: 'org.update_settings', render: () => <LevelsTab /> },
  { id: 'presets', label: 'access.tab.presets', icon: 'sliders', permission: 'org.update_settings', render: () => <PresetsTab /> },
  { id: 'roles', label: 'access.tab.roles', icon: 'key', permission: 'roles.manage', render: () => <RolesTab /> },
];

/** Permissions that open this section at all. */
export const ACCESS_PERMISSIONS = [...new Set(TABS.map((t) => t.permission))];

export function AccessAdmin() {
  const app = useApp();
  const { t } = useI18n();
  const path = usePath();
  const tabs = TABS.filter((x) => app.can(x.permission));
  const active = tabs.find((x) => x.id === path.split('/')[3]) ?? tabs[0];
  if (!active) return null;
  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.access')}</h2>
          <p className="muted">{t('access.hint')}</p>
        </div>
      </header>
      <nav className="subnav" aria-label={t('admin.nav.access')}>
        {tabs.map((x) => (
          <a
            key={x.id} href={`/admin/access/${x.id}`} className={x.id === active.id ? 'active' : ''} aria-current={x.id === active.id ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); navigate(`/admin/access/${x.id}`); }}
          >
            <Icon name={x.icon} size={15} /> {t(x.label)}
          </a>
        ))}
      </nav>
      <div key={active.id} className="access-body">{active.render()}</div>
    </>
  );
}

function Loading() {
  const { t } = useI18n();
  return <Spinner label={t('common.loading')} />;
}

// ---------------------------------------------------------------- departments

interface TreeRow { dept: Department; depth: number }

function flattenTree(depts: Department[]): TreeRow[] {
  const ids = new Set(depts.map((d) => d.id));
  const children = new Map<string | null, Department[]>();
  for (const d of depts) {
    const parent = d.parentId && ids.has(d.parentId) ? d.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const out: TreeRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const d of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ dept: d, depth });
      walk(d.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

function DepartmentsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const [depts, setDepts] = useState<Department[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState<{ parentId: string | null } | null>(null);

  const load = () => app.client.http.request('listDepartments').then((r) => setDepts(r.departments), (err) => setError(errorText(err, i18n)));
  useEffect(() => {
    void load();
    app.client.users.list({}).then((r) => setUsers(r.users.filter((u) => u.status === 'active')), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const rows = useMemo(() => flattenTree(depts ?? []), [depts]);
  const nameOf = (id: string | null) => (id ? users.find((u) => u.id === id)?.name ?? null : null);

  const update = async (d: Department, body: { managerId?: string | null; externalIsolation?: boolean }, done: string) => {
    setError(null);
    setNotice(null);
    // Optimistic: the switch and the select move at once; a refusal puts them back.
    setDepts((list) => (list ?? []).map((x) => (x.id === d.id ? { ...x, ...body } : x)));
    try {
      const { department } = await app.client.http.request('updateDepartment', { params: { id: d.id }, body });
      setDepts((list) => (list ?? []).map((x) => (x.id === department.id ? department : x)));
      setNotice(done);
    } catch (err) {
      setDepts((list) => (list ?? []).map((x) => (x.id === d.id ? d : x)));
      setError(errorText(err, i18n));
    }
  };

  if (!depts) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const isolated = depts.filter((d) => d.externalIsolation).length;
  return (
    <>
      <div className="section-head">
        <div className="stats">
          <div className="stat"><span className="stat-value">{num(depts.length)}</span><span className="stat-label">{t('access.dept.count')}</span></div>
          <div className="stat"><span className="stat-value">{num(depts.filter((d) => !d.managerId).length)}</span><span className="stat-label">{t('access.dept.withoutManager')}</span></div>
          <div className="stat"><span className="stat-value">{num(isolated)}</span><span className="stat-label">{t('access.dept.isolatedCount')}</span></div>
        </div>
        <Button variant="primary" icon="plus" onClick={() => setCreating({ parentId: null })}>{t('access.dept.add')}</Button>
      </div>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="table-wrap">
        <table className="table dept-table" data-testid="departments-table">
          <caption className="sr-only">{t('access.tab.departments')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('access.dept.name')}</th>
              <th scope="col">{t('access.dept.manager')}</th>
              <th scope="col" className="num">{t('access.dept.members')}</th>
              <th scope="col">{t('access.dept.isolation')}</th>
              <th scope="col"><span className="sr-only">{t('admin.users.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ dept: d, depth }) => (
              <tr key={d.id} data-department={d.name}>
                <th scope="row" className="dept-name-cell">
                  <span className="dept-name" style={{ paddingLeft: depth * 22 }}>
                    {depth > 0 && <span className="tree-elbow" aria-hidden="true" />}
                    <span className={`dept-icon ${depth ? 'sub' : ''}`} aria-hidden="true"><Icon name="building" size={15} /></span>
                    <span>
                      {d.name}
                      {depth > 0 && <span className="sr-only"> ({t('access.dept.subOf', { name: depts.find((p) => p.id === d.parentId)?.name ?? '' })})</span>}
                    </span>
                  </span>
                </th>
                <td>
                  <select
                    value={d.managerId ?? ''} aria-label={t('access.dept.managerOf', { name: d.name })}
                    onChange={(e) => void update(d, { managerId: e.target.value || null }, t('access.dept.managerSet', { name: d.name }))}
                  >
                    <option value="">{t('access.dept.noManager')}</option>
                    {d.managerId && !users.some((u) => u.id === d.managerId) && <option value={d.managerId}>{nameOf(d.managerId) ?? d.managerId}</option>}
                    {users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
                  </select>
                </td>
                <td className="num">{num(d.memberCount)}</td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox" role="switch" checked={d.externalIsolation}
                      aria-label={t('access.dept.isolationFor', { name: d.name })}
                      onChange={(e) => void update(d, { externalIsolation: e.target.checked }, t(e.target.checked ? 'access.dept.isolationOn' : 'access.dept.isolationOff', { name: d.name }))}
                    />
                    <span className="switch-track" aria-hidden="true" />
                    <span className="switch-text">{d.externalIsolation ? t('access.dept.noExternals') : t('access.dept.externalsAllowed')}</span>
                  </label>
                </td>
                <td className="actions-cell">
                  <Button size="sm" variant="ghost" icon="plus" onClick={() => setCreating({ parentId: d.id })} aria-label={t('access.dept.addSubOf', { name: d.name })}>
                    {t('access.dept.addSub')}
                  </Button>
                </td>
              </tr>
            ))}
            {rows.length === 0 && <tr><td colSpan={5} className="muted center">{t('access.dept.empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      <p className="muted small">{t('access.dept.isolationHint')}</p>
      {creating && (
        <CreateDepartmentDialog
          departments={rows} users={users} parentId={creating.parentId} onClose={() => setCreating(null)}
          onCreated={(d) => { setCreating(null); setNotice(t('access.dept.created', { name: d.name })); void load(); }}
        />
      )}
    </>
  );
}

function CreateDepartmentDialog({ departments, users, parentId: initialParent, onClose, onCreated }: {
  departments: TreeRow[]; users: User[]; parentId: string | null; onClose(): void; onCreated(d: Department): void;
}) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState(initialParent ?? '');
  const [managerId, setManagerId] = useState('');
  const [isolation, setIsolation] = useState(false);
  const parentName = departments.find((r) => r.dept.id === initialParent)?.dept.name;

  const { busy, error, submit } = useSubmit(async () => {
    const { department } = await app.client.http.request('createDepartment', {
      body: { name: name.trim(), parentId: parentId || null, managerId: managerId || null, externalIsolation: isolation },
    });
    onCreated(department);
  }, (err) => errorText(err, i18n));
  return (
    <Modal title={parentName ? t('access.dept.addSubOf', { name: parentName }) : t('access.dept.add')} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <Field label={t('access.dept.name')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} autoComplete="off" />}</Field>
        <Field label={t('access.dept.parent')}>
          {(id) => (
            <select id={id} value={parentId} onChange={(e) => setParentId(e.target.value)}>
              <option value="">{t('access.dept.topLevel')}</option>
              {departments.map(({ dept, depth }) => <option key={dept.id} value={dept.id}>{'\u00a0\u00a0'.repeat(depth) + dept.name}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('access.dept.manager')}>
          {(id) => (
            <select id={id} value={managerId} onChange={(e) => setManagerId(e.target.value)}>
              <option value="">{t('access.dept.noManager')}</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
          )}
        </Field>
        <label className="check"><input type="checkbox" checked={isolation} onChange={(e) => setIsolation(e.target.checked)} /> {t('access.dept.isolationCheck')}</label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!name.trim()}>{t('access.dept.create')}</Button>
        </div>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------- levels and policies

type PolicyForm = Pick<OrgSettings, 'levels' | 'levelPolicies' | 'defaultLevel' | 'directoryVisibility' | 'historyVisibleToNewMembers' | 'guestDmToNonMembers' | 'dualControlRoleGrants'>;
const FLAGS = [
  ['forwardingAllowed', 'access.level.forwarding'],
  ['copyAllowed', 'access.level.copying'],
  ['downloadsAllowed', 'access.level.downloads'],
  ['mfaRequired', 'access.level.mfa'],
  ['e2eeRequired', 'access.level.e2ee'],
] as const;
const DEFAULT_POLICY: LevelPolicy = { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, mfaRequired: false, e2eeRequired: false, retentionDays: null };
/** Permissions behind the "who may" policies: they live on roles. */
const WHO_MAY = [
  ['conversations.create_group', 'access.who.createGroup'],
  ['conversations.create_channel', 'access.who.createChannel'],
  ['conversations.invite_guests', 'access.who.inviteGuests'],
] as const;

function LevelsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [saved, setSaved] = useState(false);
  const policyOf = (level: string): LevelPolicy => form?.levelPolicies[level] ?? DEFAULT_POLICY;
  const { busy, error, setError, submit } = useSubmit(async () => {
    if (!form) return; // the form is only on screen once the settings have loaded
    const levelPolicies = Object.fromEntries(form.levels.map((l) => [l, policyOf(l)]));
    const { settings } = await app.client.org.updateSettings({
      levelPolicies, directoryVisibility: form.directoryVisibility, historyVisibleToNewMembers: form.historyVisibleToNewMembers,
      guestDmToNonMembers: form.guestDmToNonMembers, dualControlRoleGrants: form.dualControlRoleGrants,
    });
    setForm({ ...form, levelPolicies: settings.levelPolicies });
    await app.refreshMe();
    setSaved(true);
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    app.client.org.getSettings().then(({ settings: s }) => setForm({
      levels: s.levels, levelPolicies: s.levelPolicies, defaultLevel: s.defaultLevel, directoryVisibility: s.directoryVisibility,
      historyVisibleToNewMembers: s.historyVisibleToNewMembers, guestDmToNonMembers: s.guestDmToNonMembers, dualControlRoleGrants: s.dualControlRoleGrants,
    }), (err) => setError(errorText(err, i18n)));
    if (app.can('roles.manage')) app.client.http.request('listRoles').then((r) => setRoles(r.roles), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!form) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const set = (patch: Partial<PolicyForm>) => { setSaved(false); setForm({ ...form, ...patch }); };
  const setLevel = (level: string, patch: Partial<LevelPolicy>) => set({ levelPolicies: { ...form.levelPolicies, [level]: { ...policyOf(level), ...patch } } });

  return (
    <form onSubmit={submit} className="stack">
      <Card title={t('access.level.title')} description={t('access.level.hint')}>
        <div className="table-wrap flat">
          <table className="table level-table" data-testid="levels-table">
            <caption className="sr-only">{t('access.level.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('access.level.level')}</th>
                {FLAGS.map(([k, label]) => <th key={k} scope="col" className="center">{t(label)}</th>)}
                <th scope="col">{t('access.level.retention')}</th>
              </tr>
            </thead>
            <tbody>
              {form.levels.map((level, i) => {
                const p = policyOf(level);
                return (
                  <tr key={level} data-level={level}>
                    <th scope="row">
                      <span className="level-cell">
                        <span className="level-rank" aria-hidden="true">{i + 1}</span>
                        <Badge tone="level">{level}</Badge>
                        {level === form.defaultLevel && <span className="muted small">{t('access.level.default')}</span>}
                      </span>
                    </th>
                    {FLAGS.map(([k, label]) => (
                      <td key={k} className="center">
                        <input
                          type="checkbox" className="level-check" checked={p[k]} onChange={(e) => setLevel(level, { [k]: e.target.checked })}
                          aria-label={t('access.level.flagFor', { flag: t(label), level })}
                        />
                      </td>
                    ))}
                    <td>
                      <span className="retention-input">
                        <input
                          type="number" min={1} max={36500} inputMode="numeric" placeholder={t('access.level.keepForever')}
                          value={p.retentionDays ?? ''} aria-label={t('access.level.retentionFor', { level })}
                          onChange={(e) => setLevel(level, { retentionDays: e.target.value ? Math.max(1, Math.round(Number(e.target.value))) : null })}
                        />
                        <span className="muted small">{p.retentionDays ? retentionText(p.retentionDays, t) : t('access.level.days')}</span>
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted small level-note"><Icon name="info" size={14} /> {t('access.level.orderHint')}</p>
      </Card>

      <Card title={t('access.org.title')} description={t('access.org.hint')}>
        <div className="form-grid">
          <Field label={t('access.org.directory')} hint={t(`access.org.directory.${form.directoryVisibility}.hint` as MsgKey)}>
            {(id, d) => (
              <select id={id} value={form.directoryVisibility} aria-describedby={d} onChange={(e) => set({ directoryVisibility: e.target.value as PolicyForm['directoryVisibility'] })}>
                <option value="all">{t('access.org.directory.all')}</option>
                <option value="department">{t('access.org.directory.department')}</option>
                <option value="explicit">{t('access.org.directory.explicit')}</option>
              </select>
            )}
          </Field>
          <fieldset className="stack-sm plain">
            <legend className="sr-only">{t('access.org.title')}</legend>
            <label className="check"><input type="checkbox" checked={form.historyVisibleToNewMembers} onChange={(e) => set({ historyVisibleToNewMembers: e.target.checked })} /> {t('access.org.history')}</label>
            <label className="check"><input type="checkbox" checked={form.guestDmToNonMembers} onChange={(e) => set({ guestDmToNonMembers: e.target.checked })} /> {t('access.org.guestDm')}</label>
            <label className="check"><input type="checkbox" checked={form.dualControlRoleGrants} onChange={(e) => set({ dualControlRoleGrants: e.target.checked })} /> {t('access.org.dualControl')}</label>
          </fieldset>
        </div>
        {roles && (
          <div className="who-may">
            <h3 className="section-title">{t('access.who.title')}</h3>
            <dl className="deflist who-list">
              {WHO_MAY.map(([perm, label]) => {
                const holders = roles.filter((r) => r.permissions.includes(perm)).sort((a, b) => roleRank(a.name) - roleRank(b.name) || a.name.localeCompare(b.name));
                return (
                  <div key={perm} className="who-row">
                    <dt>{t(label)}</dt>
                    <dd>{holders.length ? holders.map((r) => <Badge key={r.name}>{roleLabel(r.name, t)}</Badge>) : <span className="muted">{t('access.who.nobody')}</span>}</dd>
                  </div>
                );
              })}
            </dl>
            <p className="muted small">{t('access.who.hint')}</p>
          </div>
        )}
      </Card>
      <SaveBar error={error} saved={saved} busy={busy} />
    </form>
  );
}

function retentionText(days: number, t: (k: MsgKey, v?: Record<string, string | number>) => string): string {
  if (days % 365 === 0) return t('access.level.years', { n: days / 365 });
  if (days >= 365 && Math.abs(days / 365 - Math.round(days / 365)) < 0.01) return t('access.level.aboutYears', { n: Math.round(days / 365) });
  return t('access.level.days');
}

// ---------------------------------------------------------------- presets

const PRESETS = ['finance', 'healthcare', 'manufacturing', 'government'] as const;
type Preset = (typeof PRESETS)[number];
const PRESET_ICON: Record<Preset, IconName> = { finance: 'lock', healthcare: 'shield', manufacturing: 'building', government: 'key' };
const PRESET_POINTS: Record<Preset, number> = { finance: 4, healthcare: 3, manufacturing: 3, government: 4 };

function PresetsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [current, setCurrent] = useState<string | null | undefined>(undefined);
  const [confirm, setConfirm] = useState<Preset | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, submit: apply } = useSubmit(async () => {
    const preset = confirm;
    if (!preset) return; // the apply button only exists while a preset is being confirmed
    const { settings } = await app.client.http.request('applyPreset', { body: { preset } });
    setCurrent(settings.preset);
    setConfirm(null);
    setNotice(t('access.preset.applied', { name: t(`access.preset.${preset}` as MsgKey) }));
    await app.refreshMe();
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    app.client.org.getSettings().then(({ settings }) => setCurrent(settings.preset), (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (current === undefined) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  return (
    <>
      <p className="muted">{t('access.preset.hint')}</p>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
      {error && !confirm && <p className="form-error" role="alert">{error}</p>}
      <ul className="preset-grid" role="list">
        {PRESETS.map((p) => (
          <li key={p} className={`preset-card ${current === p ? 'current' : ''}`} data-preset={p}>
            <div className="preset-head">
              <span className="preset-icon" aria-hidden="true"><Icon name={PRESET_ICON[p]} size={20} /></span>
              <h3>{t(`access.preset.${p}` as MsgKey)}</h3>
              {current === p && <Badge tone="success"><Icon name="check" size={12} /> {t('access.preset.current')}</Badge>}
            </div>
            <p className="preset-desc">{t(`access.preset.${p}.desc` as MsgKey)}</p>
            <ul className="preset-points">
              {Array.from({ length: PRESET_POINTS[p] }, (_, i) => <li key={i}><Icon name="check" size={13} /> {t(`access.preset.${p}.${i + 1}` as MsgKey)}</li>)}
            </ul>
            <div className="preset-foot">
              <Button onClick={() => { setError(null); setConfirm(p); }} aria-label={t('access.preset.applyName', { name: t(`access.preset.${p}` as MsgKey) })}>
                {current === p ? t('access.preset.reapply') : t('access.preset.apply')}
              </Button>
            </div>
          </li>
        ))}
      </ul>
      {confirm && (
        <Modal
          title={t('access.preset.confirmTitle', { name: t(`access.preset.${confirm}` as MsgKey) })} onClose={() => setConfirm(null)}
          footer={<>
            <Button variant="ghost" onClick={() => setConfirm(null)}>{t('common.cancel')}</Button>
            <Button variant="primary" busy={busy} data-testid="confirm-preset" onClick={() => void apply()}>{t('access.preset.apply')}</Button>
          </>}
        >
          <div className="stack">
            <p>{t('access.preset.confirmBody')}</p>
            <ul className="preset-points">
              {Array.from({ length: PRESET_POINTS[confirm] }, (_, i) => <li key={i}><Icon name="check" size={13} /> {t(`access.preset.${confirm}.${i + 1}` as MsgKey)}</li>)}
            </ul>
            {confirm !== 'manufacturing' && <div className="notice notice-warning"><Icon name="alert" /> <span>{t('access.preset.mfaWarning')}</span></div>}
            {error && <p className="form-error" role="alert">{error}</p>}
          </div>
        </Modal>
      )}
    </>
  );
}

// ---------------------------------------------------------------- roles

/** Built-in roles in their documented order, custom roles after them. */
function roleRank(name: string): number {
  const i = (BUILTIN_ROLES as readonly string[]).indexOf(name);
  return i < 0 ? 100 : i;
}

function RolesTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    app.client.http.request('listRoles').then((r) => setRoles(r.roles), (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!roles) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  roles.sort((a, b) => roleRank(a.name) - roleRank(b.name) || a.name.localeCompare(b.name));
  const perms = [...new Set(roles.flatMap((r) => r.permissions))].sort();
  const custom = roles.filter((r) => !r.builtin);
  return (
    <>
      <p className="muted">{t('access.roles.hint')}</p>
      <div className="table-wrap">
        <table className="table role-matrix" data-testid="roles-table">
          <caption className="sr-only">{t('access.tab.roles')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('access.roles.permission')}</th>
              {roles.map((r) => (
                <th key={r.name} scope="col" className="center">
                  <span className="role-head">
                    {roleLabel(r.name, t)}
                    <span className="role-sub" title={t('access.roles.holders', { n: num(r.holders) })}>
                      <Icon name="user" size={11} /> {num(r.holders)}<span className="sr-only"> {t('access.roles.holders', { n: num(r.holders) })}</span>
                    </span>
                    {!r.builtin && <Badge tone="brand">{t('access.roles.custom')}</Badge>}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {perms.map((p) => (
              <tr key={p}>
                <th scope="row"><code className="perm">{p}</code></th>
                {roles.map((r) => (
                  <td key={r.name} className="center">
                    {r.permissions.includes(p)
                      ? <span className="perm-yes"><Icon name="check" size={15} /><span className="sr-only">{t('access.roles.yes')}</span></span>
                      : <span className="perm-no" aria-hidden="true">·</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">{custom.length ? t('access.roles.customCount', { n: num(custom.length) }) : t('access.roles.noCustom')}</p>
    </>
  );
}
