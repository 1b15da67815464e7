/**
 * The app's phases: booting → signed out → (forced password change) → (forced MFA
 * enrolment) → the signed-in app. Routes inside the app: /admin…, /settings…, and the chat.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isConclaveError, type ConclaveClient, type ResponseOf } from '@conclave/sdk';
import { AppContext, ADMIN_PERMISSIONS, permissionsOf, type AppSession, type MeResponse, type Profile } from './lib/app-context';
import { ChatStore } from './lib/chat-store';
import { getClient, loadSession, resetClient, saveSession } from './lib/session';
import { setBranding } from './lib/branding';
import { useI18n } from './i18n/context';
import { ForcedMfaScreen, ForcedPasswordScreen, LoginScreen, AuthFrame } from './auth/AuthScreens';
import { Button, Spinner } from './ui/kit';
import { Icon } from './ui/Icon';
import { navigate, usePath } from './ui/router';
import { ChatLayout } from './chat/ChatLayout';

const SettingsPage = lazy(() => import('./settings/SettingsPage'));
const AdminConsole = lazy(() => import('./admin/AdminConsole'));

type Phase =
  | { k: 'boot' }
  | { k: 'signed-out'; notice?: string }
  | { k: 'password'; me: MeResponse; known: string | null }
  | { k: 'mfa'; me: MeResponse }
  | { k: 'app'; profile: Profile; store: ChatStore }
  | { k: 'offline' };

const ME_KEY = 'conclave.me';
function cachedProfile(userId: string): Profile | null {
  try {
    const p = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Profile | null;
    return p?.me?.user.id === userId ? p : null;
  } catch { return null; }
}

export function App() {
  const { t } = useI18n();
  const [client, setClient] = useState<ConclaveClient>(getClient);
  const [phase, setPhase] = useState<Phase>({ k: 'boot' });
  const storeRef = useRef<ChatStore | null>(null);

  const signOut = useCallback((reason: 'user' | 'revoked') => {
    const store = storeRef.current;
    storeRef.current = null;
    store?.stop();
    const userId = store?.me.id ?? loadSession()?.userId;
    if (reason === 'user') void client.auth.logout().catch(() => undefined);
    if (userId) void ChatStore.forget(userId);
    saveSession(null);
    try { localStorage.removeItem(ME_KEY); } catch { /* ignore */ }
    setClient(resetClient());
    setPhase({ k: 'signed-out', notice: reason === 'revoked' ? t('login.revokedNotice') : undefined });
    navigate('/', { replace: true });
  }, [client, t]);

  const startApp = useCallback((c: ConclaveClient, profile: Profile) => {
    storeRef.current?.stop();
    const store = new ChatStore(c, profile.me.user, { onSignedOut: () => signOut('revoked') });
    storeRef.current = store;
    setPhase({ k: 'app', profile, store });
    store.start().catch((err) => console.error('start failed', err));
  }, [signOut]);

  const enter = useCallback(async (c: ConclaveClient, knownPassword: string | null) => {
    try {
      const me = await c.me.get();
      setBranding({ orgName: me.org.name });
      if (me.session.restriction === 'password_change') setPhase({ k: 'password', me, known: knownPassword });
      else if (me.session.restriction === 'mfa_enrollment') setPhase({ k: 'mfa', me });
      else {
        const caps = await loadCaps(c);
        const profile = { me, caps };
        try { localStorage.setItem(ME_KEY, JSON.stringify(profile)); } catch { /* ignore */ }
        startApp(c, profile);
      }
    } catch (err) {
      if (isConclaveError(err, 'unauthenticated')) {
        saveSession(null);
        setPhase({ k: 'signed-out' });
        return;
      }
      const saved = loadSession();
      const profile = saved && cachedProfile(saved.userId);
      if (profile) startApp(c, profile);
      else setPhase({ k: 'offline' });
    }
  }, [startApp]);

  useEffect(() => {
    if (loadSession()) void enter(client, null);
    else setPhase({ k: 'signed-out' });
    return () => storeRef.current?.stop();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onSignedIn = (res: ResponseOf<'login'>, password: string) => {
    saveSession({ token: res.token, userId: res.user.id });
    void enter(client, password);
  };

  if (phase.k === 'boot') return <Spinner label={t('common.loading')} />;
  if (phase.k === 'signed-out') return <LoginScreen client={client} notice={phase.notice} onSignedIn={onSignedIn} />;
  if (phase.k === 'offline') {
    return (
      <AuthFrame>
        <header className="auth-head">
          <span className="auth-step-icon"><Icon name="wifiOff" size={22} /></span>
          <h2>{t('offline.title')}</h2>
          <p className="muted">{t('offline.hint')}</p>
        </header>
        <Button variant="primary" icon="refresh" onClick={() => { setPhase({ k: 'boot' }); void enter(client, null); }}>{t('common.retry')}</Button>
      </AuthFrame>
    );
  }
  if (phase.k === 'password') {
    return (
      <ForcedPasswordScreen
        client={client} policy={phase.me.org.passwordPolicy} knownCurrent={phase.known}
        onDone={() => void enter(client, null)} onSignOut={() => signOut('user')}
      />
    );
  }
  if (phase.k === 'mfa') return <ForcedMfaScreen client={client} onDone={() => void enter(client, null)} onSignOut={() => signOut('user')} />;
  return <SignedIn client={client} profile={phase.profile} store={phase.store} signOut={signOut} onProfile={(profile) => setPhase({ ...phase, profile })} />;
}

/** Capabilities (ACL-3); null when the server has no such endpoint or cannot be reached. */
async function loadCaps(c: ConclaveClient): Promise<Profile['caps']> {
  try {
    return await c.http.request('capabilities');
  } catch {
    return null;
  }
}

function SignedIn({ client, profile, store, signOut, onProfile }: { client: ConclaveClient; profile: Profile; store: ChatStore; signOut(r: 'user' | 'revoked'): void; onProfile(p: Profile): void }) {
  const { t } = useI18n();
  const path = usePath();
  const session = useMemo<AppSession>(() => {
    const perms = permissionsOf(profile);
    return {
      client, me: profile.me, caps: profile.caps, store,
      can: (p) => perms.has(p),
      isAdmin: ADMIN_PERMISSIONS.some((p) => perms.has(p)),
      signOut: () => signOut('user'),
      refreshMe: async () => {
        const [me, caps] = await Promise.all([client.me.get(), loadCaps(client)]);
        store.me = me.user;
        onProfile({ me, caps });
      },
    };
  }, [client, profile, store, signOut, onProfile]);

  let page;
  if (path.startsWith('/admin')) page = session.isAdmin ? <AdminConsole /> : <ChatLayout />;
  else if (path.startsWith('/settings')) page = <SettingsPage />;
  else page = <ChatLayout />;
  return (
    <AppContext.Provider value={session}>
      <Suspense fallback={<Spinner label={t('common.loading')} />}>{page}</Suspense>
    </AppContext.Provider>
  );
}
