/**
 * Users: list, create (one-time password shown once), change role (built-in and custom roles;
 * a privileged grant under dual control waits for a second admin and says so, ACL-1),
 * deactivate / reactivate, sessions.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Session, User } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Avatar, Badge, Button, CopyButton, Field, Modal, PresenceDot } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { useSubmit } from '../ui/use-submit';
import { BUILTIN_ROLES, roleLabel } from './roles';
import { usePendingGrants } from './access/pending-grants';
import { sortRoles } from './access/shared';

export function UsersAdmin() {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t, num } = i18n;
  const [users, setUsers] = useState<User[] | null>(null);
  const [q, setQ] = useState('');
  const [showInactive, setShowInactive] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [confirm, setConfirm] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [sessionsOf, setSessionsOf] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [roleNames, setRoleNames] = useState<string[]>([...BUILTIN_ROLES]);
  const pending = usePendingGrants();

  const load = () => app.client.users.list({ includeDeactivated: 'true' }).then((r) => setUsers(r.users), (err) => setError(errorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => {
    void load();
    // Custom roles too (listRoles needs users.update or roles.manage, which changing roles needs anyway).
    if (app.can('users.update')) app.client.http.request('listRoles').then((r) => setRoleNames(sortRoles(r.roles).map((x) => x.name)), () => undefined);
  }, []);

  const shown = useMemo(() => {
    const query = q.trim().toLowerCase();
    return (users ?? [])
      .filter((u) => showInactive || u.status === 'active')
      .filter((u) => !query || u.name.toLowerCase().includes(query) || u.email.includes(query))
      .sort((a, b) => Number(a.status !== 'active') - Number(b.status !== 'active') || a.name.localeCompare(b.name));
  }, [users, q, showInactive]);
  const active = users?.filter((u) => u.status === 'active').length ?? 0;
  const withMfa = users?.filter((u) => u.status === 'active' && u.mfaEnabled).length ?? 0;

  const act = async (fn: () => Promise<unknown>, done?: string) => {
    setError(null);
    try {
      await fn();
      if (done) setNotice(done);
      await load();
    } catch (err) {
      setError(errorText(err, i18n));
    }
  };

  const pendingFor = (userId: string) => pending.grants?.find((g) => g.userId === userId);
  /** A privileged grant under dual control comes back pending: the user keeps their role until a second admin approves. */
  const changeRole = (u: User, role: string) => act(async () => {
    const res = await app.client.users.update(u.id, { role: role as User['role'] });
    if (res.pendingGrant) {
      setNotice(t('admin.users.rolePending', { name: u.name, role: roleLabel(role, t) }));
      await pending.refresh();
    } else {
      setNotice(t('admin.users.roleChanged', { name: u.name }));
    }
  });

  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.users')}</h2>
          <p className="muted">{t('admin.users.hint')}</p>
        </div>
        <span className="spacer" />
        {app.can('users.create') && <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>{t('admin.users.add')}</Button>}
      </header>
      <div className="stats">
        <div className="stat"><span className="stat-value">{num(active)}</span><span className="stat-label">{t('admin.users.active')}</span></div>
        <div className="stat"><span className="stat-value">{num((users?.length ?? 0) - active)}</span><span className="stat-label">{t('admin.users.deactivated')}</span></div>
        <div className="stat"><span className="stat-value">{active ? i18n.num(withMfa / active, { style: 'percent' }) : '—'}</span><span className="stat-label">{t('admin.users.mfaCoverage')}</span></div>
      </div>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> {notice} <button type="button" className="link" onClick={() => setNotice(null)}>{t('common.dismiss')}</button></div>}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="table-tools">
        <div className="search-input">
          <Icon name="search" />
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('admin.users.search')} aria-label={t('admin.users.search')} />
        </div>
        <label className="check"><input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} /> {t('admin.users.showDeactivated')}</label>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.users.name')}</th>
              <th scope="col">{t('admin.users.role')}</th>
              <th scope="col">{t('admin.users.status')}</th>
              <th scope="col">{t('admin.users.mfa')}</th>
              <th scope="col">{t('admin.users.created')}</th>
              <th scope="col"><span className="sr-only">{t('admin.users.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((u) => {
              const self = u.id === store.me.id;
              return (
                <tr key={u.id} className={u.status !== 'active' ? 'inactive' : ''} data-user-email={u.email}>
                  <td>
                    <span className="user-cell">
                      <Avatar id={u.id} name={u.name} size={32} />
                      <span>
                        <span className="user-name">{u.name}{self && <span className="muted"> ({t('chat.you')})</span>}</span>
                        <span className="muted small">{u.email}</span>
                      </span>
                    </span>
                  </td>
                  <td>
                    {app.can('users.update') && !self && u.status === 'active' ? (
                      <select
                        value={u.role} aria-label={t('admin.users.roleFor', { name: u.name })}
                        onChange={(e) => void changeRole(u, e.target.value)}
                      >
                        {[...new Set([...roleNames, u.role])].filter((r) => r !== 'owner' || app.me.user.role === 'owner' || u.role === 'owner').map((r) => <option key={r} value={r}>{roleLabel(r, t)}</option>)}
                      </select>
                    ) : <Badge>{roleLabel(u.role, t)}</Badge>}
                    {pendingFor(u.id) && <span className="pending-grant"><Badge tone="warning"><Icon name="clock" size={11} /> {t('admin.users.pendingRole', { role: roleLabel(pendingFor(u.id)!.role, t) })}</Badge></span>}
                  </td>
                  <td>
                    {u.status === 'active'
                      ? <span className="status"><PresenceDot status={store.presenceOf(u.id)} /> {t(`presence.${store.presenceOf(u.id)}`)}</span>
                      : <Badge tone="danger">{t('admin.users.deactivatedOne')}</Badge>}
                  </td>
                  <td>{u.mfaEnabled ? <Badge tone="success"><Icon name="check" size={12} /> {t('admin.users.mfaOn')}</Badge> : <Badge tone="warning">{t('admin.users.mfaOff')}</Badge>}</td>
                  <td className="muted small nowrap" title={i18n.dateTime(u.createdAt)}>{i18n.date(u.createdAt)}</td>
                  <td className="actions-cell">
                    {app.can('users.view_sessions') && <Button size="sm" variant="ghost" icon="monitor" onClick={() => setSessionsOf(u)}>{t('admin.users.sessions')}</Button>}
                    {!self && app.can('users.update') && u.status === 'active' && u.mfaEnabled && (
                      <Button size="sm" variant="ghost" icon="key" onClick={() => setResetting(u)} data-testid="reset-mfa">{t('admin.users.resetMfa')}</Button>
                    )}
                    {!self && app.can('users.deactivate') && (u.status === 'active'
                      ? <Button size="sm" variant="danger" onClick={() => setConfirm(u)} data-testid="deactivate">{t('admin.users.deactivate')}</Button>
                      : <Button size="sm" onClick={() => void act(() => app.client.users.reactivate(u.id), t('admin.users.reactivated', { name: u.name }))}>{t('admin.users.reactivate')}</Button>)}
                  </td>
                </tr>
              );
            })}
            {users && shown.length === 0 && <tr><td colSpan={6} className="muted center">{t('picker.noMatch')}</td></tr>}
          </tbody>
        </table>
      </div>
      {creating && <CreateUserDialog roleNames={roleNames} onClose={() => setCreating(false)} onCreated={() => void load()} />}
      {confirm && (
        <Modal
          title={t('admin.users.deactivateTitle', { name: confirm.name })} onClose={() => setConfirm(null)}
          footer={<>
            <Button variant="ghost" onClick={() => setConfirm(null)}>{t('common.cancel')}</Button>
            <Button variant="danger" data-testid="confirm-deactivate" onClick={() => { const u = confirm; setConfirm(null); void act(() => app.client.users.deactivate(u.id), t('admin.users.deactivatedDone', { name: u.name })); }}>{t('admin.users.deactivate')}</Button>
          </>}
        >
          <p>{t('admin.users.deactivateBody')}</p>
        </Modal>
      )}
      {resetting && (
        <Modal
          title={t('admin.users.resetMfaTitle', { name: resetting.name })} onClose={() => setResetting(null)}
          footer={<>
            <Button variant="ghost" onClick={() => setResetting(null)}>{t('common.cancel')}</Button>
            <Button
              variant="danger" data-testid="confirm-reset-mfa"
              onClick={() => {
                const u = resetting;
                setResetting(null);
                // IAM-1: TOTP, recovery codes and security keys go; the server revokes their sessions.
                void act(async () => {
                  const r = await app.client.webauthn.resetUserMfa(u.id);
                  setNotice(t('admin.users.resetMfaDone', { name: u.name, keys: r.removedSecurityKeys }));
                });
              }}
            >{t('admin.users.resetMfa')}</Button>
          </>}
        >
          <p>{t('admin.users.resetMfaBody')}</p>
        </Modal>
      )}
      {sessionsOf && <UserSessionsDialog user={sessionsOf} onClose={() => setSessionsOf(null)} />}
    </>
  );
}

function CreateUserDialog({ roleNames, onClose, onCreated }: { roleNames: string[]; onClose(): void; onCreated(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('member');
  const [created, setCreated] = useState<{ user: User; oneTimePassword: string | null } | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    const res = await app.client.users.create({ email: email.trim(), name: name.trim(), role: role as User['role'] });
    setCreated(res);
    onCreated();
  }, (err) => errorText(err, i18n));
  if (created) {
    return (
      <Modal title={t('admin.users.createdTitle')} onClose={onClose} footer={<Button variant="primary" onClick={onClose}>{t('common.done')}</Button>}>
        <div className="stack">
          <p>{t('admin.users.createdBody', { name: created.user.name, email: created.user.email })}</p>
          {created.oneTimePassword && (
            <>
              <div className="otp-box">
                <code data-testid="one-time-password">{created.oneTimePassword}</code>
                <CopyButton text={created.oneTimePassword} />
              </div>
              <div className="notice notice-warning"><Icon name="alert" /> {t('admin.users.otpWarning')}</div>
            </>
          )}
        </div>
      </Modal>
    );
  }
  return (
    <Modal title={t('admin.users.add')} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <Field label={t('admin.users.name')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoComplete="off" />}</Field>
        <Field label={t('login.email')}>{(id) => <input id={id} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" />}</Field>
        <Field label={t('admin.users.role')}>
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(e.target.value)}>
              {roleNames.filter((r) => r !== 'owner' || app.me.user.role === 'owner').map((r) => <option key={r} value={r}>{roleLabel(r, t)}</option>)}
            </select>
          )}
        </Field>
        <p className="muted small">{t('admin.users.otpHint')}</p>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!email.trim() || !name.trim()}>{t('admin.users.create')}</Button>
        </div>
      </form>
    </Modal>
  );
}

function UserSessionsDialog({ user, onClose }: { user: User; onClose(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t, relative, dateTime } = i18n;
  const [list, setList] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => app.client.users.sessions(user.id).then((r) => setList(r.sessions), (err) => setError(errorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, [user.id]);
  return (
    <Modal title={t('admin.users.sessionsOf', { name: user.name })} onClose={onClose} wide>
      {error && <p className="form-error" role="alert">{error}</p>}
      {list && list.length === 0 && <p className="muted">{t('admin.users.noSessions')}</p>}
      <ul className="session-list">
        {(list ?? []).map((s) => (
          <li key={s.id} className="session-row">
            <span className="session-icon"><Icon name="monitor" size={20} /></span>
            <span className="session-text">
              <span className="session-device">{s.userAgent?.slice(0, 80) ?? t('sessions.unknownDevice')}</span>
              <span className="muted small">{s.ip ?? t('sessions.unknownIp')} · {t('sessions.signedIn', { when: dateTime(s.createdAt) })} · {t('sessions.lastActive', { when: relative(s.lastSeenAt) })}</span>
            </span>
            {app.can('users.revoke_sessions') && (
              <Button size="sm" variant="danger" onClick={() => void app.client.users.revokeSession(user.id, s.id).then(load, (err) => setError(errorText(err, i18n)))}>{t('sessions.revoke')}</Button>
            )}
          </li>
        ))}
      </ul>
    </Modal>
  );
}
