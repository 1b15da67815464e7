/**
 * DLP-1 review checks: refused downloads and forwards are audited with their reason (and
 * nothing is created by a refused forward); the wire objects carry the flags clients use to
 * disable download/forward/copy; DLP-3 hits in file content are audited as type and position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, previewFile, uploadFile } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe.each(dialects())('DLP-1 enforcement is audited [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, carol: TestUser;
  let confId: string, conf2Id: string, internalId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, carol] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Carol' })]);
    await t.admin.client.users.update(alice.user.id, { clearance: 'confidential' });
    await t.admin.client.users.update(carol.user.id, { clearance: 'confidential' });
    confId = (await alice.client.conversations.create({ kind: 'group', name: 'Board', level: 'confidential', memberIds: [carol.user.id] })).conversation.id;
    conf2Id = (await carol.client.conversations.create({ kind: 'group', name: 'Board 2', level: 'confidential' })).conversation.id;
    internalId = (await alice.client.conversations.create({ kind: 'group', name: 'Team', memberIds: [carol.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });
  const audit = (actorId: string, action: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll().where('actor_id', '=', actorId).where('action', '=', action).orderBy('seq').execute();

  it('download at a no-download level: 403, audited as denied (no_download); the preview works and is audited', async () => {
    const file = await uploadFile(alice.client, confId, 'board-minutes.txt', Buffer.from('BILBY board minutes'));
    const { message } = await alice.client.messages.send(confId, { text: 'minutes', fileIds: [file.id] });
    expect(message.files?.[0]).toMatchObject({ restrictions: { noDownload: true, noForward: true, noCopy: false }, preview: 'text', watermarked: true });
    const err = await expectCode(downloadFile(carol.client, file.id), 'forbidden');
    expect(err.details).toMatchObject({ preview: 'text' });
    // The uploader is refused too: the level decides, not the person.
    await expectCode(downloadFile(alice.client, file.id), 'forbidden');
    const rows = await audit(carol.user.id, 'files.download');
    expect(rows.map((r) => [r.outcome, r.reason, r.target_id])).toEqual([['denied', 'no_download', file.id]]);
    expect(rows[0]!.details).not.toContain('BILBY');
    const p = await previewFile(carol.client, file.id);
    expect(Buffer.from(p.bytes).toString('utf8')).toContain('BILBY board minutes');
    expect((await audit(carol.user.id, 'files.preview')).map((r) => r.outcome)).toEqual(['success']);
  });

  it('forwarding: refused out of a no-forward level and down to a lower level, audited, nothing created', async () => {
    const { message } = await alice.client.messages.send(confId, { text: 'do not forward' });
    const before = (await carol.client.messages.list(conf2Id)).messages.length;
    await expectCode(carol.client.http.request('forwardMessage', { params: { id: confId, messageId: message.id }, body: { toConversationId: conf2Id } }), 'forbidden');
    expect((await carol.client.messages.list(conf2Id)).messages.length).toBe(before);
    // Internal → public is a downgrade.
    const pub = (await carol.client.conversations.create({ kind: 'group', name: 'Open', level: 'public' })).conversation.id;
    const m2 = (await alice.client.messages.send(internalId, { text: 'internal only' })).message;
    await expectCode(carol.client.http.request('forwardMessage', { params: { id: internalId, messageId: m2.id }, body: { toConversationId: pub } }), 'forbidden');
    expect((await carol.client.messages.list(pub)).messages).toEqual([]);
    // Upwards is allowed (internal → confidential).
    const up = await carol.client.http.request('forwardMessage', { params: { id: internalId, messageId: m2.id }, body: { toConversationId: conf2Id } });
    expect(up.message).toMatchObject({ conversationId: conf2Id, text: 'internal only' });
    const rows = await audit(carol.user.id, 'messages.forward');
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([['denied', 'no_forward'], ['denied', 'level_downgrade'], ['success', null]]);
    expect(rows.every((r) => !r.details.includes('do not forward') && !r.details.includes('internal only'))).toBe(true);
  });

  it('conversations carry the no-copy flag at levels that forbid copying', async () => {
    await t.admin.client.org.updateSettings({
      levelPolicies: {
        public: { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, retentionDays: null, mfaRequired: false },
        internal: { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, retentionDays: null, mfaRequired: false },
        confidential: { forwardingAllowed: false, copyAllowed: false, downloadsAllowed: false, retentionDays: null, mfaRequired: false },
        secret: { forwardingAllowed: false, copyAllowed: false, downloadsAllowed: false, retentionDays: null, mfaRequired: true },
      },
    });
    const conv = (await carol.client.conversations.get(confId)).conversation;
    expect(conv.restrictions).toEqual({ noForward: true, noCopy: true, noDownload: true });
    const files = (await carol.client.http.request('listFiles', { params: { id: confId } })).files;
    expect(files[0]?.restrictions).toEqual({ noForward: true, noCopy: true, noDownload: true });
  });

  it('sensitive data in file content is audited as type and position only (DLP-3)', async () => {
    await t.admin.client.org.updateSettings({ dlp: { detectors: ['cn_mobile', 'cn_id', 'bank_card', 'email'], customPatterns: [], levelActions: { internal: 'warn' } } });
    try {
      const body = Buffer.from('联系人 13812345678');
      await expectCode(uploadFile(alice.client, internalId, 'contacts.txt', body), 'dlp_warning');
      const rows = (await audit(alice.user.id, 'files.upload_complete')).filter((r) => r.details.includes('"dlp"'));
      expect(rows.length).toBe(1);
      expect(JSON.parse(rows[0]!.details).dlp).toMatchObject({ what: 'file content', action: 'warn', hits: [{ type: 'cn_mobile', start: 4, end: 15 }] });
      const all = await t.server.svc.database.db.selectFrom('audit_log').select('details').execute();
      expect(all.some((r) => r.details.includes('13812345678'))).toBe(false);
    } finally {
      await t.admin.client.org.updateSettings({ dlp: { detectors: ['cn_mobile', 'cn_id', 'bank_card', 'email'], customPatterns: [], levelActions: { public: 'warn', internal: 'allow', confidential: 'allow', secret: 'allow' } } });
    }
  });
});
