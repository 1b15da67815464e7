/**
 * Files (MSG-2): denial tests for the write endpoints the main suite exercises only on the
 * happy path — delete (uploader or conversation admin), cancel/complete of someone else's
 * upload, attaching someone else's upload to a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, uploadFile } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe.each(dialects())('files: write permissions [%s]', (dialect) => {
  let t: TestServer;
  let owner: TestUser, bob: TestUser, eve: TestUser;
  let convId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [owner, bob, eve] = await Promise.all([t.createUser({ name: 'Owner' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Eve' })]);
    convId = (await owner.client.conversations.create({ kind: 'group', name: 'Perms', memberIds: [bob.user.id] })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });

  it('delete: a member who did not upload is refused (403), an outsider gets 404; the conversation owner may', async () => {
    const file = await uploadFile(bob.client, convId, 'bob.txt', Buffer.from('bob data'));
    await bob.client.messages.send(convId, { text: 'mine', fileIds: [file.id] });
    const other = await uploadFile(owner.client, convId, 'owner.txt', Buffer.from('owner data'));
    await owner.client.messages.send(convId, { text: 'theirs', fileIds: [other.id] });
    const err = await expectCode(bob.client.http.request('deleteFile', { params: { id: other.id } }), 'forbidden');
    expect(err.status).toBe(403);
    await expectCode(eve.client.http.request('deleteFile', { params: { id: other.id } }), 'not_found');
    expect(Buffer.from((await downloadFile(bob.client, other.id)).bytes).toString()).toBe('owner data');
    const denied = await t.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'files.delete').where('outcome', '=', 'denied').orderBy('seq').execute();
    expect(denied.map((r) => [r.actor_id, r.reason])).toEqual([[bob.user.id, 'not_uploader'], [eve.user.id, 'not_member']]);
    // The conversation owner may delete a member's file.
    await owner.client.http.request('deleteFile', { params: { id: file.id } });
    await expectCode(bob.client.http.request('getFile', { params: { id: file.id } }), 'not_found');
  });

  it('someone else\'s upload cannot be completed, cancelled or attached', async () => {
    const { upload } = await owner.client.http.request('createUpload', { body: { conversationId: convId, name: 'pending.txt', size: 5 } });
    await expectCode(bob.client.http.request('completeUpload', { params: { id: upload.id }, body: {} }), 'not_found');
    await expectCode(bob.client.http.request('cancelUpload', { params: { id: upload.id } }), 'not_found');
    const done = await uploadFile(owner.client, convId, 'ready.txt', Buffer.from('ready'));
    await expectCode(bob.client.messages.send(convId, { text: 'stolen', fileIds: [done.id] }), 'validation_failed');
    // An outsider cannot start an upload into the conversation.
    await expectCode(eve.client.http.request('createUpload', { body: { conversationId: convId, name: 'x.txt', size: 5 } }), 'not_found');
    expect((await owner.client.http.request('getUpload', { params: { id: upload.id } })).upload.receivedBytes).toBe(0);
  });
});
