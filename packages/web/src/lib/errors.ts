/** Turns whatever the SDK threw into one sentence in the user's language. */
import { isConclaveError } from '@conclave/sdk';
import type { MsgKey } from '../i18n/en';
import type { I18n } from '../i18n/i18n';

const BY_CODE: Partial<Record<string, MsgKey>> = {
  invalid_credentials: 'err.invalidCredentials',
  mfa_invalid: 'err.mfaInvalid',
  network: 'err.network',
  unavailable: 'err.unavailable',
  forbidden: 'err.forbidden',
  not_found: 'err.notFound',
  rate_limited: 'err.rateLimited',
  payload_too_large: 'err.tooLarge',
  unauthenticated: 'err.unauthenticated',
  internal: 'err.internal',
  bad_response: 'err.unavailable',
};

export function errorText(err: unknown, i18n: Pick<I18n, 't' | 'relative'>): string {
  const { t } = i18n;
  if (isConclaveError(err, 'account_locked')) {
    const ms = Number((err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 0);
    return t('err.locked', { minutes: Math.max(1, Math.ceil(ms / 60_000)) });
  }
  if (isConclaveError(err, 'password_policy')) {
    const rules = (err.details as { rules?: string[] } | undefined)?.rules ?? [];
    return rules.length ? `${t('err.passwordPolicy')} ${rules.join('; ')}` : t('err.passwordPolicy');
  }
  if (isConclaveError(err, 'validation_failed')) {
    const issues = (err.details as { issues?: { path?: string | string[]; message?: string }[] } | undefined)?.issues ?? [];
    const first = issues[0];
    return first ? `${t('err.validation')} ${[first.path].flat().join('.')}: ${first.message ?? ''}` : t('err.validation');
  }
  if (isConclaveError(err) && err.code && BY_CODE[err.code]) return t(BY_CODE[err.code]!);
  if (isConclaveError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
