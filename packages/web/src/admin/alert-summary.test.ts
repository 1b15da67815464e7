/** Alert summaries in the user's language (MON-1, issue 6), rebuilt from each rule's details; the server's sentence when details fall short. */
import { describe, expect, it } from 'vitest';
import type { ResponseOf } from '@conclave/sdk';
import { makeI18n } from '../i18n/i18n';
import { alertSummarizer } from './alert-summary';

type Alert = ResponseOf<'listAlerts'>['alerts'][number];
const ERIN = '01JERNWA7SH0000000000000EW';
const ADA = '01JADABYRNE000000000000ADA';
const names: Record<string, string> = { [ERIN]: 'Erin Walsh', [ADA]: 'Ada Byrne' };
const nameOf = (id: string) => names[id] ?? null;

function alert(rule: Alert['rule'], subject: string, details: Record<string, unknown>, summary = 'server sentence'): Alert {
  return {
    id: '01JAXERT00000000000000000C', rule, severity: 'high', status: 'open', subject, summary, details, rowIds: [], rowSeqs: [],
    triggerSeq: 1, triggerAt: 0, createdAt: 0, acknowledgedBy: null, acknowledgedAt: null, note: null,
  };
}

describe('alert summaries', () => {
  const en = alertSummarizer(makeI18n('en'), nameOf);
  const zh = alertSummarizer(makeI18n('zh-CN'), nameOf);

  it('brute force, per account and per address', () => {
    const a = alert('brute_force', ERIN, { failures: 3, threshold: 3, windowMinutes: 10 });
    expect(en(a)).toBe('3 failed sign-ins for Erin Walsh within 10 min (threshold 3)');
    expect(zh(a)).toBe('10 分钟内 Erin Walsh 登录失败 3 次（阈值 3）');
    expect(en(alert('brute_force', 'ip:203.0.113.9', { failures: 12, threshold: 10, windowMinutes: 5 }))).toBe('12 failed sign-ins for unknown accounts from 203.0.113.9 within 5 min (threshold 10)');
  });

  it('privileged grants and approvals name both people and the role in the user’s language', () => {
    const grant = alert('privilege_escalation', ERIN, { kind: 'privileged_grant', role: 'auditor', fromRole: 'member', grantedBy: ADA });
    expect(en(grant)).toBe('Ada Byrne granted the privileged role Auditor to Erin Walsh (previously Member)');
    expect(zh(grant)).toBe('Ada Byrne 将特权角色“审计员”授予 Erin Walsh（原角色：成员）');
    const perms = alert('privilege_escalation', 'role:shift_lead', { kind: 'role_permissions', role: 'shift_lead', permissions: ['audit.read'] }, `user ${ADA} gave role shift_lead the permissions audit.read`);
    expect(en(perms)).toBe('Ada Byrne gave the role shift_lead powerful permissions: audit.read');
  });

  it('off-hours admin actions show the weekday in the user’s language', () => {
    const a = alert('off_hours_admin', ADA, { action: 'users.update', localTime: 'Sat 23:10', timeZone: 'Europe/London', businessHours: { start: 8, end: 18 } });
    expect(en(a)).toBe('Ada Byrne performed users.update at Sat 23:10 Europe/London, outside business hours (08:00–18:00)');
    expect(zh(a)).toBe('Ada Byrne 于 周六 23:10（Europe/London）执行了 users.update，不在工作时间（08:00–18:00）内');
  });

  it('falls back to the server’s sentence, people by name, when details lack what the sentence needs', () => {
    expect(zh(alert('bulk_export', ERIN, { exportedRows: 5 }, `user ${ERIN} exported 5 rows`))).toBe('user Erin Walsh exported 5 rows');
  });
});
