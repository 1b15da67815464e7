/** Settings: profile, password, two-factor authentication (TOTP and security keys, IAM-1), sessions and devices, preferences, my data (GOV-3). */
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import type { Session } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { PasswordForm, RecoveryCodes, TotpEnrolment } from '../auth/AuthScreens';
import { Avatar, Badge, Button, Field, Spinner } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { LanguageSelect } from '../ui/LanguageSelect';
import { Card, PageShell } from '../ui/PageShell';
import { usePath } from '../ui/router';
import { roleLabel } from '../admin/roles';
import { SecurityKeysCard, type SecondFactors } from './SecurityKeys';

/** Loaded on opening, with the governance messages it shares with the admin console. */
const MyData = lazy(() => import('./MyData'));

const SECTIONS = ['profile', 'security', 'sessions', 'preferences', 'my-data'] as const;
type Section = (typeof SECTIONS)[number];

export default function SettingsPage() {
  const { t } = useI18n();
  const path = usePath();
  const seg = path.split('/')[2] as Section | undefined;
  const active: Section = seg && SECTIONS.includes(seg) ? seg : 'profile';
  return (
    <PageShell
      title={t('settings.title')} base="/settings" active={active}
      nav={[
        { id: 'profile', label: t('settings.profile'), icon: 'user' },
        { id: 'security', label: t('settings.security'), icon: 'key' },
        { id: 'sessions', label: t('settings.sessions'), icon: 'monitor' },
        { id: 'preferences', label: t('settings.preferences'), icon: 'globe' },
        { id: 'my-data', label: t('settings.myData'), icon: 'fileText' },
      ]}
    >
      {active === 'profile' && <Profile />}
      {active === 'security' && <Security />}
      {active === 'sessions' && <Sessions />}
      {active === 'preferences' && <Preferences />}
      {active === 'my-data' && <Suspense fallback={<Spinner label={t('common.loading')} />}><MyData /></Suspense>}
    </PageShell>
  );
}

function Profile() {
  const app = useApp();
  const { t, dateTime } = useI18n();
  const u = app.me.user;
  return (
    <>
      <header className="page-head"><h2>{t('settings.profile')}</h2><p className="muted">{t('settings.profileHint')}</p></header>
      <Card title={t('settings.profile')}>
        <div className="profile-row">
          <Avatar id={u.id} name={u.name} size={64} />
          <dl className="deflist">
            <dt>{t('admin.users.name')}</dt><dd>{u.name}</dd>
            <dt>{t('login.email')}</dt><dd>{u.email}</dd>
            <dt>{t('admin.users.role')}</dt><dd><Badge tone="brand">{roleLabel(u.role, t)}</Badge></dd>
            <dt>{t('settings.memberSince')}</dt><dd>{dateTime(u.createdAt)}</dd>
            <dt>{t('settings.organisation')}</dt><dd>{app.me.org.name}</dd>
          </dl>
        </div>
        <p className="muted small">{t('settings.profileManaged')}</p>
      </Card>
    </>
  );
}

function Security() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [pwDone, setPwDone] = useState(false);
  const [enrolling, setEnrolling] = useState(false);
  const [disabling, setDisabling] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  // mfaEnabled is true with either factor; the TOTP card needs TOTP itself (from the key list).
  const [factors, setFactors] = useState<SecondFactors | null>(null);
  const reloadFactors = () => app.client.webauthn.list().then(setFactors, () => undefined);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void reloadFactors(); }, []);
  const mfa = factors ? factors.totpEnabled : app.me.user.mfaEnabled;

  const disable = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await app.client.auth.totp.disable(password);
      setDisabling(false);
      setPassword('');
      await reloadFactors();
      await app.refreshMe();
    } catch (err) {
      setError(errorText(err, i18n));
    } finally {
      setBusy(false);
    }
  };
  const regenerate = async () => {
    setBusy(true);
    setError(null);
    try {
      setCodes((await app.client.auth.regenerateRecoveryCodes()).recoveryCodes);
    } catch (err) {
      setError(errorText(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="page-head"><h2>{t('settings.security')}</h2><p className="muted">{t('settings.securityHint')}</p></header>
      <Card title={t('settings.password')} description={t('settings.passwordHint')}>
        {pwDone ? (
          <div className="notice notice-success" role="status"><Icon name="check" /> {t('settings.passwordChanged')}</div>
        ) : (
          <div className="narrow"><PasswordForm client={app.client} policy={app.me.org.passwordPolicy} onDone={() => setPwDone(true)} /></div>
        )}
      </Card>
      <Card
        title={t('settings.mfa')}
        description={t('settings.mfaHint')}
        actions={mfa ? <Badge tone="success"><Icon name="check" size={12} /> {t('settings.mfaOn')}</Badge> : <Badge tone="warning">{t('settings.mfaOff')}</Badge>}
      >
        {enrolling ? (
          <TotpEnrolment client={app.client} onCancel={() => setEnrolling(false)} onDone={() => { setEnrolling(false); void reloadFactors(); void app.refreshMe(); }} />
        ) : codes ? (
          <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
        ) : mfa ? (
          disabling ? (
            <form className="stack narrow" onSubmit={disable}>
              <Field label={t('settings.confirmPassword')}>
                {(id) => <input id={id} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
              </Field>
              {error && <p className="form-error" role="alert">{error}</p>}
              <div className="row gap">
                <Button type="submit" variant="danger" busy={busy} disabled={!password}>{t('settings.mfaDisable')}</Button>
                <Button variant="ghost" onClick={() => { setDisabling(false); setError(null); }}>{t('common.cancel')}</Button>
              </div>
            </form>
          ) : (
            <div className="stack">
              {error && <p className="form-error" role="alert">{error}</p>}
              <div className="row gap">
                <Button icon="refresh" busy={busy} onClick={() => void regenerate()}>{t('settings.regenerateCodes')}</Button>
                <Button variant="ghost" onClick={() => setDisabling(true)}>{t('settings.mfaDisable')}</Button>
              </div>
            </div>
          )
        ) : (
          <Button variant="primary" icon="shield" onClick={() => setEnrolling(true)} data-testid="enable-mfa">{t('settings.mfaEnable')}</Button>
        )}
      </Card>
      <SecurityKeysCard factors={factors} reload={reloadFactors} />
    </>
  );
}

function describeDevice(ua: string | null, t: ReturnType<typeof useI18n>['t']): string {
  if (!ua) return t('sessions.unknownDevice');
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : /node|undici/i.test(ua) ? 'API client' : t('sessions.browser');
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} · ${os}` : browser;
}

function Sessions() {
  const app = useApp();
  const i18n = useI18n();
  const { t, dateTime, relative } = i18n;
  const [list, setList] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => app.client.me.sessions().then((r) => setList(r.sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt)), (err) => setError(errorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);
  const revoke = async (id: string) => {
    try {
      await app.client.me.revokeSession(id);
      await load();
    } catch (err) {
      setError(errorText(err, i18n));
    }
  };
  return (
    <>
      <header className="page-head"><h2>{t('settings.sessions')}</h2><p className="muted">{t('settings.sessionsHint')}</p></header>
      <Card title={t('settings.activeSessions')}>
        {error && <p className="form-error" role="alert">{error}</p>}
        <ul className="session-list">
          {(list ?? []).map((s) => (
            <li key={s.id} className="session-row">
              <span className="session-icon"><Icon name="monitor" size={20} /></span>
              <span className="session-text">
                <span className="session-device">{describeDevice(s.userAgent, t)} {s.current && <Badge tone="success">{t('sessions.current')}</Badge>} {s.mfaVerified && <Badge>{t('sessions.mfa')}</Badge>}</span>
                <span className="muted small">
                  {s.ip ?? t('sessions.unknownIp')} · {t('sessions.signedIn', { when: dateTime(s.createdAt) })} · {t('sessions.lastActive', { when: relative(s.lastSeenAt) })}
                </span>
              </span>
              {!s.current && <Button size="sm" variant="danger" onClick={() => void revoke(s.id)}>{t('sessions.revoke')}</Button>}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

function Preferences() {
  const { t } = useI18n();
  const [notify, setNotify] = useState(() => (typeof Notification !== 'undefined' ? Notification.permission : 'denied'));
  return (
    <>
      <header className="page-head"><h2>{t('settings.preferences')}</h2><p className="muted">{t('settings.preferencesHint')}</p></header>
      <Card title={t('settings.language')} description={t('settings.languageHint')}>
        <LanguageSelect />
      </Card>
      <Card title={t('settings.notifications')} description={t('settings.notificationsHint')}>
        {notify === 'granted' ? (
          <p className="notice notice-success"><Icon name="check" /> {t('settings.notificationsOn')}</p>
        ) : notify === 'denied' ? (
          <p className="muted">{t('settings.notificationsBlocked')}</p>
        ) : (
          <Button icon="bell" onClick={() => void Notification.requestPermission().then(setNotify)}>{t('settings.notificationsEnable')}</Button>
        )}
      </Card>
    </>
  );
}
