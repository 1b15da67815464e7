/**
 * Security alert rules (MON-1) over the audit stream. Each rule looks at one new row; if the
 * row is relevant it may look back at earlier rows (indexed window queries) and returns an
 * alert draft naming every row that triggered it. Thresholds: config `alerts`
 * (docs/CONFIGURATION.md). Rules read metadata only — there is nothing else in the log.
 */
import { OVERSIGHT_PERMISSIONS, type AlertRule } from '@conclave/protocol';
import type { AlertConfig } from '../../../config/config';
import type { AuditRow, WindowFilter } from '../audit.store';
import { networkOf, regionOf } from './ip-ranges';

export interface AlertDraft {
  rule: AlertRule;
  severity: 'low' | 'medium' | 'high';
  /** Who or what the alert is about: a user id, `ip:<address>` or a role name. */
  subject: string;
  /** Unique per alert of a rule, so a re-scan after a crash never raises it twice. */
  dedupKey: string;
  summary: string;
  details: Record<string, unknown>;
  /** The triggering rows, oldest first; the row being evaluated is the last. */
  rows: AuditRow[];
}

/** What a rule may ask about the past. */
export interface RuleContext {
  config: AlertConfig;
  window(f: Omit<WindowFilter, 'limit'> & { limit?: number }): Promise<AuditRow[]>;
  lastAlert(rule: AlertRule, subject: string): Promise<{ triggerSeq: number; triggerAt: number } | null>;
}

export interface AlertRuleDef {
  name: AlertRule;
  relevant(row: AuditRow): boolean;
  evaluate(row: AuditRow, ctx: RuleContext): Promise<AlertDraft | null>;
}

/** Failed-login reasons that are guesses (not the MFA prompt of a correct password). */
const FAILED_LOGIN = new Set(['bad_password', 'unknown_email', 'deactivated', 'bad_totp', 'bad_recovery_code', 'locked', 'ip_throttled']);
/**
 * Refused security-key responses that are attempts rather than a slow user (IAM-1): a bad
 * signature, an unknown or someone else's key, a wrong origin/RP, a cloned key's counter.
 * Expired or unknown challenges are not counted (a user who waited too long).
 */
const FAILED_WEBAUTHN = new Set(['webauthn_signature', 'webauthn_unknown_credential', 'webauthn_foreign_credential', 'webauthn_origin', 'webauthn_rp_id', 'webauthn_counter_regression', 'webauthn_malformed']);
const isFailedLogin = (r: AuditRow) => r.action === 'auth.login' && r.outcome !== 'success' && (FAILED_LOGIN.has(r.reason ?? '') || FAILED_WEBAUTHN.has(r.reason ?? ''));
const isLogin = (r: AuditRow) => r.action === 'auth.login' && r.outcome === 'success' && r.actor_id !== null && r.ip !== null;
const minutes = (ms: number) => Math.round(ms / 60_000);
/** Rows listed in an alert: the most recent 100 (counts in details say how many there were). */
const cap = (rows: AuditRow[]) => rows.slice(-100);

function parseDetails(r: AuditRow): Record<string, unknown> {
  try {
    return JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const bruteForce: AlertRuleDef = {
  name: 'brute_force',
  relevant: isFailedLogin,
  async evaluate(row, ctx) {
    // Per account when the account exists; per address for guesses at unknown accounts.
    const subject = row.target_id ?? (row.ip ? `ip:${row.ip}` : null);
    if (!subject) return null;
    const { bruteForceFailures: n, bruteForceWindowMs: w } = ctx.config;
    const last = await ctx.lastAlert('brute_force', subject);
    const rows = (await ctx.window({
      ...(row.target_id ? { targetId: row.target_id } : { ip: row.ip! }), actions: ['auth.login'],
      sinceAt: row.at - w, afterSeq: last?.triggerSeq ?? 0, uptoSeq: row.seq, limit: 10_000,
    })).filter((r) => isFailedLogin(r) && (row.target_id ? true : r.target_id === null));
    if (rows.length < n) return null;
    const ips = [...new Set(rows.map((r) => r.ip).filter(Boolean))];
    return {
      rule: 'brute_force', severity: 'high', subject, dedupKey: `${subject}:${row.seq}`,
      summary: `${rows.length} failed logins for ${row.target_id ? `user ${row.target_id}` : `unknown accounts from ${row.ip}`} within ${minutes(w)} min (threshold ${n})`,
      details: { failures: rows.length, threshold: n, windowMinutes: minutes(w), ips: ips.slice(0, 20), distinctIps: ips.length },
      rows: cap(rows),
    };
  },
};

/** A user's successful logins before `row` (most recent 500), to learn their usual networks. */
async function previousLogins(row: AuditRow, ctx: RuleContext, sinceAt = 0): Promise<AuditRow[]> {
  return (await ctx.window({ actorId: row.actor_id!, actions: ['auth.login'], sinceAt, afterSeq: 0, uptoSeq: row.seq - 1, limit: 500 })).filter(isLogin);
}

const newNetwork: AlertRuleDef = {
  name: 'new_network',
  relevant: isLogin,
  async evaluate(row, ctx) {
    const net = networkOf(row.ip);
    if (!net) return null;
    const before = await previousLogins(row, ctx);
    // The first login establishes the baseline.
    if (before.length === 0) return null;
    const known = [...new Set(before.map((r) => networkOf(r.ip)).filter((x): x is string => !!x))];
    if (known.includes(net)) return null;
    return {
      rule: 'new_network', severity: 'medium', subject: row.actor_id!, dedupKey: `${row.actor_id}:${row.seq}`,
      summary: `user ${row.actor_id} logged in from a new network ${net} (${row.ip})`,
      details: { ip: row.ip, network: net, knownNetworks: known.slice(-20), previousLogins: before.length },
      rows: [row],
    };
  },
};

const impossibleTravel: AlertRuleDef = {
  name: 'impossible_travel',
  relevant: isLogin,
  async evaluate(row, ctx) {
    const region = regionOf(row.ip);
    if (!region) return null;
    const w = ctx.config.travelWindowMs;
    const elsewhere = (await previousLogins(row, ctx, row.at - w)).filter((r) => regionOf(r.ip) !== region);
    const prev = elsewhere[elsewhere.length - 1];
    if (!prev) return null;
    // One alert per user per window: a user switching back and forth is one incident.
    const last = await ctx.lastAlert('impossible_travel', row.actor_id!);
    if (last && row.at - last.triggerAt < w) return null;
    return {
      rule: 'impossible_travel', severity: 'high', subject: row.actor_id!, dedupKey: `${row.actor_id}:${row.seq}`,
      summary: `user ${row.actor_id} logged in from ${regionOf(prev.ip)} and ${region} within ${minutes(row.at - prev.at)} min (window ${minutes(w)} min)`,
      details: { from: { ip: prev.ip, region: regionOf(prev.ip), at: prev.at }, to: { ip: row.ip, region, at: row.at }, minutesApart: minutes(row.at - prev.at), windowMinutes: minutes(w) },
      rows: [prev, row],
    };
  },
};

/** Bulk actions and how much each moves: exports count rows, downloads count files. */
const EXPORTS: Record<string, (d: Record<string, unknown>) => number> = {
  'audit.export': (d) => Number(d.rows ?? 0),
  'compliance.export': (d) => Number(d.rows ?? d.messages ?? d.count ?? 0),
  'messages.export': (d) => Number(d.rows ?? d.messages ?? d.count ?? 0),
};
const DOWNLOADS: Record<string, (d: Record<string, unknown>) => number> = {
  'files.download': () => 1,
  'files.bulk_download': (d) => Number(d.count ?? d.files ?? 1),
};
const BULK = [...Object.keys(EXPORTS), ...Object.keys(DOWNLOADS)];

const bulkExport: AlertRuleDef = {
  name: 'bulk_export',
  relevant: (r) => r.outcome === 'success' && r.actor_id !== null && BULK.includes(r.action),
  async evaluate(row, ctx) {
    const { exportRows, downloads, bulkWindowMs: w } = ctx.config;
    const last = await ctx.lastAlert('bulk_export', row.actor_id!);
    const rows = (await ctx.window({ actorId: row.actor_id!, actions: BULK, sinceAt: row.at - w, afterSeq: last?.triggerSeq ?? 0, uptoSeq: row.seq, limit: 10_000 }))
      .filter((r) => r.outcome === 'success');
    let exported = 0;
    let downloaded = 0;
    for (const r of rows) {
      const d = parseDetails(r);
      const e = EXPORTS[r.action]?.(d) ?? 0;
      const f = DOWNLOADS[r.action]?.(d) ?? 0;
      exported += Number.isFinite(e) ? e : 0;
      downloaded += Number.isFinite(f) ? f : 0;
    }
    if (exported < exportRows && downloaded < downloads) return null;
    const what = exported >= exportRows ? `exported ${exported} rows (threshold ${exportRows})` : `downloaded ${downloaded} files (threshold ${downloads})`;
    return {
      rule: 'bulk_export', severity: 'medium', subject: row.actor_id!, dedupKey: `${row.actor_id}:${row.seq}`,
      summary: `user ${row.actor_id} ${what} within ${minutes(w)} min`,
      details: { exportedRows: exported, downloadedFiles: downloaded, exportThreshold: exportRows, downloadThreshold: downloads, windowMinutes: minutes(w), operations: rows.length },
      rows: cap(rows),
    };
  },
};

/** Administrative and configuration changes (and admins viewing a user's data). */
const ADMIN_ACTIONS = new Set([
  'users.create', 'users.update', 'users.deactivate', 'users.reactivate', 'sessions.revoke_user', 'sessions.list_user',
  'roles.create', 'roles.update', 'roles.delete', 'roles.grant_approve', 'roles.grant_reject',
  'departments.create', 'departments.update', 'departments.delete', 'org.update_settings', 'org.apply_preset', 'org.update_levels',
  'users.reset_mfa',
]);
const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local weekday (0 = Sunday), hour and "HH:MM" of `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { day: number; hour: number; text: string } {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) % 24;
  return { day: WEEKDAYS.indexOf(parts.weekday!), hour, text: `${parts.weekday} ${String(hour).padStart(2, '0')}:${parts.minute}` };
}

const offHoursAdmin: AlertRuleDef = {
  name: 'off_hours_admin',
  relevant: (r) => r.actor_type === 'user' && r.outcome === 'success' && ADMIN_ACTIONS.has(r.action),
  async evaluate(row, ctx) {
    const { businessHours: bh, businessDays, timeZone } = ctx.config;
    const t = localTime(row.at, timeZone);
    if (businessDays.includes(t.day) && t.hour >= bh.start && t.hour < bh.end) return null;
    // One alert per admin per hour: a night of changes is one incident, listed by the first.
    const last = await ctx.lastAlert('off_hours_admin', row.actor_id!);
    if (last && row.at - last.triggerAt < 3_600_000) return null;
    return {
      rule: 'off_hours_admin', severity: 'low', subject: row.actor_id!, dedupKey: `${row.actor_id}:${row.seq}`,
      summary: `user ${row.actor_id} performed ${row.action} at ${t.text} ${timeZone}, outside business hours (${String(bh.start).padStart(2, '0')}-${String(bh.end).padStart(2, '0')})`,
      details: { action: row.action, localTime: t.text, timeZone, businessHours: bh, businessDays },
      rows: [row],
    };
  },
};

/** Permissions whose grant changes who controls or oversees the organisation. */
const POWERFUL: readonly string[] = [...OVERSIGHT_PERMISSIONS, 'users.update', 'users.create', 'users.deactivate', 'users.set_clearance', 'org.update_settings', 'departments.manage', 'users.revoke_sessions'];
/** Denial reasons that mean "tried something above their rights". */
const isPrivilegeDenial = (r: AuditRow) => r.outcome === 'denied' && r.actor_type === 'user'
  && ((r.reason ?? '').startsWith('missing_permission:') || ['self_role_change', 'grant_owner', 'manage_owner', 'self_grant', 'same_admin'].includes(r.reason ?? ''));

const privilegeEscalation: AlertRuleDef = {
  name: 'privilege_escalation',
  relevant: (r) => isPrivilegeDenial(r)
    || (r.outcome === 'success' && (r.action === 'users.update' || r.action === 'roles.grant_approve' || r.action === 'roles.create' || r.action === 'roles.update')),
  async evaluate(row, ctx) {
    const d = parseDetails(row);
    if (row.outcome === 'success') {
      if (row.action === 'users.update' && d.privilegedGrant === true && d.pendingGrant === undefined) {
        return {
          rule: 'privilege_escalation', severity: 'high', subject: row.target_id ?? 'unknown', dedupKey: `grant:${row.seq}`,
          summary: `user ${row.actor_id} granted the privileged role ${String(d.role)} to user ${row.target_id} (was ${String(d.fromRole)})`,
          details: { kind: 'privileged_grant', role: d.role, fromRole: d.fromRole, grantedBy: row.actor_id }, rows: [row],
        };
      }
      if (row.action === 'roles.grant_approve') {
        return {
          rule: 'privilege_escalation', severity: 'high', subject: String(d.userId ?? row.target_id), dedupKey: `approve:${row.seq}`,
          summary: `user ${row.actor_id} approved the privileged role ${String(d.role)} for user ${String(d.userId)} (requested by ${String(d.requestedBy)})`,
          details: { kind: 'grant_approved', role: d.role, requestedBy: d.requestedBy, approvedBy: row.actor_id }, rows: [row],
        };
      }
      if ((row.action === 'roles.create' || row.action === 'roles.update') && Array.isArray(d.permissions)) {
        const powerful = (d.permissions as unknown[]).filter((p): p is string => typeof p === 'string' && POWERFUL.includes(p));
        if (powerful.length === 0) return null;
        return {
          rule: 'privilege_escalation', severity: 'medium', subject: `role:${row.target_id}`, dedupKey: `role:${row.seq}`,
          summary: `user ${row.actor_id} gave role ${row.target_id} the permissions ${powerful.join(', ')}`,
          details: { kind: 'role_permissions', role: row.target_id, permissions: powerful }, rows: [row],
        };
      }
      return null;
    }
    const { privilegeProbes: n, bruteForceWindowMs: w } = ctx.config;
    const last = await ctx.lastAlert('privilege_escalation', row.actor_id!);
    const rows = (await ctx.window({ actorId: row.actor_id!, sinceAt: row.at - w, afterSeq: last?.triggerSeq ?? 0, uptoSeq: row.seq, limit: 10_000 })).filter(isPrivilegeDenial);
    if (rows.length < n) return null;
    return {
      rule: 'privilege_escalation', severity: 'medium', subject: row.actor_id!, dedupKey: `probe:${row.seq}`,
      summary: `user ${row.actor_id} was refused ${rows.length} privileged actions within ${minutes(w)} min (threshold ${n})`,
      details: { kind: 'probing', denials: rows.length, threshold: n, windowMinutes: minutes(w), actions: [...new Set(rows.map((r) => r.action))].slice(0, 20) },
      rows: cap(rows),
    };
  },
};

/** Every rule, in evaluation order. */
export const ALERT_RULE_DEFS: AlertRuleDef[] = [bruteForce, newNetwork, impossibleTravel, bulkExport, offHoursAdmin, privilegeEscalation];
