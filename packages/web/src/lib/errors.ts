/**
 * Turns whatever the SDK threw into one sentence in the user's language (issue 6): every screen
 * shows API errors through here (directly or through useSubmit).
 *
 * - Every documented code (docs/ERRORS.md, `ERROR_CODES`) and every SDK-side code has a message
 *   in each dictionary: `BY_CODE` is a Record over both, so a code added to the protocol does not
 *   compile here until it has one.
 * - Refusals that carry a machine-readable `details.reason` (the access-control conflicts and
 *   refusals, ACL-1/2) get a precise sentence built from their details.
 * - For codes whose server message names the specific field, rule or object (conflict,
 *   forbidden, file_rejected, …) that message follows the localized sentence: the server speaks
 *   English only, and its specifics beat a vaguer translation. A code this client does not know
 *   (a newer server) shows the server's message as it is.
 */
import { isConclaveError, type ClientErrorCode, type ConclaveError, type ErrorCode } from '@conclave/sdk';
import type { MsgKey } from '../i18n/en';
import type { I18n, Vars } from '../i18n/i18n';

const BY_CODE: Record<ErrorCode | ClientErrorCode, MsgKey> = {
  bad_request: 'err.badRequest',
  validation_failed: 'err.validation',
  password_policy: 'err.passwordPolicy',
  unauthenticated: 'err.unauthenticated',
  invalid_credentials: 'err.invalidCredentials',
  mfa_required: 'err.mfaRequired',
  mfa_invalid: 'err.mfaInvalid',
  webauthn_invalid: 'err.webauthnInvalid',
  mfa_enrollment_required: 'err.mfaEnrollment',
  password_change_required: 'err.passwordChange',
  forbidden: 'err.forbidden',
  not_found: 'err.notFound',
  conflict: 'err.conflict',
  stale_epoch: 'err.staleEpoch',
  payload_too_large: 'err.tooLarge',
  headers_too_large: 'err.headersTooLarge',
  unsupported_media_type: 'err.unsupportedMedia',
  file_rejected: 'err.fileRejected',
  dlp_blocked: 'err.dlpBlocked',
  dlp_warning: 'err.dlpWarning',
  account_locked: 'err.locked',
  rate_limited: 'err.rateLimited',
  internal: 'err.internal',
  unavailable: 'err.unavailable',
  network: 'err.network',
  aborted: 'err.aborted',
  bad_response: 'err.unavailable',
  invalid_argument: 'err.invalidArgument',
};

/** Codes whose server message carries specifics worth showing after the localized sentence. */
const WITH_DETAIL = new Set<string>(['conflict', 'forbidden', 'file_rejected', 'dlp_blocked', 'dlp_warning', 'webauthn_invalid']);

type T = (key: MsgKey, vars?: Vars) => string;
type Details = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const count = (v: unknown) => (typeof v === 'number' ? v : 0);

/** "3 conversations, 2 people's clearance": the non-zero counts of a level's usage. */
function levelUsageText(u: Details, t: T): string {
  const parts = ([
    ['conversations', 'err.level.usage.conversations'], ['clearances', 'err.level.usage.clearances'], ['files', 'err.level.usage.files'],
    ['retentionPolicies', 'err.level.usage.retentionPolicies'], ['retentionMinimums', 'err.level.usage.retentionMinimums'], ['archiveLevels', 'err.level.usage.archiveLevels'],
  ] as const).filter(([k]) => count(u[k]) > 0).map(([k, key]) => t(key, { n: count(u[k]) }));
  return parts.join(t('err.listSeparator'));
}

/** Sentences for refusals with a `details.reason` (access control, docs/ACCESS-CONTROL.md). */
const BY_REASON: Record<string, (d: Details, t: T) => string> = {
  role_exists: (d, t) => t('err.role.exists', { role: str(d.role) }),
  fixed_role: (d, t) => t('err.role.fixed', { role: str(d.role) }),
  builtin_role: (_, t) => t('err.role.builtin'),
  role_in_use: (d, t) => t('err.role.inUse', { role: str(d.role), n: count(d.holders) }),
  self_role_change: (_, t) => t('err.role.ownRole'),
  escalation: (d, t) => t('err.role.escalation', { permissions: (Array.isArray(d.permissions) ? d.permissions : []).join(', ') }),
  same_admin: (_, t) => t('err.grant.sameAdmin'),
  self_grant: (_, t) => t('err.grant.self'),
  grant_decided: (d, t) => t(d.status === 'approved' ? 'err.grant.alreadyApproved' : 'err.grant.alreadyRejected'),
  department_has_children: (d, t) => t('err.dept.hasChildren', { n: count(d.subDepartments) }),
  department_has_members: (d, t) => t('err.dept.hasMembers', { n: count(d.members) }),
  level_in_use: (d, t) => t('err.level.inUse', { level: str(d.level), usage: levelUsageText((d.usage ?? {}) as Details, t) }),
  default_level: (d, t) => t('err.level.default', { level: str(d.level) }),
  watermark_level: (d, t) => t('err.level.watermark', { level: str(d.level) }),
};

/** The server's English fragment as a sentence of its own ("the role …" → "The role ….") for English, in brackets otherwise. */
function withDetail(sentence: string, detail: string, i18n: Pick<I18n, 't' | 'lang'>): string {
  if (!detail) return sentence;
  const d = detail.replace(/^./, (c) => c.toUpperCase()).replace(/([^.!?])$/, '$1.');
  return i18n.t('err.withDetail', { sentence, detail: i18n.lang === 'en' ? d : detail });
}

/** One sentence for the user about `err`, in their language. */
export function errorText(err: unknown, i18n: Pick<I18n, 't' | 'lang'>): string {
  const { t } = i18n;
  if (!isConclaveError(err)) return err instanceof Error ? err.message : String(err);
  const e: ConclaveError = err;
  const details = (e.details ?? {}) as Details;
  const reason = str(details.reason);
  if (reason && BY_REASON[reason]) return BY_REASON[reason](details, t);
  if (e.code === 'account_locked') return t('err.locked', { minutes: Math.max(1, Math.ceil(count(details.retryAfterMs) / 60_000)) });
  if (e.code === 'rate_limited' && count(details.retryAfterMs) > 1000) return t('err.rateLimitedFor', { seconds: Math.ceil(count(details.retryAfterMs) / 1000) });
  if (e.code === 'password_policy') {
    const rules = Array.isArray(details.rules) ? (details.rules as string[]) : [];
    return rules.length ? `${t('err.passwordPolicy')} ${rules.join('; ')}` : t('err.passwordPolicy');
  }
  if (e.code === 'validation_failed') {
    const issues = Array.isArray(details.issues) ? (details.issues as { path?: string | string[]; message?: string }[]) : [];
    const first = issues[0];
    return first ? `${t('err.validation')} ${[first.path].flat().join('.')}: ${first.message ?? ''}` : t('err.validation');
  }
  if (e.code === 'internal' && str(details.incidentId)) return t('err.internalIncident', { id: str(details.incidentId) });
  const key = (BY_CODE as Record<string, MsgKey | undefined>)[e.code];
  if (!key) return e.message;
  return WITH_DETAIL.has(e.code) ? withDetail(t(key), e.message, i18n) : t(key);
}
