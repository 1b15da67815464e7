/**
 * Creating and editing a role's permissions, and deleting a custom role (ACL-1). The editor
 * mirrors the server's rules so that the form never offers what would be refused: owner and
 * guest are fixed, nobody edits their own role, and only an owner grants permissions they do
 * not hold themselves (a permission you lack can be taken away, not given). Oversight
 * permissions are marked: a role holding one is privileged, and granting it may need a second
 * administrator (dual control).
 */
import { useMemo, useState } from 'react';
import type { Permission } from '@conclave/sdk';
import type { AppSession } from '../../lib/app-context';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Badge, Button, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { navigate } from '../../ui/router';
import { roleLabel } from '../roles';
import { PERMISSION_GROUPS, groupName, isOversight, permissionHint, permissionName, permissionsIn } from './permissions';
import { FIXED_ROLES, type Role } from './shared';

/** The server's rule for a role name (protocol OrgRoleSchema). */
const ROLE_NAME = /^[a-z][a-z0-9_]{1,39}$/;

/** Why `role` is read-only for the signed-in admin, or null when they may edit it. */
export function editBlock(role: Role, app: Pick<AppSession, 'me'>): 'fixed' | 'own' | null {
  if (FIXED_ROLES.includes(role.name)) return 'fixed';
  if (role.name === app.me.user.role) return 'own';
  return null;
}

/** Create (no `role`), edit, or — when the server would refuse any change — view a role. */
export function RoleEditorDialog({ role, roles, onClose, onSaved }: { role?: Role; roles: Role[]; onClose(): void; onSaved(r: Role): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const creating = !role;
  const block = role ? editBlock(role, app) : null;
  const readOnly = block !== null;
  const isOwner = app.me.user.role === 'owner';
  const mine = useMemo(() => new Set<string>(app.caps?.permissions ?? []), [app.caps]);
  const [name, setName] = useState('');
  const [perms, setPerms] = useState<Set<string>>(() => new Set(role?.permissions ?? []));
  const [startFrom, setStartFrom] = useState('');

  const nameOk = !creating || (ROLE_NAME.test(name) && !roles.some((r) => r.name === name));
  const nameError = creating && name && !ROLE_NAME.test(name) ? t('access.roles.nameRule')
    : creating && roles.some((r) => r.name === name) ? t('err.role.exists', { role: name }) : null;
  // What the server would refuse as escalation: permissions in the set the admin does not hold.
  const notHeld = isOwner ? [] : [...perms].filter((p) => !mine.has(p)).sort();
  const unchanged = !!role && role.permissions.length === perms.size && role.permissions.every((p) => perms.has(p));
  const privileged = [...perms].some(isOversight);

  const toggle = (p: string, on: boolean) => setPerms((s) => { const n = new Set(s); if (on) n.add(p); else n.delete(p); return n; });
  const copyFrom = (from: string) => {
    setStartFrom(from);
    const source = roles.find((r) => r.name === from);
    if (source) setPerms(new Set(source.permissions));
  };

  const { busy, error, submit } = useSubmit(async () => {
    const permissions = [...perms].sort() as Permission[];
    const res = creating
      ? await app.client.http.request('createRole', { body: { name, permissions } })
      : await app.client.http.request('updateRole', { params: { name: role.name }, body: { permissions } });
    onSaved(res.role);
  }, (err) => errorText(err, i18n));

  const title = creating ? t('access.roles.new') : readOnly ? t('access.roles.viewName', { name: roleLabel(role.name, t) }) : t('access.roles.editName', { name: roleLabel(role.name, t) });
  return (
    <Modal
      title={title} onClose={onClose} wide
      footer={readOnly ? <Button variant="primary" onClick={onClose}>{t('common.close')}</Button> : <>
        {error && <p className="form-error footer-error" role="alert" data-testid="role-error">{error}</p>}
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button
          type="submit" form="role-form" variant="primary" busy={busy} data-testid="save-role"
          disabled={!nameOk || (creating && !name) || notHeld.length > 0 || unchanged}
        >
          {creating ? t('access.roles.create') : t('common.saveChanges')}
        </Button>
      </>}
    >
      <form id="role-form" className="stack" onSubmit={submit} data-testid="role-form">
        {creating ? (
          <div className="form-grid">
            <Field label={t('access.roles.name')} hint={t('access.roles.nameHint')} error={nameError}>
              {(id, d) => (
                <input
                  id={id} value={name} onChange={(e) => setName(e.target.value.toLowerCase())} required maxLength={40}
                  autoComplete="off" spellCheck={false} aria-describedby={d} aria-invalid={nameError ? true : undefined}
                />
              )}
            </Field>
            <Field label={t('access.roles.startFrom')} hint={t('access.roles.startFromHint')}>
              {(id, d) => (
                <select id={id} value={startFrom} onChange={(e) => copyFrom(e.target.value)} aria-describedby={d}>
                  <option value="">{t('access.roles.startEmpty')}</option>
                  {roles.filter((r) => r.name !== 'owner').map((r) => <option key={r.name} value={r.name}>{roleLabel(r.name, t)}</option>)}
                </select>
              )}
            </Field>
          </div>
        ) : (
          <p className="muted">
            {block === 'fixed' ? t(role.name === 'owner' ? 'access.roles.fixedOwner' : 'access.roles.fixedGuest')
              : block === 'own' ? t('access.roles.ownRole')
              : role.builtin ? t('access.roles.builtinEdit', { n: num(role.holders) }) : t('access.roles.customEdit', { n: num(role.holders) })}
          </p>
        )}
        {!readOnly && !isOwner && <p className="muted small"><Icon name="info" size={13} /> {t('access.roles.onlyHeld')}</p>}

        <div className="perm-groups">
          {PERMISSION_GROUPS.map((g) => (
            <fieldset key={g} className="perm-group">
              <legend>{t(groupName(g))}</legend>
              <ul className="perm-list" role="list">
                {permissionsIn(g).map((p) => {
                  const checked = perms.has(p);
                  const lacking = !isOwner && !mine.has(p);
                  const hintId = `perm-hint-${p.replace('.', '-')}`;
                  return (
                    <li key={p} className={`perm-item ${checked ? 'on' : ''}`} data-permission={p}>
                      <label>
                        <input
                          type="checkbox" checked={checked} aria-describedby={hintId}
                          disabled={readOnly || (lacking && !checked)} onChange={(e) => toggle(p, e.target.checked)}
                        />
                        <span className="perm-text">
                          <span className="perm-title">
                            {t(permissionName(p))}
                            {isOversight(p) && <Badge tone="warning">{t('access.roles.oversight')}</Badge>}
                            {lacking && !readOnly && <Badge>{t('access.roles.notYours')}</Badge>}
                          </span>
                          <span className="perm-hint" id={hintId}>{t(permissionHint(p))} <code>{p}</code></span>
                        </span>
                      </label>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ))}
        </div>
        {!readOnly && privileged && <div className="notice notice-info"><Icon name="shield" /> <span>{t('access.roles.privilegedNote')}</span></div>}
        {notHeld.length > 0 && (
          <div className="notice notice-warning" role="status"><Icon name="alert" /> <span>{t('access.roles.escalationNote', { permissions: notHeld.join(', ') })}</span></div>
        )}
      </form>
    </Modal>
  );
}

/** Deleting a custom role: refused while anyone holds it, which the dialog says before the server does. */
export function DeleteRoleDialog({ role, onClose, onDeleted }: { role: Role; onClose(): void; onDeleted(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const { busy, error, submit } = useSubmit(async () => {
    await app.client.http.request('deleteRole', { params: { name: role.name } });
    onDeleted();
  }, (err) => errorText(err, i18n));
  return (
    <Modal
      title={t('access.roles.deleteName', { name: role.name })} onClose={onClose}
      footer={<>
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="danger" icon="trash" busy={busy} disabled={role.holders > 0} data-testid="confirm-delete-role" onClick={() => void submit()}>{t('common.delete')}</Button>
      </>}
    >
      <div className="stack">
        {role.holders > 0 ? (
          <div className="notice notice-warning">
            <Icon name="alert" />
            <span>
              {t('err.role.inUse', { role: role.name, n: role.holders })}{' '}
              <button type="button" className="link" onClick={() => navigate('/admin/users')}>{t('access.roles.toUsers')}</button>
            </span>
          </div>
        ) : <p>{t('access.roles.deleteBody', { name: role.name })}</p>}
        {error && <p className="form-error" role="alert" data-testid="delete-role-error">{error}</p>}
      </div>
    </Modal>
  );
}
