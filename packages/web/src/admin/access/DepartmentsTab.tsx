/**
 * Departments (ACL-2, departments.manage): the org tree with each department's manager, member
 * count and external isolation (ACL-4). The manager and the isolation switch change in place;
 * rename and move (only to parents that make no cycle), and delete (only empty departments)
 * go through dialogs. Every refusal of the server is shown in the user's language.
 */
import { useEffect, useMemo, useState } from 'react';
import type { User } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Button, IconButton } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { CreateDepartmentDialog, DeleteDepartmentDialog, EditDepartmentDialog } from './DepartmentDialogs';
import { Loading, flattenTree, type Department } from './shared';

type Dialog = { kind: 'create'; parentId: string | null } | { kind: 'edit' | 'delete'; dept: Department };

export function DepartmentsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const [depts, setDepts] = useState<Department[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const load = () => app.client.http.request('listDepartments').then((r) => setDepts(r.departments), (err) => setError(errorText(err, i18n)));
  useEffect(() => {
    void load();
    app.client.users.list({}).then((r) => setUsers(r.users.filter((u) => u.status === 'active')), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const rows = useMemo(() => flattenTree(depts ?? []), [depts]);
  const nameOf = (id: string | null) => (id ? users.find((u) => u.id === id)?.name ?? null : null);
  const open = (d: Dialog) => { setNotice(null); setError(null); setDialog(d); };
  const done = (message: string) => { setDialog(null); setNotice(message); void load(); };

  const update = async (d: Department, body: { managerId?: string | null; externalIsolation?: boolean }, message: string) => {
    setError(null);
    setNotice(null);
    // Optimistic: the switch and the select move at once; a refusal puts them back.
    setDepts((list) => (list ?? []).map((x) => (x.id === d.id ? { ...x, ...body } : x)));
    try {
      const { department } = await app.client.http.request('updateDepartment', { params: { id: d.id }, body });
      setDepts((list) => (list ?? []).map((x) => (x.id === department.id ? department : x)));
      setNotice(message);
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
        <Button variant="primary" icon="plus" onClick={() => open({ kind: 'create', parentId: null })}>{t('access.dept.add')}</Button>
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
                  <span className="row-actions">
                    <Button size="sm" variant="ghost" icon="plus" onClick={() => open({ kind: 'create', parentId: d.id })} aria-label={t('access.dept.addSubOf', { name: d.name })}>
                      {t('access.dept.addSub')}
                    </Button>
                    <IconButton icon="edit" label={t('access.dept.editName', { name: d.name })} onClick={() => open({ kind: 'edit', dept: d })} />
                    <IconButton icon="trash" className="danger-hover" label={t('access.dept.deleteName', { name: d.name })} onClick={() => open({ kind: 'delete', dept: d })} />
                  </span>
                </td>
              </tr>
            ))}
            {rows.length === 0 && <tr><td colSpan={5} className="muted center">{t('access.dept.empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      <p className="muted small">{t('access.dept.isolationHint')}</p>
      {dialog?.kind === 'create' && (
        <CreateDepartmentDialog
          departments={rows} users={users} parentId={dialog.parentId} onClose={() => setDialog(null)}
          onCreated={(d) => done(t('access.dept.created', { name: d.name }))}
        />
      )}
      {dialog?.kind === 'edit' && (
        <EditDepartmentDialog
          dept={dialog.dept} all={depts} users={users} onClose={() => setDialog(null)}
          onSaved={(before, after) => done(before.name !== after.name ? t('access.dept.renamed', { from: before.name, name: after.name }) : t('access.dept.saved', { name: after.name }))}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteDepartmentDialog dept={dialog.dept} all={depts} onClose={() => setDialog(null)} onDeleted={() => done(t('access.dept.deleted', { name: dialog.dept.name }))} />
      )}
    </>
  );
}
