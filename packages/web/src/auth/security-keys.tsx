/**
 * Security keys in the browser (IAM-1): the WebAuthn ceremonies through @simplewebauthn/browser
 * (loaded only when a key is actually used, so the sign-in and chat bundles stay small), the
 * one sentence to show for any failure, and the "add a key" form shared by Settings and the
 * forced enrolment screen.
 */
import { useState } from 'react';
import { isConclaveError, type ConclaveClient, type LoginOptions, type ResponseOf } from '@conclave/sdk';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useI18n } from '../i18n/context';
import type { I18n } from '../i18n/i18n';
import { errorText } from '../lib/errors';
import { Button, Field } from '../ui/kit';
import { useSubmit } from '../ui/use-submit';
import '../styles/webauthn.css';

type Registered = ResponseOf<'webauthnRegister'>;

/**
 * Asks the authenticator to sign the server's challenge (`navigator.credentials.get`). The casts
 * only bridge the library's DOM-flavoured JSON types and the protocol's zod types of the same JSON.
 */
export async function signWithKey(optionsJSON: unknown): Promise<NonNullable<LoginOptions['webauthn']>> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  return await startAuthentication({ optionsJSON: optionsJSON as PublicKeyCredentialRequestOptionsJSON }) as NonNullable<LoginOptions['webauthn']>;
}

/**
 * Registers a new key: creation options (password when the session is not fresh), the
 * authenticator's ceremony, then the server's verification.
 */
export async function registerKey(client: ConclaveClient, name: string, password?: string): Promise<Registered> {
  const { optionsJSON } = await client.webauthn.registrationOptions(password || undefined);
  const { startRegistration } = await import('@simplewebauthn/browser');
  const response = await startRegistration({ optionsJSON: optionsJSON as unknown as PublicKeyCredentialCreationOptionsJSON });
  return client.webauthn.register(response as Parameters<ConclaveClient['webauthn']['register']>[0], name.trim() || undefined);
}

/** What to tell the person when a key ceremony or its verification fails. */
export function keyErrorText(err: unknown, i18n: Parameters<typeof errorText>[1] & Pick<I18n, 't'>): string {
  const { t } = i18n;
  const e = err as { name?: string; code?: string } | null;
  if (e?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || e?.name === 'InvalidStateError') return t('webauthn.err.alreadyRegistered');
  if (e?.name === 'NotAllowedError' || e?.name === 'AbortError' || e?.code === 'ERROR_CEREMONY_ABORTED') return t('webauthn.err.cancelled');
  if (e?.name === 'SecurityError' || e?.code === 'ERROR_INVALID_DOMAIN' || e?.code === 'ERROR_INVALID_RP_ID') return t('webauthn.err.insecure');
  if (e?.name === 'NotSupportedError' || (err instanceof Error && /WebAuthn is not supported/i.test(err.message))) return t('webauthn.err.unsupported');
  if (isConclaveError(err, 'mfa_invalid', 'webauthn_invalid')) {
    const reason = (err.details as { reason?: string } | undefined)?.reason;
    if (reason === 'counter_regression') return t('webauthn.err.cloned');
    if (reason === 'challenge_expired' || reason === 'challenge_unknown') return t('webauthn.err.expired');
    if (reason) return t('webauthn.err.refused');
  }
  if (isConclaveError(err, 'conflict') && (err.details as { reason?: string } | undefined)?.reason === 'mfa_required_by_policy') return t('webauthn.err.lastFactor');
  return errorText(err, i18n);
}

/**
 * Name (and password, when asked) → the browser prompt → `onDone` with the server's answer.
 * Without `askPassword` the password field still appears if the server wants it (the session
 * signed in more than 10 minutes ago).
 */
export function SecurityKeyEnrol({ client, askPassword: ask, onDone, onCancel }: {
  client: ConclaveClient; askPassword: boolean; onDone(res: Registered): void; onCancel?: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [askPassword, setAskPassword] = useState(ask);
  const { busy, error, submit } = useSubmit(async () => {
    const res = await registerKey(client, name || t('webauthn.settings.defaultName'), askPassword ? password : undefined);
    setName('');
    setPassword('');
    onDone(res);
  }, (err) => {
    if (isConclaveError(err, 'validation_failed') && err.message.startsWith('password:')) setAskPassword(true);
    return keyErrorText(err, i18n);
  });
  return (
    <form className="stack narrow" onSubmit={submit} noValidate data-testid="security-key-enrol">
      <Field label={t('webauthn.settings.name')}>
        {(id) => <input id={id} value={name} maxLength={64} autoComplete="off" placeholder={t('webauthn.settings.namePlaceholder')} onChange={(e) => setName(e.target.value)} autoFocus />}
      </Field>
      {askPassword && (
        <Field label={t('webauthn.settings.password')} hint={t('webauthn.settings.passwordHint')}>
          {(id, d) => <input id={id} type="password" autoComplete="current-password" value={password} aria-describedby={d} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
      )}
      {busy && <p className="muted small" role="status">{t('webauthn.settings.prompt')}</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="row gap">
        <Button type="submit" variant="primary" icon="key" busy={busy} disabled={askPassword && !password}>{t('webauthn.settings.register')}</Button>
        {onCancel && <Button variant="ghost" onClick={onCancel}>{t('common.cancel')}</Button>}
      </div>
    </form>
  );
}
