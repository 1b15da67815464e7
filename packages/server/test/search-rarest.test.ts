/**
 * Search at scale (MSG-3, migration 0014): the rarest-first lookup (walk the rarest token's
 * posting list, probe the others, filter and limit in SQL, merge conversations newest first)
 * returns exactly what the text says — checked against an oracle computed from the plaintexts
 * sent, and against the old whole-posting-list intersection — across several conversations,
 * with paging; search_df stays equal to the real counts through sends, edits, deletes and bulk
 * deletes; file names live in their own index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '@conclave/sdk';
import { findPhrases, parseQuery, planArms, tokenHash } from '@conclave/server';
import { dialects, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

/** Deterministic pseudo-random numbers (mulberry32): the corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN = ['alpha', 'alpha', 'alpha', 'beta', 'beta', 'gamma', 'delta'];
const ZH = ['会议', '会议', '纪要', '预算', '审批', '项目'];

describe.each(dialects())('search: rarest-first lookup [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser;
  const sent: Array<{ id: string; conv: string; text: string }> = [];
  let convA: string, convB: string, convC: string;
  const db = () => t.server.svc.database.db;
  const search = (u: TestUser, query: Record<string, unknown>) => u.client.http.request('search', { query: query as { q: string } });

  /** What a search by Bob must return: his conversations' live messages whose text holds every phrase, newest first. */
  const oracle = (q: string, convs = [convA, convB]) => {
    const { phrases } = parseQuery(q);
    return sent.filter((m) => convs.includes(m.conv) && findPhrases(m.text, phrases) !== null).map((m) => m.id).sort().reverse();
  };

  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' })]);
    convA = (await alice.client.conversations.create({ kind: 'group', name: 'A', memberIds: [bob.user.id] })).conversation.id;
    convB = (await alice.client.conversations.create({ kind: 'group', name: 'B', memberIds: [bob.user.id] })).conversation.id;
    convC = (await alice.client.conversations.create({ kind: 'group', name: 'C (not Bob)' })).conversation.id;
    const rand = rng(7);
    const convs = [convA, convB, convC];
    for (let i = 0; i < 90; i++) {
      const words: string[] = [];
      const n = 2 + Math.floor(rand() * 5);
      for (let k = 0; k < n; k++) words.push(rand() < 0.5 ? EN[Math.floor(rand() * EN.length)]! : ZH[Math.floor(rand() * ZH.length)]!);
      if (i % 17 === 5) words.push('会议纪要定稿');
      if (i === 40) words.push('今天的会议纪要已经发出');
      if (i % 11 === 2) words.push('预算审批');
      const text = words.join(rand() < 0.5 ? ' ' : '');
      const conv = convs[i % 3]!;
      const { message } = await alice.client.messages.send(conv, { text });
      sent.push({ id: message.id, conv, text });
    }
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('returns exactly the messages whose text matches, newest first, across conversations', async () => {
    const queries = ['alpha', 'delta', 'alpha beta', 'alpha beta gamma delta', '会议', '会议纪要', '会议纪要定稿', '纪要 预算', '预算审批', '审批 alpha', '议', 'epsilon', '会议纪要 alpha', '会议 gamma'];
    for (const q of queries) {
      const want = oracle(q);
      if (q !== 'epsilon') expect(want.length, q).toBeGreaterThan(0);
      const res = await search(bob, { q, limit: 100 });
      expect(res.messages.map((h) => h.message.id), q).toEqual(want.slice(0, 100));
      expect(res.hasMore, q).toBe(want.length > 100);
    }
    // 会议纪要 inside a longer Chinese message, with the highlight on it.
    const long = sent.find((m) => m.text.includes('今天的会议纪要已经发出'))!;
    if (long.conv !== convC) {
      const hit = (await search(bob, { q: '会议纪要', limit: 100 })).messages.find((h) => h.message.id === long.id)!;
      expect(hit.highlights.map((r) => hit.snippet.slice(r.start, r.end))).toContain('会议纪要');
    }
    // Alice sees conversation C too.
    expect((await search(alice, { q: '会议纪要定稿', limit: 100 })).messages.map((h) => h.message.id)).toEqual(oracle('会议纪要定稿', [convA, convB, convC]));
  });

  it('pages: limit cuts the newest, hasMore says more exist; filters apply inside the lookup', async () => {
    const want = oracle('alpha');
    expect(want.length).toBeGreaterThan(12);
    const first = await search(bob, { q: 'alpha', limit: 5 });
    expect(first.messages.map((h) => h.message.id)).toEqual(want.slice(0, 5));
    expect(first.hasMore).toBe(true);
    const onlyB = await search(bob, { q: 'alpha', conversationId: convB, limit: 100 });
    expect(onlyB.messages.map((h) => h.message.id)).toEqual(oracle('alpha', [convB]));
    const mid = sent.filter((m) => m.conv !== convC)[30]!;
    const createdAt = (await db().selectFrom('messages').select('created_at').where('id', '=', mid.id).executeTakeFirstOrThrow()).created_at;
    const older = await search(bob, { q: 'alpha', to: Number(createdAt), limit: 100 });
    expect(older.messages.map((h) => h.message.id)).toEqual(want.filter((id) => id <= mid.id));
  });

  it('the newest hits all in one of many conversations: still exactly the newest, page after page', async () => {
    // Few rows are first read from every conversation (PostgreSQL); those cut off above the
    // page's floor are read again. Here the newest hits are all in one conversation.
    const convs: string[] = [];
    for (let i = 0; i < 6; i++) convs.push((await alice.client.conversations.create({ kind: 'group', name: `K${i}`, memberIds: [bob.user.id] })).conversation.id);
    const kiwi: string[] = [];
    for (let i = 0; i < 12; i++) kiwi.push((await alice.client.messages.send(convs[i % 6]!, { text: `kiwi spread ${i}` })).message.id);
    for (let i = 0; i < 9; i++) kiwi.push((await alice.client.messages.send(convs[2]!, { text: `kiwi burst ${i}` })).message.id);
    const want = [...kiwi].reverse();
    for (const limit of [1, 3, 4, 7, 10, 25]) {
      const res = await search(bob, { q: 'kiwi', limit });
      expect(res.messages.map((h) => h.message.id), `limit ${limit}`).toEqual(want.slice(0, limit));
      expect(res.hasMore).toBe(want.length > limit);
    }
    const spread = await search(bob, { q: 'kiwi spread', limit: 4 });
    expect(spread.messages.map((h) => h.message.text)).toEqual(['kiwi spread 11', 'kiwi spread 10', 'kiwi spread 9', 'kiwi spread 8']);
  });

  it('gives the same hits as intersecting whole posting lists (the plan before migration 0014)', async () => {
    for (const q of ['alpha beta', '会议纪要', '预算 审批 项目']) {
      const { tokens, phrases } = parseQuery(q);
      const keys = await Promise.all([convA, convB].map(async (c) => {
        const row = await db().selectFrom('search_keys').select('key_id').where('conversation_id', '=', c).executeTakeFirstOrThrow();
        return t.server.svc.keys.get(db(), row.key_id);
      }));
      const hashes = keys.flatMap((k) => tokens.map((tok) => tokenHash(k, tok)));
      const naive = await db().selectFrom('search_terms').select('doc_id').where('term', 'in', hashes).groupBy('doc_id').having((h) => h.fn.countAll(), '=', tokens.length).execute();
      const confirmed = naive.map((r) => sent.find((m) => m.id === r.doc_id)!).filter((m) => findPhrases(m.text, phrases) !== null).map((m) => m.id).sort().reverse();
      expect((await search(bob, { q, limit: 100 })).messages.map((h) => h.message.id), q).toEqual(confirmed);
    }
  });

  it('walks the rarest token first (search_df)', async () => {
    const row = await db().selectFrom('search_keys').select('key_id').where('conversation_id', '=', convA).executeTakeFirstOrThrow();
    const key = await t.server.svc.keys.get(db(), row.key_id);
    const tokens = parseQuery('alpha 会议纪要定稿').tokens; // w:alpha (common), b:会议 … b:定稿 (rare)
    const [arm] = await planArms(db(), [{ id: convA, key, afterPosition: 0 }], tokens);
    const counts = await Promise.all(arm!.hashes.map(async (h) => Number((await db().selectFrom('search_terms').select((eb) => eb.fn.countAll<number>().as('n')).where('term', '=', h).executeTakeFirstOrThrow()).n)));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeLessThan(counts[counts.length - 1]!);
  });

  it('search_df equals the real counts through edits, deletes and bulk deletes; file names are indexed apart', async () => {
    const actual = async () => {
      const real = await db().selectFrom('search_terms').select(['term', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('term').execute();
      const df = await db().selectFrom('search_df').select(['term', 'n']).execute();
      const norm = (rows: Array<{ term: number | string; n: number | string }>) => rows.map((r) => `${r.term}:${r.n}`).sort();
      expect(norm(df)).toEqual(norm(real));
    };
    await actual();
    const [e, d] = sent.filter((m) => m.conv === convA);
    await alice.client.messages.edit(convA, e!.id, 'zeta replaced 会议');
    e!.text = 'zeta replaced 会议';
    await alice.client.messages.delete(convA, d!.id);
    sent.splice(sent.indexOf(d!), 1);
    await actual();
    expect((await search(bob, { q: 'zeta' })).messages.map((h) => h.message.id)).toEqual([e!.id]);

    const file = await uploadFile(alice.client, convA, 'alpha-预算-report.txt', Buffer.from('x'));
    const withFile = (await alice.client.messages.send(convA, { text: 'report attached', fileIds: [file.id] })).message;
    sent.push({ id: withFile.id, conv: convA, text: 'report attached' });
    expect(await db().selectFrom('search_terms').select('term').where('doc_id', '=', file.id).execute()).toEqual([]);
    expect((await db().selectFrom('search_file_terms').select('term').where('doc_id', '=', file.id).execute()).length).toBeGreaterThan(0);
    const res = await search(bob, { q: 'alpha 预算' });
    expect(res.files.map((f) => f.file.id)).toEqual([file.id]);
    expect(res.messages.map((h) => h.message.id)).toEqual(oracle('alpha 预算').slice(0, 20));
    await actual();

    // A purge deletes index rows in bulk, without the search module: the triggers keep up.
    const gone = sent.filter((m) => m.conv === convB).slice(0, 5).map((m) => m.id);
    await db().deleteFrom('search_terms').where('doc_id', 'in', gone).execute();
    await actual();
  });
});
