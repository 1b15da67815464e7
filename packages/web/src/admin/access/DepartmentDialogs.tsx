/**
 * Creating, editing (rename, move, manager, isolation) and deleting a department (ACL-2). The
 * parent list of a move offers only departments outside the one being moved, so no cycle can be
 * picked; the server refuses one anyway. Delete explains up front what keeps a department.
 */
import { useMemo, useState } from 'react';
import type { User } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Button, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { flattenTree, subtreeIds, type Department, type TreeRow } from './shared';

/** A parent <select>: top level, then the tree indented, without `exclude`. */
function ParentSelect({ id, rows, value, onChange, exclude, describedBy }: { id: string; rows: TreeRow[]; value: string; onChange(v: string): void; exclude?: Set<string>; describedBy?: string }) {
  const { t } = useI18n();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy}>
      <option value="">{t('access.dept.topLevel')}</option>
      {rows.filter(({ dept }) => !exclude?.has(dept.id)).map(({ dept, depth }) => <option key={dept.id} value={dept.id}>{'\u00a0\u00a0'.repeat(depth) + dept.name}</option>)}
    </select>
  );
}

function ManagerSelect({ id, users, value, onChange }: { id: string; users: User[]; value: string; onChange(v: string): void }) {
  const { t } = useI18n();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('access.dept.noManager')}</option>
      {value && !users.some((u) => u.id === value) && <option value={value}>{value}</option>}
      {users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
    </select>
  );
}

export function CreateDepartmentDialog({ departments, users, parentId: initialParent, onClose, onCreated }: {
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
        <Field label={t('access.dept.parent')}>{(id) => <ParentSelect id={id} rows={departments} value={parentId} onChange={setParentId} />}</Field>
        <Field label={t('access.dept.manager')}>{(id) => <ManagerSelect id={id} users={users} value={managerId} onChange={setManagerId} />}</Field>
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

/** Rename, move, manager and isolation in one form; only changed fields are sent. */
export function EditDepartmentDialog({ dept, all, users, onClose, onSaved }: {
  dept: Department; all: Department[]; users: User[]; onClose(): void; onSaved(before: Department, after: Department): void;
}) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState(dept.name);
  const [parentId, setParentId] = useState(dept.parentId ?? '');
  const [managerId, setManagerId] = useState(dept.managerId ?? '');
  const [isolation, setIsolation] = useState(dept.externalIsolation);
  const rows = useMemo(() => flattenTree(all), [all]);
  // Itself and its sub-departments cannot become its parent (the server refuses cycles too).
  const invalidParents = useMemo(() => subtreeIds(all, dept.id), [all, dept.id]);
  const below = invalidParents.size - 1;

  const body = {
    ...(name.trim() !== dept.name ? { name: name.trim() } : {}),
    ...((parentId || null) !== dept.parentId ? { parentId: parentId || null } : {}),
    ...((managerId || null) !== dept.managerId ? { managerId: managerId || null } : {}),
    ...(isolation !== dept.externalIsolation ? { externalIsolation: isolation } : {}),
  };
  const changed = Object.keys(body).length > 0;
  const { busy, error, submit } = useSubmit(async () => {
    const { department } = await app.client.http.request('updateDepartment', { params: { id: dept.id }, body });
    onSaved(dept, department);
  }, (err) => errorText(err, i18n));

  return (
    <Modal title={t('access.dept.editName', { name: dept.name })} onClose={onClose}>
      <form className="stack" onSubmit={submit} data-testid="department-form">
        <Field label={t('access.dept.name')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} autoComplete="off" />}</Field>
        <Field label={t('access.dept.parent')} hint={below > 0 ? t('access.dept.moveHint', { n: below }) : undefined}>
          {(id, d) => <ParentSelect id={id} rows={rows} value={parentId} onChange={setParentId} exclude={invalidParents} describedBy={d} />}
        </Field>
        <Field label={t('access.dept.manager')}>{(id) => <ManagerSelect id={id} users={users} value={managerId} onChange={setManagerId} />}</Field>
        <label className="check"><input type="checkbox" checked={isolation} onChange={(e) => setIsolation(e.target.checked)} /> {t('access.dept.isolationCheck')}</label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!name.trim() || !changed}>{t('common.saveChanges')}</Button>
        </div>
      </form>
    </Modal>
  );
}

/** Deleting needs an empty department (no sub-departments, no members); the dialog says which is missing. */
export function DeleteDepartmentDialog({ dept, all, onClose, onDeleted }: { dept: Department; all: Department[]; onClose(): void; onDeleted(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const children = all.filter((d) => d.parentId === dept.id).length;
  const blockers = [
    children > 0 && t('err.dept.hasChildren', { n: children }),
    dept.memberCount > 0 && t('err.dept.hasMembers', { n: dept.memberCount }),
  ].filter((x): x is string => !!x);
  const { busy, error, submit } = useSubmit(async () => {
    await app.client.http.request('deleteDepartment', { params: { id: dept.id } });
    onDeleted();
  }, (err) => errorText(err, i18n));
  return (
    <Modal
      title={t('access.dept.deleteName', { name: dept.name })} onClose={onClose}
      footer={<>
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="danger" icon="trash" busy={busy} disabled={blockers.length > 0} data-testid="confirm-delete-department" onClick={() => void submit()}>{t('common.delete')}</Button>
      </>}
    >
      <div className="stack">
        {blockers.length > 0
          ? <div className="notice notice-warning"><Icon name="alert" /> <span>{blockers.join(' ')}</span></div>
          : <p>{t('access.dept.deleteBody', { name: dept.name })}</p>}
        {error && <p className="form-error" role="alert">{error}</p>}
      </div>
    </Modal>
  );
}
