/**
 * Pending approvals (ACL-1, separation of duties): privileged role grants waiting for a second
 * administrator — who asked for which role for whom, and when. An admin decides others'
 * requests only: their own requests and grants to themselves are shown as such, without
 * buttons (the server refuses them anyway, same_admin / self_grant). Approving shows what
 * the role will let the person do before it takes effect.
 */
import { useEffect, useState } from 'react';
import type { User } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Badge, Button, Empty, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { navigate } from '../../ui/router';
import { roleLabel } from '../roles';
import { isOversight, permissionName } from './permissions';
import { canDecide, usePendingGrants } from './pending-grants';
import { Loading, type Role, type RoleGrant } from './shared';

export function ApprovalsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num } = i18n;
  const { grants, refresh } = usePendingGrants();
  const [users, setUsers] = useState<Map<string, User>>(new Map());
  const [roles, setRoles] = useState<Role[]>([]);
  const [dualControl, setDualControl] = useState<boolean | null>(null);
  const [deciding, setDeciding] = useState<{ grant: RoleGrant; approve: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void refresh();
    app.client.users.list({ includeDeactivated: 'true' }).then((r) => setUsers(new Map(r.users.map((u) => [u.id, u]))), (err) => setError(errorText(err, i18n)));
    app.client.http.request('listRoles').then((r) => setRoles(r.roles), () => undefined);
    if (app.can('org.update_settings')) app.client.org.getSettings().then((r) => setDualControl(r.settings.dualControlRoleGrants), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const me = app.me.user.id;
  const nameOf = (id: string) => users.get(id)?.name ?? id;
  if (!grants) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const mine = grants.filter((g) => !canDecide(g, me)).length;
  return (
    <>
      <div className="section-head">
        <div className="stats">
          <div className="stat"><span className="stat-value" data-testid="approvals-count">{num(grants.length - mine)}</span><span className="stat-label">{t('access.approvals.forYou')}</span></div>
          <div className="stat"><span className="stat-value">{num(mine)}</span><span className="stat-label">{t('access.approvals.byOthers')}</span></div>
        </div>
        <Button variant="ghost" icon="refresh" onClick={() => void refresh()}>{t('alerts.refresh')}</Button>
      </div>
      <p className="muted">{t('access.approvals.hint')}</p>
      {dualControl === false && (
        <div className="notice notice-info">
          <Icon name="info" />
          <span>{t('access.approvals.dualControlOff')} <button type="button" className="link" onClick={() => navigate('/admin/access/levels')}>{t('access.approvals.dualControlLink')}</button></span>
        </div>
      )}
      {notice && <div className="notice notice-success" role="status" data-testid="approvals-notice"><Icon name="check" /> <span>{notice}</span></div>}
      {error && <p className="form-error" role="alert">{error}</p>}
      {grants.length === 0 ? (
        <Empty icon="userCheck" title={t('access.approvals.empty')}>{t('access.approvals.emptyHint')}</Empty>
      ) : (
        <ul className="grant-list" data-testid="approvals-list" aria-label={t('access.tab.approvals')}>
          {grants.map((g) => {
            const user = users.get(g.userId);
            const role = roles.find((r) => r.name === g.role);
            const ownRequest = g.requestedBy === me;
            return (
              <li key={g.id} className="grant-item" data-grant={g.id} data-user={user?.email ?? g.userId}>
                <span className="grant-icon" aria-hidden="true"><Icon name="key" size={18} /></span>
                <div className="grant-main">
                  <p className="grant-title">
                    {t('access.approvals.title', { name: nameOf(g.userId), role: roleLabel(g.role, t) })}
                    {role && role.permissions.some(isOversight) && <Badge tone="warning"><Icon name="shield" size={11} /> {t('access.roles.privileged')}</Badge>}
                  </p>
                  <p className="muted small">
                    {user && <>{t('access.approvals.currently', { role: roleLabel(user.role, t) })} · </>}
                    {t('access.approvals.requested', { name: g.requestedBy === me ? t('access.approvals.you') : nameOf(g.requestedBy) })} ·{' '}
                    <time dateTime={new Date(g.requestedAt).toISOString()} title={i18n.dateTime(g.requestedAt)}>{i18n.relative(g.requestedAt)}</time>
                  </p>
                </div>
                {canDecide(g, me) ? (
                  <span className="row-actions">
                    <Button size="sm" variant="danger" onClick={() => { setNotice(null); setDeciding({ grant: g, approve: false }); }}>
                      {t('access.approvals.reject')}<span className="sr-only"> — {nameOf(g.userId)}</span>
                    </Button>
                    <Button size="sm" variant="primary" icon="check" onClick={() => { setNotice(null); setDeciding({ grant: g, approve: true }); }}>
                      {t('access.approvals.approve')}<span className="sr-only"> — {nameOf(g.userId)}</span>
                    </Button>
                  </span>
                ) : (
                  <p className="grant-wait small" data-testid="own-request"><Icon name="lock" size={13} /> {ownRequest ? t('access.approvals.ownRequest') : t('access.approvals.forYouGrant')}</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {deciding && (
        <DecideDialog
          grant={deciding.grant} approve={deciding.approve} user={users.get(deciding.grant.userId)} role={roles.find((r) => r.name === deciding.grant.role)}
          requester={nameOf(deciding.grant.requestedBy)} onClose={() => setDeciding(null)}
          onDone={(g) => {
            setDeciding(null);
            const vars = { name: nameOf(g.userId), role: roleLabel(g.role, t) };
            setNotice(g.status === 'approved' ? t('access.approvals.approved', vars) : t('access.approvals.rejected', vars));
            void refresh();
          }}
        />
      )}
    </>
  );
}

function DecideDialog({ grant, approve, user, role, requester, onClose, onDone }: {
  grant: RoleGrant; approve: boolean; user?: User; role?: Role; requester: string; onClose(): void; onDone(g: RoleGrant): void;
}) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const name = user?.name ?? grant.userId;
  const { busy, error, submit } = useSubmit(async () => {
    const { grant: decided } = await app.client.http.request(approve ? 'approveRoleGrant' : 'rejectRoleGrant', { params: { id: grant.id } });
    onDone(decided);
  }, (err) => errorText(err, i18n));
  const vars = { name, role: roleLabel(grant.role, t) };
  return (
    <Modal
      title={approve ? t('access.approvals.approveTitle', vars) : t('access.approvals.rejectTitle', vars)} onClose={onClose}
      footer={<>
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant={approve ? 'primary' : 'danger'} busy={busy} data-testid="confirm-decision" onClick={() => void submit()}>
          {approve ? t('access.approvals.approve') : t('access.approvals.reject')}
        </Button>
      </>}
    >
      <div className="stack">
        <dl className="deflist">
          <dt>{t('access.approvals.person')}</dt><dd>{name}{user && <span className="muted"> · {user.email}</span>}</dd>
          <dt>{t('access.approvals.change')}</dt><dd>{user ? `${roleLabel(user.role, t)} → ` : ''}<strong>{roleLabel(grant.role, t)}</strong></dd>
          <dt>{t('access.approvals.requestedBy')}</dt><dd>{requester} · {i18n.dateTime(grant.requestedAt)}</dd>
        </dl>
        {approve && role && (
          <div>
            <h3 className="section-title">{t('access.approvals.willAllow')}</h3>
            <ul className="perm-summary" role="list">
              {[...role.permissions].sort((a, b) => Number(isOversight(b)) - Number(isOversight(a)) || a.localeCompare(b)).map((p) => (
                <li key={p} className={isOversight(p) ? 'oversight' : ''}>{isOversight(p) && <Icon name="shield" size={12} />} {t(permissionName(p))}</li>
              ))}
            </ul>
          </div>
        )}
        <p className="muted small">{approve ? t('access.approvals.approveBody') : t('access.approvals.rejectBody', vars)}</p>
        {error && <p className="form-error" role="alert" data-testid="decision-error">{error}</p>}
      </div>
    </Modal>
  );
}
