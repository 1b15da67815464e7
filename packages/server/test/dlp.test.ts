/**
 * Data-loss prevention: detectors' true/false positives (DLP-3), masking (DLP-3, DLP-4), the
 * per-level policy on messages and file names with audited hits (type and position only),
 * role-based masking of the directory and the audited unmask (DLP-4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '@conclave/sdk';
import { detect, luhn, maskAddress, maskBankCard, maskEmail, maskIdNumber, maskPhone, validCnId } from '@conclave/server';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

const ALL = { detectors: ['cn_mobile', 'cn_id', 'bank_card', 'email'] as Array<'cn_mobile' | 'cn_id' | 'bank_card' | 'email'>, customPatterns: [] };
const types = (text: string, settings: Parameters<typeof detect>[1] = ALL) => detect(text, settings).map((h) => `${h.type}:${text.slice(h.start, h.end)}`);

describe('detectors (DLP-3)', () => {
  const cases: Array<[string, string[]]> = [
    // Chinese mainland mobile numbers
    ['call 13812345678 now', ['cn_mobile:13812345678']],
    ['电话：13912345678。', ['cn_mobile:13912345678']],
    ['+86 138 1234 5678', ['cn_mobile:+86 138 1234 5678']],
    ['86-15912345678', ['cn_mobile:86-15912345678']],
    ['138-1234-5678', ['cn_mobile:138-1234-5678']],
    ['12812345678', []], // 12x is not a mobile prefix
    ['1381234567', []], // 10 digits
    ['138123456789', []], // 12 digits
    ['order 213812345678', []], // inside a longer number
    ['abc13812345678def', []], // glued to letters (an id or token)
    // Resident ID numbers (checksum + birth date)
    ['身份证 11010519491231002X', ['cn_id:11010519491231002X']],
    ['id 110105194912310021 ok', []], // wrong check digit
    ['440524198001010013', ['cn_id:440524198001010013']],
    ['440524188001010014', []], // valid checksum, born 1880: not plausible
    ['11010519491331002X', []], // month 13
    ['110105194902300028', []], // 30 February
    ['1101051949123100', []], // too short
    // Bank cards (Luhn)
    ['card 6222021234567890127', []], // Luhn fails
    ['card 6222 0212 3456 7890 128', ['bank_card:6222 0212 3456 7890 128']],
    ['visa 4111 1111 1111 1111', ['bank_card:4111 1111 1111 1111']],
    ['unionpay 6212261202011584340', ['bank_card:6212261202011584340']],
    ['mc 5500-0000-0000-0004', ['bank_card:5500-0000-0000-0004']],
    ['ref 1234567812345670', []], // Luhn-valid but no card issuer prefix
    ['0000000000000000', []],
    ['tracking 4111111111111112', []], // Luhn fails
    // Emails
    ['mail zhang.san@example.com please', ['email:zhang.san@example.com']],
    ['a+tag@sub.example.co.uk', ['email:a+tag@sub.example.co.uk']],
    ['not an email: user@localhost', []],
    ['@handle and foo@ and @bar.com', []],
    // Mixed, ordered by position
    ['13812345678 / x@y.io / 11010519491231002X', ['cn_mobile:13812345678', 'email:x@y.io', 'cn_id:11010519491231002X']],
    ['no sensitive data 2024-05-01 14:30, room 1203', []],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected.length ? expected.join(', ') : 'nothing'}`, () => {
      expect(types(text)).toEqual(expected);
    });
  }

  it('checksums', () => {
    expect(validCnId('11010519491231002X')).toBe(true);
    expect(validCnId('11010519491231002x')).toBe(true);
    expect(validCnId('110105194912310021')).toBe(false);
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });

  it('enabled detectors and custom patterns', () => {
    expect(types('13812345678 x@y.io', { detectors: ['email'], customPatterns: [] })).toEqual(['email:x@y.io']);
    const custom = { detectors: [], customPatterns: [{ name: 'project_code', pattern: 'PRJ-\\d{4}' }] };
    expect(types('see prj-1234 and PRJ-99', custom)).toEqual(['project_code:prj-1234']);
    // A pattern matching the empty string never loops.
    expect(types('abc', { detectors: [], customPatterns: [{ name: 'empty', pattern: 'x*' }] })).toEqual([]);
  });
});

describe('masking (DLP-3, DLP-4)', () => {
  const cases: Array<[(v: string) => string, string, string]> = [
    [maskPhone, '13812345678', '138****5678'],
    [maskPhone, '+86 138 1234 5678', '+86 138 **** 5678'],
    [maskIdNumber, '11010519491231002X', '110***********002X'],
    [maskBankCard, '6212261202011584340', '6212***********4340'],
    [maskBankCard, '4111 1111 1111 1111', '4111 **** **** 1111'],
    [maskEmail, 'zhang.san@example.com', 'z***@example.com'],
    [maskEmail, 'a@b.io', 'a***@b.io'],
    [maskAddress, '北京市海淀区中关村大街27号', '北京市海淀区'],
    [maskAddress, '浙江省杭州市西湖区文三路90号', '浙江省杭州市西湖区'],
    [maskAddress, '上海市浦东新区世纪大道100号', '上海市浦东新区'],
    [maskAddress, '12 Baker Street, Marylebone, London', 'Marylebone, London'],
  ];
  for (const [fn, input, out] of cases) it(`${fn.name}(${input}) → ${out}`, () => expect(fn(input)).toBe(out));
});

describe.each(dialects())('DLP policy and masking through the API [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, guest: TestUser;
  let internal: string, pub: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob] = await Promise.all([t.createUser({ name: 'Alice', email: 'alice.liddell@test.local' }), t.createUser({ name: 'Bob' })]);
    guest = await t.createUser({ role: 'guest', name: 'Guest' });
    internal = (await alice.client.conversations.create({ kind: 'group', name: 'Internal', memberIds: [bob.user.id, guest.user.id] })).conversation.id;
    pub = (await alice.client.conversations.create({ kind: 'group', name: 'Public', level: 'public', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });
  const audit = (action: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
  const setActions = (levelActions: Record<string, 'allow' | 'warn' | 'mask' | 'block'>) =>
    t.admin.client.org.updateSettings({ dlp: { detectors: ['cn_mobile', 'cn_id', 'bank_card', 'email'], customPatterns: [], levelActions } });

  it('default: public warns (send again acknowledged), internal allows; hits are audited without values', async () => {
    const text = '客户电话 13812345678，邮箱 client@example.com';
    const warn = await expectCode(alice.client.messages.send(pub, { text }), 'dlp_warning');
    expect(warn.status).toBe(409);
    expect(warn.details).toMatchObject({ action: 'warn', hits: [{ type: 'cn_mobile', start: 5, end: 16 }, { type: 'email', start: 20, end: 38 }] });
    const sent = await alice.client.messages.send(pub, { text, acknowledgeSensitive: true });
    expect(sent.message.text).toBe(text);
    expect((await alice.client.messages.send(internal, { text })).message.text).toBe(text);
    const rows = (await audit('messages.send')).filter((r) => r.details.includes('"dlp"'));
    expect(rows.map((r) => [r.outcome, JSON.parse(r.details).dlp.action])).toEqual([['failed', 'warn'], ['success', 'warn'], ['success', 'allow']]);
    expect(JSON.parse(rows[1]!.details).dlp).toMatchObject({ acknowledged: true, hits: [{ type: 'cn_mobile', start: 5, end: 16 }, { type: 'email', start: 20, end: 38 }] });
    const all = await t.server.svc.database.db.selectFrom('audit_log').select('details').execute();
    expect(all.some((r) => r.details.includes('13812345678') || r.details.includes('client@example.com'))).toBe(false);
  });

  it('mask stores the masked text; block refuses (422) and stores nothing; edits are checked too', async () => {
    await setActions({ public: 'block', internal: 'mask' });
    try {
      const { message } = await alice.client.messages.send(internal, { text: '卡号 6212261202011584340 身份证 11010519491231002X' });
      expect(message.text).toBe('卡号 6212***********4340 身份证 110***********002X');
      expect((await bob.client.messages.get(internal, message.id)).message.text).toBe(message.text);
      const before = (await alice.client.messages.list(pub)).messages.length;
      const blocked = await expectCode(alice.client.messages.send(pub, { text: 'mail me: x@corp.example', acknowledgeSensitive: true }), 'dlp_blocked');
      expect(blocked.status).toBe(422);
      expect(blocked.details).toMatchObject({ hits: [{ type: 'email', start: 9, end: 23 }] });
      expect((await alice.client.messages.list(pub)).messages.length).toBe(before);
      const ok = (await alice.client.messages.send(pub, { text: 'nothing sensitive' })).message;
      await expectCode(alice.client.messages.edit(pub, ok.id, 'now 13912345678'), 'dlp_blocked');
      expect((await alice.client.messages.edit(internal, message.id, 'call 13912345678')).message.text).toBe('call 139****5678');
      // File names follow the same policy; file text that cannot be masked is refused.
      await expectCode(alice.client.http.request('createUpload', { body: { conversationId: pub, name: '13812345678.txt', size: 3 } }), 'dlp_blocked');
      const masked = await uploadFile(alice.client, internal, '客户13812345678.txt', Buffer.from('plain'));
      expect(masked.name).toBe('客户138****5678.txt');
      const rejected = await expectCode(uploadFile(alice.client, internal, 'list.txt', Buffer.from('id 11010519491231002X')), 'dlp_blocked');
      expect(rejected.details).toMatchObject({ hits: [{ type: 'cn_id', start: 3, end: 21 }] });
    } finally {
      await setActions({ public: 'warn', internal: 'allow', confidential: 'allow', secret: 'allow' });
    }
  });

  it('the scan endpoint tells a client what sending would do', async () => {
    const res = await alice.client.http.request('dlpScan', { body: { text: 'x 13812345678', conversationId: pub } });
    expect(res).toEqual({ action: 'warn', hits: [{ type: 'cn_mobile', start: 2, end: 13 }] });
    expect(await alice.client.http.request('dlpScan', { body: { text: 'hello', conversationId: pub } })).toEqual({ action: 'allow', hits: [] });
    await expectCode(guest.client.http.request('dlpScan', { body: { text: 'x', conversationId: pub } }), 'not_found');
  });

  it('settings are validated: unknown levels and bad patterns are refused', async () => {
    await expectCode(t.admin.client.org.updateSettings({ dlp: { detectors: [], customPatterns: [], levelActions: { nosuch: 'block' } } }), 'validation_failed');
    await expectCode(t.admin.client.org.updateSettings({ dlp: { detectors: [], customPatterns: [{ name: 'bad', pattern: '([' }], levelActions: {} } }), 'validation_failed');
    await expectCode(t.admin.client.org.updateSettings({ watermarkFromLevel: 'nosuch' }), 'validation_failed');
    await expectCode(bob.client.org.updateSettings({ dlp: { detectors: [], customPatterns: [], levelActions: {} } }), 'forbidden');
  });

  it('role-based masking (DLP-4): guests see others\' emails masked by default; members do not', async () => {
    const seenByGuest = (await guest.client.users.get(alice.user.id)).user;
    expect(seenByGuest).toMatchObject({ email: 'a***@test.local', maskedFields: ['email'] });
    expect((await guest.client.me.get()).user.email).toBe(guest.user.email);
    expect((await guest.client.users.list()).users.find((u) => u.id === guest.user.id)?.email).toBe(guest.user.email);
    expect((await bob.client.users.get(alice.user.id)).user.email).toBe('alice.liddell@test.local');
  });

  it('masking for everyone; holders of users.view_unmasked reveal one field, audited; others cannot', async () => {
    await t.admin.client.org.updateSettings({ maskPersonalData: 'all' });
    try {
      expect((await bob.client.users.get(alice.user.id)).user.email).toBe('a***@test.local');
      expect((await t.admin.client.users.list()).users.find((u) => u.id === alice.user.id)?.email).toBe('a***@test.local');
      const { value } = await t.admin.client.http.request('unmaskUserField', { params: { id: alice.user.id }, body: { field: 'email' } });
      expect(value).toBe('alice.liddell@test.local');
      await expectCode(bob.client.http.request('unmaskUserField', { params: { id: alice.user.id }, body: { field: 'email' } }), 'forbidden');
      await expectCode(guest.client.http.request('unmaskUserField', { params: { id: alice.user.id }, body: { field: 'email' } }), 'forbidden');
      await expectCode(t.admin.client.http.request('unmaskUserField', { params: { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, body: { field: 'email' } }), 'not_found');
      const rows = await audit('users.unmask');
      expect(rows.map((r) => [r.outcome, r.target_id])).toEqual([['success', alice.user.id], ['denied', alice.user.id], ['denied', alice.user.id], ['denied', '01ARZ3NDEKTSV4RRFFQ69G5FAV']]);
      expect(rows.every((r) => !r.details.includes('alice.liddell'))).toBe(true);
    } finally {
      await t.admin.client.org.updateSettings({ maskPersonalData: 'external' });
    }
  });

  it('phone and address: sealed at rest, masked per viewer (138****5678, city/district), unmasked one field at a time', async () => {
    const { user } = await t.admin.client.users.update(alice.user.id, { phone: '13812345678', address: '北京市海淀区中关村大街27号' });
    expect(user).toMatchObject({ phone: '13812345678', address: '北京市海淀区中关村大街27号' });
    await expectCode(t.admin.client.users.update(alice.user.id, { phone: 'call me maybe' }), 'validation_failed');
    // Never in clear at rest.
    const row = await t.server.svc.database.db.selectFrom('users').selectAll().where('id', '=', alice.user.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.profile_enc!).includes(Buffer.from('13812345678'))).toBe(false);
    expect(Buffer.from(row.profile_enc!).includes(Buffer.from('中关村', 'utf8'))).toBe(false);
    // A guest (masked by default) sees the reduced forms; alice sees her own in full.
    const seen = (await guest.client.users.get(alice.user.id)).user;
    expect(seen).toMatchObject({ phone: '138****5678', address: '北京市海淀区' });
    expect(seen.maskedFields).toEqual(['email', 'phone', 'address']);
    expect((await alice.client.users.get(alice.user.id)).user.phone).toBe('13812345678');
    const { value } = await t.admin.client.http.request('unmaskUserField', { params: { id: alice.user.id }, body: { field: 'address' } });
    expect(value).toBe('北京市海淀区中关村大街27号');
    await expectCode(t.admin.client.http.request('unmaskUserField', { params: { id: bob.user.id }, body: { field: 'phone' } }), 'not_found');
    const rows = await audit('users.unmask');
    expect(rows.every((r) => !r.details.includes('中关村') && !r.details.includes('13812345678'))).toBe(true);
    // Clearing a field keeps the other.
    expect((await t.admin.client.users.update(alice.user.id, { phone: null })).user).toMatchObject({ phone: null, address: '北京市海淀区中关村大街27号' });
  });
});
