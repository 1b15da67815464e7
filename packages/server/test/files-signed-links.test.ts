/**
 * Short-lived signed file links (MSG-2, DLP-1, issue 8): a URL for a file's content, preview or
 * thumbnail that works without an Authorization header (for `<img src>` and download links),
 * for ≤ 5 minutes, bound to the file, the purpose, the user and the issuing session. Every use
 * re-checks access as the authenticated routes do and is audited; anything wrong is 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG as PNGImage } from 'pngjs';
import { fileLink, uploadFile } from '@conclave/sdk';
import { OffsetClock } from '@conclave/server';
import { dialects, expectCode, startTestServer, USER_PASSWORD, type TestServer, type TestUser } from '@conclave/testkit';

/** A w × h opaque PNG (so the server makes a thumbnail). */
function png(w: number, h: number): Buffer {
  const img = new PNGImage({ width: w, height: h });
  for (let i = 0; i < w * h; i++) img.data.set([i % 256, (i * 7) % 256, 90, 255], i * 4);
  return PNGImage.sync.write(img);
}

describe.each(dialects())('signed file links [%s]', (dialect) => {
  const clock = new OffsetClock();
  let t: TestServer;
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let convId: string, textId: string, imageId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect, clock });
    [alice, bob, eve] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Eve' })]);
    convId = (await alice.client.conversations.create({ kind: 'group', name: 'Links', memberIds: [bob.user.id] })).conversation.id;
    const text = await uploadFile(alice.client, convId, 'notes.txt', Buffer.from('PLATYPUS notes'));
    const image = await uploadFile(alice.client, convId, 'photo.png', png(64, 48));
    expect(image.thumbnail).not.toBeNull();
    await alice.client.messages.send(convId, { text: 'files', fileIds: [text.id, image.id] });
    [textId, imageId] = [text.id, image.id];
  });
  afterAll(async () => { await t?.close(); });

  /** A plain GET as a browser would make it: no Authorization header, no cookies. */
  const get = (url: string) => fetch(url, { headers: {} });
  const codeOf = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
  const audit = (action: string, targetId: string) => t.server.svc.database.db.selectFrom('audit_log').selectAll()
    .where('action', '=', action).where('target_id', '=', targetId).orderBy('seq').execute();
  /** The link with one query parameter replaced. */
  const withParam = (url: string, k: string, v: string) => { const u = new URL(url); u.searchParams.set(k, v); return u.toString(); };

  it('content, preview and thumbnail links work without an auth header, carry no session token, and each use is audited', async () => {
    const content = await bob.client.files.link(textId, 'content');
    expect(content.expiresAt).toBeLessThanOrEqual(clock.now() + 5 * 60_000);
    expect(content.url).not.toContain(bob.client.http.token!);
    const res = await get(content.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await res.text()).toBe('PLATYPUS notes');
    const preview = await fileLink(bob.client, textId, 'preview');
    expect(await (await get(preview.url)).text()).toContain('PLATYPUS notes');
    const thumb = await bob.client.files.link(imageId, 'thumbnail');
    const img = await get(thumb.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
    // Within its lifetime a link may be used again (an <img> re-rendered); every use is audited as the user.
    expect((await get(content.url)).status).toBe(200);
    const uses = (await audit('files.download', textId)).filter((r) => r.actor_id === bob.user.id);
    expect(uses.map((r) => [r.outcome, JSON.parse(r.details).via])).toEqual([['success', 'link'], ['success', 'link']]);
    expect((await audit('files.preview', textId)).map((r) => [r.actor_id, r.outcome, JSON.parse(r.details).via])).toEqual([[bob.user.id, 'success', 'link']]);
    expect((await audit('files.thumbnail', imageId)).map((r) => [r.actor_id, r.outcome])).toEqual([[bob.user.id, 'success']]);
    const issued = await audit('files.link_issue', textId);
    expect(issued.map((r) => [r.actor_id, r.outcome, JSON.parse(r.details).purpose])).toEqual([[bob.user.id, 'success', 'content'], [bob.user.id, 'success', 'preview']]);
    expect(issued.every((r) => !r.details.includes('PLATYPUS'))).toBe(true);
  });

  it('an expired link is 404 (audited); a fresh one works again', async () => {
    const link = await bob.client.files.link(textId, 'content');
    clock.offset += 5 * 60_000 + 1;
    try {
      expect(await codeOf(await get(link.url))).toEqual([404, 'not_found']);
    } finally {
      clock.offset -= 5 * 60_000 + 1;
    }
    const rows = (await audit('files.link_use', textId)).filter((r) => r.reason === 'link_expired');
    expect(rows.length).toBe(1);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ purpose: 'content', userId: bob.user.id });
    expect((await get((await bob.client.files.link(textId, 'content')).url)).status).toBe(200);
  });

  it('a tampered signature, expiry or user, another file id or another purpose is 404', async () => {
    const link = await bob.client.files.link(textId, 'preview');
    const sig = new URL(link.url).searchParams.get('sig')!;
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    expect(await codeOf(await get(withParam(link.url, 'sig', flipped)))).toEqual([404, 'not_found']);
    expect(await codeOf(await get(withParam(link.url, 'e', String(link.expiresAt + 60_000))))).toEqual([404, 'not_found']);
    expect(await codeOf(await get(withParam(link.url, 'u', alice.user.id)))).toEqual([404, 'not_found']);
    // Same signature on another file, or for another purpose of the same file.
    expect(await codeOf(await get(link.url.replace(`/files/${textId}/`, `/files/${imageId}/`)))).toEqual([404, 'not_found']);
    expect(await codeOf(await get(link.url.replace('/links/preview', '/links/content')))).toEqual([404, 'not_found']);
    expect(await codeOf(await get(link.url.replace('/links/preview', '/links/thumbnail')))).toEqual([404, 'not_found']);
    // A malformed signature is a validation error, like any bad query.
    expect((await get(withParam(link.url, 'sig', 'short'))).status).toBe(400);
    // The untouched link still works.
    expect((await get(link.url)).status).toBe(200);
  });

  it('access is re-checked on use: removed from the conversation → 404, audited as that user', async () => {
    const carol = await t.createUser({ name: 'Carol' });
    await alice.client.conversations.addMembers(convId, [carol.user.id]);
    const link = await carol.client.files.link(textId, 'preview');
    expect((await get(link.url)).status).toBe(200);
    await alice.client.conversations.removeMember(convId, carol.user.id);
    expect(await codeOf(await get(link.url))).toEqual([404, 'not_found']);
    const rows = (await audit('files.preview', textId)).filter((r) => r.actor_id === carol.user.id);
    expect(rows.map((r) => r.outcome)).toEqual(['success', 'denied']);
  });

  it('a deactivated user\'s links and a signed-out session\'s links stop working', async () => {
    const dave = await t.createUser({ name: 'Dave' });
    await alice.client.conversations.addMembers(convId, [dave.user.id]);
    const link = await dave.client.files.link(textId, 'content');
    expect((await get(link.url)).status).toBe(200);
    await t.admin.client.users.deactivate(dave.user.id);
    expect(await codeOf(await get(link.url))).toEqual([404, 'not_found']);
    expect((await audit('files.link_use', textId)).some((r) => r.reason === 'link_session' && JSON.parse(r.details).userId === dave.user.id)).toBe(true);

    const second = t.client();
    await second.login(bob.user.email, USER_PASSWORD);
    const link2 = await second.files.link(textId, 'content');
    expect((await get(link2.url)).status).toBe(200);
    await second.auth.logout();
    expect(await codeOf(await get(link2.url))).toEqual([404, 'not_found']);
  });

  it('DLP-1: no content link while downloads are disabled (level or message); an issued one stops working once they are', async () => {
    const file = await uploadFile(alice.client, convId, 'locked.txt', Buffer.from('locked'));
    const { message } = await alice.client.messages.send(convId, { text: 'locked', fileIds: [file.id] });
    const early = await bob.client.files.link(file.id, 'content');
    const preview = await bob.client.files.link(file.id, 'preview');
    await alice.client.messages.edit(convId, message.id, { restrictions: { noDownload: true } });
    const err = await expectCode(bob.client.files.link(file.id, 'content'), 'forbidden');
    expect(err.details).toMatchObject({ rule: 'message' });
    expect(await codeOf(await get(early.url))).toEqual([403, 'forbidden']);
    expect((await get(preview.url)).status).toBe(200);
    const rows = (await audit('files.download', file.id)).filter((r) => r.actor_id === bob.user.id);
    expect(rows.map((r) => [r.outcome, r.reason, JSON.parse(r.details).rule])).toEqual([['denied', 'no_download', 'message']]);
    // Other purposes without content: a text file has no thumbnail.
    await expectCode(bob.client.files.link(file.id, 'thumbnail'), 'not_found');
  });

  it('denial: a non-member cannot issue a link (404, audited); bad purposes are 400', async () => {
    await expectCode(eve.client.files.link(textId, 'preview'), 'not_found');
    const rows = (await audit('files.link_issue', textId)).filter((r) => r.actor_id === eve.user.id);
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([['denied', 'not_member']]);
    const bad = await expectCode(bob.client.http.request('createFileLink', { params: { id: textId }, body: { purpose: 'raw' } as never }), 'validation_failed');
    expect(bad.message).toContain('body.purpose');
    // Whoever holds a link acts as its user for its few minutes (a header does not change that):
    // the use is checked and audited as bob, with the requester's address.
    const link = await bob.client.files.link(textId, 'preview');
    const res = await fetch(link.url, { headers: { authorization: `Bearer ${eve.client.http.token}` } });
    expect(res.status).toBe(200);
    expect((await audit('files.preview', textId)).at(-1)!.actor_id).toBe(bob.user.id);
  });
});
