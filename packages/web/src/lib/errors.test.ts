/** errorText (issue 6): every documented error code reads in both languages; access refusals are precise; unknown codes keep the server's words. */
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, ConclaveError, ERROR_CODES } from '@conclave/sdk';
import { makeI18n } from '../i18n/i18n';
import { errorText } from './errors';

const en = makeI18n('en');
const zh = makeI18n('zh-CN');
const SERVER = 'the server says something specific';

describe('errorText', () => {
  it('has a message of its own for every documented and SDK-side code, in English and Chinese', () => {
    for (const code of [...Object.keys(ERROR_CODES), ...CLIENT_ERROR_CODES]) {
      for (const i18n of [en, zh]) {
        const text = errorText(new ConclaveError(code, SERVER), i18n);
        expect(text, `${code} (${i18n.lang})`).not.toBe(SERVER);
        expect(text, `${code} (${i18n.lang})`).not.toMatch(/^err\./);
      }
      expect(errorText(new ConclaveError(code, SERVER), zh), code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('keeps the server’s specifics after the localized sentence where they name the object', () => {
    expect(errorText(new ConclaveError('conflict', 'the conversation is archived'), en)).toBe('This clashes with the current state. The conversation is archived.');
    expect(errorText(new ConclaveError('conflict', 'the conversation is archived'), zh)).toBe('操作与当前状态冲突。（服务器说明：the conversation is archived）');
    expect(errorText(new ConclaveError('not_found', 'role not found'), en)).toBe('This no longer exists, or you do not have access to it.');
  });

  it('turns access-control refusals with details.reason into precise sentences', () => {
    const inUse = new ConclaveError('conflict', 'the role still has holders; move them to another role first', { details: { reason: 'role_in_use', role: 'shift_lead', holders: 2 } });
    expect(errorText(inUse, en)).toBe('People still hold shift_lead (2). Give them another role under Users first, then delete it.');
    expect(errorText(inUse, zh)).toBe('仍有 2 人持有 shift_lead。请先在“用户”中为他们更换角色，再删除。');
    const level = new ConclaveError('conflict', 'level "restricted" is still in use', {
      details: { reason: 'level_in_use', level: 'restricted', usage: { conversations: 3, clearances: 1, files: 0, retentionPolicies: 0, retentionMinimums: 0, archiveLevels: 0 } },
    });
    expect(errorText(level, en)).toBe('Level restricted is still in use (conversations: 3; people’s clearance: 1). Move what uses it to another level before removing it.');
    expect(errorText(level, zh)).toBe('密级 restricted 仍在使用中（3 个会话、1 人的许可级别），请先将其调整到其他密级再移除。');
    expect(errorText(new ConclaveError('forbidden', 'x', { details: { reason: 'escalation', permissions: ['audit.read', 'audit.export'] } }), en))
      .toBe('You cannot grant permissions you do not hold yourself: audit.read, audit.export.');
    expect(errorText(new ConclaveError('forbidden', 'x', { details: { reason: 'same_admin' } }), zh)).toBe('这是你发起的变更，须由另一位管理员批准或拒绝。');
  });

  it('shows a code it does not know as the server wrote it, and keeps validation and lockout details', () => {
    expect(errorText(new ConclaveError('brand_new_code', SERVER), zh)).toBe(SERVER);
    expect(errorText(new ConclaveError('validation_failed', 'x', { details: { issues: [{ path: 'body.name', message: 'too long' }] } }), en)).toBe('Check the form: body.name: too long');
    expect(errorText(new ConclaveError('account_locked', 'x', { details: { retryAfterMs: 90_000 } }), zh)).toBe('尝试次数过多，请在 2 分钟后重试。');
    expect(errorText(new Error('plain'), en)).toBe('plain');
  });
});
