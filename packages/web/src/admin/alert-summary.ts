/**
 * A security alert's one-line summary in the user's language (MON-1, issue 6). The server's
 * `summary` is English; every rule also puts its figures in `details` (docs/AUDIT-FORMAT.md,
 * server alerts/rules.ts), so the sentence is rebuilt here from the rule, the subject and those
 * figures, with people by name. When a detail the sentence needs is missing (an older alert, a
 * rule this client does not know) the server's sentence is shown, its user ids replaced by names.
 */
import type { ResponseOf } from '@conclave/sdk';
import type { MsgKey } from '../i18n/en';
import type { I18n, Vars } from '../i18n/i18n';
import { roleLabel } from './roles';

type Alert = ResponseOf<'listAlerts'>['alerts'][number];
type D = Record<string, unknown>;
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id);

/** Returns a function giving the localized summary of an alert; `nameOf` names the people it knows. */
export function alertSummarizer({ t, lang }: Pick<I18n, 't' | 'lang'>, nameOf: (id: string) => string | null): (a: Alert) => string {
  const person = (id: unknown) => (isStr(id) ? nameOf(id) ?? shortId(id) : '?');
  const weekday = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' });
  /** The server's "Sat 23:10" with the weekday in the user's language. */
  const localTime = (s: string) => s.replace(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat)\b/, (w) => weekday.format(Date.UTC(2023, 0, 1 + WEEKDAYS.indexOf(w))));
  const hour = (h: unknown) => (isNum(h) ? `${String(h).padStart(2, '0')}:00` : '?');
  const say = (key: string, vars: Vars) => t(key as MsgKey, vars);

  const local = (a: Alert): string | null => {
    const d = a.details as D;
    const who = a.subject.startsWith('ip:') ? t('alerts.sum.unknownFrom', { ip: a.subject.slice(3) }) : person(a.subject);
    switch (a.rule) {
      case 'brute_force':
        if (!isNum(d.failures) || !isNum(d.threshold) || !isNum(d.windowMinutes)) return null;
        return say('alerts.sum.brute_force', { n: d.failures, who, minutes: d.windowMinutes, threshold: d.threshold });
      case 'new_network':
        if (!isStr(d.network)) return null;
        return say('alerts.sum.new_network', { who, network: d.network, ip: isStr(d.ip) ? d.ip : '?' });
      case 'impossible_travel': {
        const from = d.from as D | undefined;
        const to = d.to as D | undefined;
        if (!isStr(from?.region) || !isStr(to?.region) || !isNum(d.minutesApart) || !isNum(d.windowMinutes)) return null;
        return say('alerts.sum.impossible_travel', { who, from: from.region, to: to.region, minutes: d.minutesApart, window: d.windowMinutes });
      }
      case 'bulk_export': {
        if (!isNum(d.exportedRows) || !isNum(d.exportThreshold) || !isNum(d.downloadedFiles) || !isNum(d.downloadThreshold) || !isNum(d.windowMinutes)) return null;
        return d.exportedRows >= d.exportThreshold
          ? say('alerts.sum.bulk_export.rows', { who, n: d.exportedRows, threshold: d.exportThreshold, minutes: d.windowMinutes })
          : say('alerts.sum.bulk_export.files', { who, n: d.downloadedFiles, threshold: d.downloadThreshold, minutes: d.windowMinutes });
      }
      case 'off_hours_admin': {
        const bh = d.businessHours as D | undefined;
        if (!isStr(d.action) || !isStr(d.localTime)) return null;
        return say('alerts.sum.off_hours_admin', { who, action: d.action, time: localTime(d.localTime), zone: isStr(d.timeZone) ? d.timeZone : '', start: hour(bh?.start), end: hour(bh?.end) });
      }
      case 'privilege_escalation':
        switch (d.kind) {
          case 'privileged_grant':
            if (!isStr(d.role)) return null;
            return say('alerts.sum.grant', { by: person(d.grantedBy), role: roleLabel(d.role, t), who, from: isStr(d.fromRole) ? roleLabel(d.fromRole, t) : '?' });
          case 'grant_approved':
            if (!isStr(d.role)) return null;
            return say('alerts.sum.approved', { by: person(d.approvedBy), role: roleLabel(d.role, t), who, requester: person(d.requestedBy) });
          case 'role_permissions': {
            if (!isStr(d.role) || !Array.isArray(d.permissions)) return null;
            // The rule names who changed the role only in its sentence, not in details.
            const by = a.summary.match(ULID)?.[0];
            const vars = { role: roleLabel(d.role, t), permissions: d.permissions.join(', ') };
            return by ? say('alerts.sum.rolePermissions', { ...vars, by: person(by) }) : say('alerts.sum.rolePermissionsAnon', vars);
          }
          case 'probing':
            if (!isNum(d.denials) || !isNum(d.threshold) || !isNum(d.windowMinutes)) return null;
            return say('alerts.sum.probing', { who, n: d.denials, threshold: d.threshold, minutes: d.windowMinutes });
          default:
            return null;
        }
      default:
        return null;
    }
  };
  return (a) => local(a) ?? a.summary.replace(ULID, (id) => nameOf(id) ?? id);
}
