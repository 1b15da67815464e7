/**
 * Search (MSG-3): CJK and Latin, filtered by what the searcher may see, with highlights and
 * filters; the index follows edits and deletes, holds no plaintext, and hostile queries get a
 * clear 4xx or safe results.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '@conclave/sdk';
import { documentTokens, findPhrases, parseQuery } from '@conclave/server';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe('search tokens', () => {
  it('CJK runs give unigrams and bigrams; Latin words stay whole; NFKC and case fold', () => {
    expect([...documentTokens('会议纪要')].sort()).toEqual(['b:会议', 'b:纪要', 'b:议纪', 'c:会', 'c:纪', 'c:要', 'c:议'].sort());
    expect([...documentTokens('Ｑ３ Budget-Review')]).toEqual(['w:q3', 'w:budget', 'w:review']);
    expect(parseQuery('会议纪要 has:file')).toEqual({ tokens: ['b:会议', 'b:议纪', 'b:纪要'], phrases: ['会议纪要'], hasFile: true });
    expect(parseQuery('%_*.?(){}[]|\\^$').tokens).toEqual([]);
  });

  it('highlights map back to the original text (full-width, mixed scripts)', () => {
    expect(findPhrases('今天的会议纪要已发出', ['会议纪要'])).toEqual([{ start: 3, end: 7 }]);
    expect(findPhrases('ＢＵＤＧＥＴ review', ['budget'])).toEqual([{ start: 0, end: 6 }]);
    expect(findPhrases('budgetary', ['budget'])).toBeNull();
  });
});

describe.each(dialects())('search (MSG-3) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let convId: string, otherId: string;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, eve] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Eve' })]);
    convId = (await alice.client.conversations.create({ kind: 'group', name: 'Search', memberIds: [bob.user.id] })).conversation.id;
    otherId = (await bob.client.conversations.create({ kind: 'group', name: 'Other' })).conversation.id;
  });
  afterAll(async () => { await t?.close(); });
  const search = (c: TestUser, query: Record<string, unknown>) => c.client.http.request('search', { query: query as { q: string } });

  it('finds 会议纪要 in a Chinese message, with the highlight on it', async () => {
    const { message } = await alice.client.messages.send(convId, { text: '今天的会议纪要已经发到群里了，请查收。' });
    await alice.client.messages.send(convId, { text: '会议改到明天' });
    const res = await search(bob, { q: '会议纪要' });
    expect(res.messages.map((h) => h.message.id)).toEqual([message.id]);
    const hit = res.messages[0]!;
    expect(hit.snippet.slice(hit.highlights[0]!.start, hit.highlights[0]!.end)).toBe('会议纪要');
    // A single character and a two-character word work too.
    expect((await search(bob, { q: '会议' })).messages.length).toBe(2);
    expect((await search(bob, { q: '群' })).messages.map((h) => h.message.id)).toEqual([message.id]);
  });

  it('Japanese, Korean and English', async () => {
    const ja = (await alice.client.messages.send(convId, { text: '明日の会議の議事録を共有します' })).message.id;
    const ko = (await alice.client.messages.send(convId, { text: '회의록을 공유합니다' })).message.id;
    const en = (await alice.client.messages.send(convId, { text: 'The Quarterly BUDGET review is on Friday' })).message.id;
    expect((await search(bob, { q: '議事録' })).messages.map((h) => h.message.id)).toEqual([ja]);
    expect((await search(bob, { q: '회의록' })).messages.map((h) => h.message.id)).toEqual([ko]);
    expect((await search(bob, { q: 'budget review' })).messages.map((h) => h.message.id)).toEqual([en]);
    expect((await search(bob, { q: 'quarterly friday' })).messages.map((h) => h.message.id)).toEqual([en]);
    expect((await search(bob, { q: 'budg' })).messages).toEqual([]);
    expect((await search(bob, { q: 'budget monday' })).messages).toEqual([]);
  });

  it('only what the searcher may see: members, not outsiders; not before their history horizon', async () => {
    await alice.client.messages.send(convId, { text: 'platypus secret plan' });
    await bob.client.messages.send(otherId, { text: 'platypus elsewhere' });
    expect((await search(bob, { q: 'platypus' })).messages.length).toBe(2);
    expect((await search(alice, { q: 'platypus' })).messages.length).toBe(1);
    expect((await search(eve, { q: 'platypus' })).messages).toEqual([]);
    // Naming a conversation you are not in is not found, like everywhere else.
    await expectCode(search(eve, { q: 'platypus', conversationId: convId }), 'not_found');
    // A newcomer who may not see earlier history does not find it.
    await t.admin.client.org.updateSettings({ historyVisibleToNewMembers: false });
    try {
      await alice.client.conversations.addMembers(convId, [eve.user.id]);
      expect((await search(eve, { q: 'platypus' })).messages).toEqual([]);
      await alice.client.messages.send(convId, { text: 'platypus after eve joined' });
      expect((await search(eve, { q: 'platypus' })).messages.map((h) => h.message.text)).toEqual(['platypus after eve joined']);
    } finally {
      await t.admin.client.org.updateSettings({ historyVisibleToNewMembers: true });
    }
    // Leaving takes it away.
    await eve.client.conversations.leave(convId);
    expect((await search(eve, { q: 'platypus' })).messages).toEqual([]);
  });

  it('filters: conversation, author, dates, has:file; file names are searched too', async () => {
    const a = (await alice.client.messages.send(convId, { text: 'wombat from alice' })).message;
    const b = (await bob.client.messages.send(convId, { text: 'wombat from bob' })).message;
    const c = (await bob.client.messages.send(otherId, { text: 'wombat other room' })).message;
    expect((await search(bob, { q: 'wombat', conversationId: convId })).messages.map((h) => h.message.id)).toEqual([b.id, a.id]);
    expect((await search(bob, { q: 'wombat', authorId: alice.user.id })).messages.map((h) => h.message.id)).toEqual([a.id]);
    expect((await search(bob, { q: 'wombat', from: b.createdAt })).messages.map((h) => h.message.id)).toEqual([c.id, b.id]);
    expect((await search(bob, { q: 'wombat', to: a.createdAt })).messages.map((h) => h.message.id)).toEqual([a.id]);
    const file = await uploadFile(bob.client, convId, '2024年度会议纪要.txt', Buffer.from('minutes'));
    const withFile = (await bob.client.messages.send(convId, { text: 'wombat minutes attached', fileIds: [file.id] })).message;
    expect((await search(bob, { q: 'wombat has:file' })).messages.map((h) => h.message.id)).toEqual([withFile.id]);
    expect((await search(bob, { q: 'wombat', hasFile: 'true' })).messages.map((h) => h.message.id)).toEqual([withFile.id]);
    expect((await search(alice, { q: 'has:file' })).messages.map((h) => h.message.id)).toContain(withFile.id);
    const files = (await search(alice, { q: '会议纪要' })).files;
    expect(files.map((f) => f.file.id)).toEqual([file.id]);
    expect(files[0]!.file.name.slice(files[0]!.highlights[0]!.start, files[0]!.highlights[0]!.end)).toBe('会议纪要');
    expect((await search(eve, { q: '会议纪要' })).files).toEqual([]);
    // limit and hasMore
    const page = await search(bob, { q: 'wombat', limit: 2 });
    expect(page.messages.length).toBe(2);
    expect(page.hasMore).toBe(true);
  });

  it('edits re-index, deletes remove', async () => {
    const { message } = await alice.client.messages.send(convId, { text: 'aardvark original' });
    await alice.client.messages.edit(convId, message.id, 'echidna replacement');
    expect((await search(bob, { q: 'aardvark' })).messages).toEqual([]);
    expect((await search(bob, { q: 'echidna' })).messages.map((h) => h.message.id)).toEqual([message.id]);
    await alice.client.messages.delete(convId, message.id);
    expect((await search(bob, { q: 'echidna' })).messages).toEqual([]);
    const left = await t.server.svc.database.db.selectFrom('search_terms').select('term').where('doc_id', '=', message.id).execute();
    expect(left).toEqual([]);
  });

  it('hostile queries: metacharacters give safe results, 10,000 characters a clear 400', async () => {
    await alice.client.messages.send(convId, { text: "it's 100% done; DROP TABLE messages; -- (a|b)* .* \\" });
    for (const q of ["'; DROP TABLE messages; --", '%', '_', '.*', '(a|b)*', '\\', '"', '[', '${x}', "' OR '1'='1", '％', '\u0000'.slice(1) || '*']) {
      const res = await search(bob, { q });
      expect(Array.isArray(res.messages), q).toBe(true);
    }
    expect((await search(bob, { q: "DROP TABLE messages" })).messages.length).toBe(1);
    expect((await search(bob, { q: '100 done' })).messages.length).toBe(1);
    await expectCode(search(bob, { q: 'x'.repeat(10_000) }), 'validation_failed');
    await expectCode(search(bob, { q: '' }), 'validation_failed');
    await expectCode(search(bob, { q: 'ok', limit: 100_000 }), 'validation_failed');
    await expectCode(search(bob, { q: 'ok', conversationId: "1' OR 1=1" }), 'validation_failed');
    // The messages table is still there.
    expect((await bob.client.messages.list(convId)).messages.length).toBeGreaterThan(0);
  });

  it('the index holds keyed hashes only: no search word is in the database file', async () => {
    if (dialect !== 'sqlite') return;
    await alice.client.messages.send(convId, { text: 'NUMBAT-index-probe 机密会议纪要' });
    expect((await search(bob, { q: 'numbat' })).messages.length).toBe(1);
    const dbFiles = fs.readdirSync(t.dataDir).filter((f) => f.startsWith('conclave.db')).map((f) => path.join(t.dataDir, f));
    for (const f of dbFiles) {
      const bytes = fs.readFileSync(f);
      for (const needle of ['numbat', 'NUMBAT', '机密', 'w:numbat', 'b:机密']) expect(bytes.includes(Buffer.from(needle)), `${f}: ${needle}`).toBe(false);
    }
    const sample = await t.server.svc.database.db.selectFrom('search_terms').selectAll().limit(5).execute();
    expect(sample.every((r) => Number.isSafeInteger(Number(r.term)))).toBe(true);
  });
});
