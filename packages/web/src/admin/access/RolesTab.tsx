/**
 * Roles (ACL-1, roles.manage): every role with its holders and what kind it is, creating a
 * custom role, editing a role's permissions where the server allows it (not owner or guest, not
 * your own role, nothing you do not hold yourself), deleting an unused custom role, and the
 * role × permission table to compare them.
 */
import { useEffect, useState } from 'react';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Badge, Button } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { Card } from '../../ui/PageShell';
import { roleLabel } from '../roles';
import { isPrivilegedRole } from './permissions';
import { DeleteRoleDialog, RoleEditorDialog, editBlock } from './RoleDialogs';
import { FIXED_ROLES, Loading, sortRoles, type Role } from './shared';

type Dialog = { kind: 'create' } | { kind: 'edit' | 'delete'; role: Role };

export function RolesTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const load = () => app.client.http.request('listRoles').then((r) => setRoles(sortRoles(r.roles)), (err) => setError(errorText(err, i18n)));
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const open = (d: Dialog) => { setNotice(null); setDialog(d); };
  const done = (message: string) => { setDialog(null); setNotice(message); void load(); };

  if (!roles) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const perms = [...new Set(roles.flatMap((r) => r.permissions))].sort();
  const custom = roles.filter((r) => !r.builtin);
  return (
    <>
      <div className="section-head">
        <p className="muted grow">{t('access.roles.hint')}</p>
        <Button variant="primary" icon="plus" onClick={() => open({ kind: 'create' })} data-testid="new-role">{t('access.roles.new')}</Button>
      </div>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
      {error && <p className="form-error" role="alert">{error}</p>}

      <div className="table-wrap">
        <table className="table role-list" data-testid="roles-list">
          <caption className="sr-only">{t('access.roles.listCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('access.roles.role')}</th>
              <th scope="col">{t('access.roles.kind')}</th>
              <th scope="col" className="num">{t('access.roles.holdersCol')}</th>
              <th scope="col">{t('access.roles.permissions')}</th>
              <th scope="col"><span className="sr-only">{t('admin.users.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => {
              const block = editBlock(r, app);
              const label = roleLabel(r.name, t);
              return (
                <tr key={r.name} data-role={r.name}>
                  <th scope="row">
                    <span className="role-name">
                      <span>{label}</span>
                      {label !== r.name && <code className="muted small">{r.name}</code>}
                    </span>
                  </th>
                  <td>
                    <span className="row gap-sm">
                      {r.builtin ? <Badge>{t('access.roles.builtin')}</Badge> : <Badge tone="brand">{t('access.roles.custom')}</Badge>}
                      {FIXED_ROLES.includes(r.name) && <Badge><Icon name="lock" size={11} /> {t('access.roles.fixed')}</Badge>}
                      {isPrivilegedRole(r) && <Badge tone="warning" title={t('access.roles.privilegedHint')}><Icon name="shield" size={11} /> {t('access.roles.privileged')}</Badge>}
                    </span>
                  </td>
                  <td className="num">{num(r.holders)}</td>
                  <td className="muted small">{i18n.plural('access.roles.permCount', r.permissions.length)}</td>
                  <td className="actions-cell">
                    <span className="row-actions">
                      <Button size="sm" variant="ghost" icon={block ? 'info' : 'edit'} onClick={() => open({ kind: 'edit', role: r })}>
                        {block ? t('access.roles.view') : t('access.roles.edit')}<span className="sr-only"> {label}</span>
                      </Button>
                      {!r.builtin && (
                        <Button size="sm" variant="danger" icon="trash" onClick={() => open({ kind: 'delete', role: r })}>
                          {t('common.delete')}<span className="sr-only"> {label}</span>
                        </Button>
                      )}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">{custom.length ? t('access.roles.customCount', { n: num(custom.length) }) : t('access.roles.noCustom')}</p>

      <Card title={t('access.roles.compare')} description={t('access.roles.compareHint')}>
        <div className="table-wrap flat">
          <table className="table role-matrix" data-testid="roles-table">
            <caption className="sr-only">{t('access.roles.compare')}</caption>
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
      </Card>

      {dialog?.kind === 'create' && (
        <RoleEditorDialog roles={roles} onClose={() => setDialog(null)} onSaved={(r) => done(t('access.roles.created', { name: r.name }))} />
      )}
      {dialog?.kind === 'edit' && (
        <RoleEditorDialog role={dialog.role} roles={roles} onClose={() => setDialog(null)} onSaved={(r) => done(t('access.roles.saved', { name: roleLabel(r.name, t) }))} />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteRoleDialog role={dialog.role} onClose={() => setDialog(null)} onDeleted={() => done(t('access.roles.deleted', { name: dialog.role.name }))} />
      )}
    </>
  );
}
