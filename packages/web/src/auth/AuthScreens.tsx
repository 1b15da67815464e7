/**
 * Sign-in (password, then a security key, TOTP or recovery code when the account has MFA), and
 * the two things a restricted session must do before anything else (IAM-1): change a one-time
 * password, enrol TOTP or a security key. Each screen talks to the server only through the SDK.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { isConclaveError, type ConclaveClient, type PasswordPolicy, type ResponseOf } from '@conclave/sdk';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { useBranding } from '../lib/branding';
import { Button, CopyButton, Field } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { LanguageSelect } from '../ui/LanguageSelect';
import { useSubmit } from '../ui/use-submit';
import { keyErrorText, SecurityKeyEnrol, signWithKey } from './security-keys';

type LoginResult = ResponseOf<'login'>;

/** The frame every pre-app screen shares: brand panel left, card right. */
export function AuthFrame({ children, wide }: { children: ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  const brand = useBranding();
  return (
    <div className="auth">
      <aside className="auth-brand">
        <div className="auth-brand-top">
          {brand.logoUrl ? <img src={brand.logoUrl} alt="" className="auth-logo-img" /> : <span className="auth-logo" aria-hidden="true"><Icon name="message" size={22} /></span>}
          <span className="auth-org">{brand.orgName ?? 'Conclave'}</span>
        </div>
        <div className="auth-brand-copy">
          <h1>{brand.loginHeadline ?? t('login.headline')}</h1>
          <p>{brand.loginText ?? t('login.tagline')}</p>
        </div>
        <ul className="auth-points">
          <li><Icon name="shield" /> {t('login.point.encrypted')}</li>
          <li><Icon name="key" /> {t('login.point.mfa')}</li>
          <li><Icon name="building" /> {t('login.point.selfHosted')}</li>
        </ul>
      </aside>
      <main className="auth-main">
        <div className="auth-lang"><LanguageSelect compact /></div>
        <div className={`auth-card ${wide ? 'auth-card-wide' : ''}`}>{children}</div>
      </main>
    </div>
  );
}

export function LoginScreen({ client, notice, onSignedIn }: { client: ConclaveClient; notice?: string | null; onSignedIn(res: LoginResult, password: string): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<'password' | 'code'>('password');
  // The second step: a security key (offered first when the account has one), the app, or a recovery code.
  const [mode, setMode] = useState<'key' | 'totp' | 'recovery'>('totp');
  const [methods, setMethods] = useState<string[]>([]);
  /** Request options not yet answered; each challenge serves one attempt at the server. */
  const [keyOptions, setKeyOptions] = useState<unknown>(null);
  const useRecovery = mode === 'recovery';
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Signs in with the security key: fresh options if the last ones were used, the browser prompt, then the server. */
  const signInWithKey = async () => {
    let options = keyOptions;
    if (!options) {
      try {
        await client.login(email.trim(), password);
      } catch (err) {
        options = client.webauthn.mfaChallenge(err)?.optionsJSON ?? null;
        if (!options) throw err;
      }
    }
    setKeyOptions(null);
    let response;
    try {
      response = await signWithKey(options);
    } catch (err) {
      setKeyOptions(options); // cancelled in the browser: the server never saw an answer, the challenge still stands
      throw err;
    }
    onSignedIn(await client.auth.login(email.trim(), password, { webauthn: response }), password);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (step === 'code' && mode === 'key') {
        await signInWithKey();
        return;
      }
      const second = step === 'code' ? (useRecovery ? { recoveryCode: code.trim() } : { totp: code.replace(/\s/g, '') }) : {};
      const res = await client.login(email.trim(), password, second);
      onSignedIn(res, password);
    } catch (err) {
      const mfa = client.webauthn.mfaChallenge(err);
      if (mfa && step === 'password') {
        setMethods(mfa.methods);
        setKeyOptions(mfa.optionsJSON);
        setMode(mfa.methods.includes('webauthn') ? 'key' : 'totp');
        setStep('code');
        setCode('');
      } else if (mfa) {
        setKeyOptions(mfa.optionsJSON);
      } else {
        setError(mode === 'key' && step === 'code' ? keyErrorText(err, i18n) : errorText(err, i18n));
      }
    } finally {
      setBusy(false);
    }
  };
  const switchTo = (m: 'key' | 'totp' | 'recovery') => { setMode(m); setCode(''); setError(null); };

  return (
    <AuthFrame>
      <form onSubmit={submit} className="stack" noValidate aria-describedby={error ? 'login-error' : undefined}>
        {step === 'password' ? (
          <>
            <header className="auth-head">
              <h2>{t('login.title')}</h2>
              <p className="muted">{t('login.subtitle')}</p>
            </header>
            {notice && <div className="notice notice-info" role="status"><Icon name="info" /> {notice}</div>}
            <Field label={t('login.email')}>
              {(id) => <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />}
            </Field>
            <Field label={t('login.password')}>
              {(id) => <input id={id} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
            </Field>
          </>
        ) : mode === 'key' ? (
          <>
            <header className="auth-head">
              <span className="auth-step-icon"><Icon name="key" size={22} /></span>
              <h2>{t('webauthn.login.title')}</h2>
              <p className="muted">{t('webauthn.login.hint')}</p>
            </header>
            {busy && <div className="key-prompt" role="status"><span className="key-prompt-icon"><Icon name="key" /></span> {t('webauthn.login.waiting')}</div>}
          </>
        ) : (
          <>
            <header className="auth-head">
              <span className="auth-step-icon"><Icon name="shield" size={22} /></span>
              <h2>{t('login.mfaTitle')}</h2>
              <p className="muted">{useRecovery ? t('login.recoveryHint') : t('login.mfaHint')}</p>
            </header>
            <Field label={useRecovery ? t('login.recoveryCode') : t('login.code')}>
              {(id) => useRecovery
                ? <input id={id} autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} autoFocus spellCheck={false} className="mono" />
                : <input id={id} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} autoFocus className="code-input" placeholder="000000" />}
            </Field>
            {(!useRecovery || methods.includes('totp')) && (
              <button type="button" className="link" onClick={() => switchTo(useRecovery ? 'totp' : 'recovery')}>
                {useRecovery ? t('login.useApp') : t('login.useRecovery')}
              </button>
            )}
          </>
        )}
        {error && <p className="form-error" id="login-error" role="alert">{error}</p>}
        <Button type="submit" variant="primary" busy={busy} className="btn-block" icon={step === 'code' && mode === 'key' ? 'key' : undefined} autoFocus={step === 'code' && mode === 'key'}>
          {step === 'password' ? t('login.submit') : mode === 'key' ? t('webauthn.login.use') : t('login.verify')}
        </Button>
        {step === 'code' && (mode === 'key' || methods.includes('webauthn')) && (
          <div className="auth-alt">
            {mode !== 'key' && <button type="button" className="link" onClick={() => switchTo('key')}>{t('webauthn.login.useKey')}</button>}
            {mode === 'key' && methods.includes('totp') && <button type="button" className="link" onClick={() => switchTo('totp')}>{t('webauthn.login.useApp')}</button>}
            {mode === 'key' && <button type="button" className="link" onClick={() => switchTo('recovery')}>{t('login.useRecovery')}</button>}
          </div>
        )}
        {step === 'code' && (
          <button type="button" className="link center" onClick={() => { setStep('password'); setError(null); }}>{t('login.back')}</button>
        )}
      </form>
    </AuthFrame>
  );
}

export function policyHints(p: PasswordPolicy | undefined, t: ReturnType<typeof useI18n>['t']): string {
  if (!p) return '';
  const parts = [t('password.rule.length', { n: p.minLength })];
  if (p.requireMixedCase) parts.push(t('password.rule.mixed'));
  if (p.requireDigit) parts.push(t('password.rule.digit'));
  if (p.requireSymbol) parts.push(t('password.rule.symbol'));
  return parts.join(' · ');
}

/** Change password: the forced first-login step, and Settings › Security. */
export function PasswordForm({ client, policy, knownCurrent, onDone, submitLabel }: {
  client: ConclaveClient; policy?: PasswordPolicy; knownCurrent?: string | null; onDone(): void; submitLabel?: string;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm.length > 0 && next !== confirm;

  const { busy, error, setError, submit: change } = useSubmit(async () => {
    await client.auth.changePassword(knownCurrent ?? current, next);
    setCurrent(''); setNext(''); setConfirm('');
    onDone();
  }, (err) => errorText(err, i18n));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== confirm) { setError(t('password.mismatch')); return; }
    void change();
  };
  return (
    <form onSubmit={submit} className="stack" noValidate>
      {!knownCurrent && (
        <Field label={t('password.current')}>
          {(id) => <input id={id} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />}
        </Field>
      )}
      <Field label={t('password.new')} hint={policyHints(policy, t)}>
        {(id, d) => <input id={id} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-describedby={d} required />}
      </Field>
      <Field label={t('password.confirm')} error={mismatch ? t('password.mismatch') : null}>
        {(id, d) => <input id={id} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-describedby={d} aria-invalid={mismatch} required />}
      </Field>
      {error && <p className="form-error" role="alert">{error}</p>}
      <Button type="submit" variant="primary" busy={busy} disabled={!next || mismatch}>{submitLabel ?? t('password.submit')}</Button>
    </form>
  );
}

export function ForcedPasswordScreen({ client, policy, knownCurrent, onDone, onSignOut }: {
  client: ConclaveClient; policy?: PasswordPolicy; knownCurrent: string | null; onDone(): void; onSignOut(): void;
}) {
  const { t } = useI18n();
  return (
    <AuthFrame>
      <header className="auth-head">
        <span className="auth-step-icon"><Icon name="key" size={22} /></span>
        <h2>{t('forced.passwordTitle')}</h2>
        <p className="muted">{t('forced.passwordHint')}</p>
      </header>
      <PasswordForm client={client} policy={policy} knownCurrent={knownCurrent} onDone={onDone} submitLabel={t('forced.passwordSubmit')} />
      <button type="button" className="link center" onClick={onSignOut}>{t('nav.signOut')}</button>
    </AuthFrame>
  );
}

/** TOTP enrolment: QR + secret, a code to confirm, then the recovery codes, shown once. */
export function TotpEnrolment({ client, onDone, onCancel }: { client: ConclaveClient; onDone(): void; onCancel?: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [setup, setSetup] = useState<ResponseOf<'totpEnroll'> | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, setError, submit: confirm } = useSubmit(async () => {
    const res = await client.auth.totp.confirm(code.replace(/\s/g, ''));
    setCodes(res.recoveryCodes);
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    let live = true;
    client.auth.totp.enroll().then((s) => live && setSetup(s), (err) => live && setError(errorText(err, i18n)));
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client]);

  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />;
  return (
    <div className="stack">
      <ol className="enrol-steps">
        <li>{t('mfa.step1')}</li>
        <li>{t('mfa.step2')}</li>
        <li>{t('mfa.step3')}</li>
      </ol>
      <div className="enrol-qr">
        {setup ? <img src={setup.qrDataUrl} alt={t('mfa.qrAlt')} width={184} height={184} data-testid="totp-qr" /> : <div className="qr-placeholder"><span className="spinner" aria-hidden="true" /></div>}
        <div className="enrol-secret">
          <span className="muted small">{t('mfa.manual')}</span>
          <code className="secret" data-testid="totp-secret">{setup ? setup.secret.replace(/(.{4})/g, '$1 ').trim() : '…'}</code>
          {setup && <CopyButton text={setup.secret} />}
        </div>
      </div>
      <form onSubmit={confirm} className="stack" noValidate>
        <Field label={t('mfa.codeLabel')}>
          {(id) => <input id={id} inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} className="code-input" placeholder="000000" />}
        </Field>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap">
          <Button type="submit" variant="primary" busy={busy} disabled={!setup || code.replace(/\s/g, '').length !== 6}>{t('mfa.confirm')}</Button>
          {onCancel && <Button variant="ghost" onClick={onCancel}>{t('common.cancel')}</Button>}
        </div>
      </form>
    </div>
  );
}

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState(false);
  const text = codes.join('\n');
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${t('mfa.codesFileHeader')}\n\n${text}\n`], { type: 'text/plain' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'conclave-recovery-codes.txt' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="stack">
      <div className="notice notice-warning" role="status"><Icon name="alert" /> {t('mfa.codesWarning')}</div>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {codes.map((c) => <li key={c}><code>{c}</code></li>)}
      </ul>
      <div className="row gap">
        <CopyButton text={text} label={t('mfa.copyCodes')} />
        <Button size="sm" icon="download" onClick={download}>{t('mfa.downloadCodes')}</Button>
      </div>
      <label className="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> {t('mfa.savedThem')}
      </label>
      <Button variant="primary" disabled={!saved} onClick={onDone}>{t('common.continue')}</Button>
    </div>
  );
}

/** Forced enrolment (IAM-1): an authenticator app, or a security key — either satisfies the role's MFA rule. */
export function ForcedMfaScreen({ client, onDone, onSignOut }: { client: ConclaveClient; onDone(): void; onSignOut(): void }) {
  const { t } = useI18n();
  const [withKey, setWithKey] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <AuthFrame wide>
      <header className="auth-head">
        <span className="auth-step-icon"><Icon name="shield" size={22} /></span>
        <h2>{t('forced.mfaTitle')}</h2>
        <p className="muted">{t('forced.mfaHint')}</p>
      </header>
      {codes ? (
        <RecoveryCodes codes={codes} onDone={onDone} />
      ) : withKey ? (
        <div className="stack">
          <p className="muted">{t('webauthn.forced.keyHint')}</p>
          <SecurityKeyEnrol client={client} askPassword={false} onDone={(res) => (res.recoveryCodes ? setCodes(res.recoveryCodes) : onDone())} />
        </div>
      ) : (
        <TotpEnrolment client={client} onDone={onDone} />
      )}
      {!codes && <button type="button" className="link center" onClick={() => setWithKey(!withKey)}>{withKey ? t('webauthn.forced.useApp') : t('webauthn.forced.useKey')}</button>}
      <button type="button" className="link center" onClick={onSignOut}>{t('nav.signOut')}</button>
    </AuthFrame>
  );
}
