/**
 * search — p50/p95 of GET /api/v1/search over N messages (default 100 000; the target in the
 * issue is p95 < 100 ms over 1 000 000: `--messages 1000000`), beside a raw baseline: the same
 * keyed-token index lookup run directly in SQL (no HTTP, access checks, decryption or
 * highlighting), in the same run.
 *
 *   npx tsx bench/search.ts [--dialect sqlite|postgres] [--messages 100000] [--conversations 200]
 *     [--member-of 50] [--runs 40]
 *
 * Set-up (not measured): messages are written straight into the tables the way the server
 * writes them — bodies sealed with the conversation key, tokens hashed with the conversation's
 * search key — because sending a million messages through the API would take hours. The
 * texts mix Chinese and English with a Zipf-like word distribution, so common words have long
 * posting lists and rare ones short.
 */
import './lib/env';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { documentTokens, parseQuery, sealBody, tokenHash } from '@conclave/server';
import { startTestServer } from '@conclave/testkit';
import { dialectArg, intArg, parseArgs } from './lib/args';
import { waitForQuiet } from './lib/load';
import { preparePostgres } from './lib/pg-bench';
import { emitJson, header, line, machine, progress } from './lib/report';
import { Histogram, fmt, round } from './lib/stats';
import { ulid } from './lib/ulid';

const args = parseArgs();
const dialect = dialectArg(args);
const total = intArg(args, 'messages', 100_000);
const convCount = intArg(args, 'conversations', 200);
const memberOf = Math.min(convCount, intArg(args, 'member-of', 50));
const runs = intArg(args, 'runs', 40);
const TARGET_P95_MS = 100;

const ZH = ['会议', '纪要', '项目', '进度', '客户', '合同', '预算', '审批', '报告', '季度', '市场', '销售', '产品', '设计', '测试', '上线', '问题', '需求', '安排', '明天', '今天', '下周', '讨论', '确认', '同步', '方案', '风险', '数据', '系统', '部署'];
const EN = ['the', 'meeting', 'notes', 'project', 'status', 'client', 'contract', 'budget', 'review', 'quarter', 'market', 'sales', 'product', 'design', 'test', 'release', 'issue', 'please', 'tomorrow', 'today', 'next', 'week', 'discuss', 'confirm', 'sync', 'plan', 'risk', 'data', 'system', 'deploy'];

/** Deterministic pseudo-random numbers (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
/** Zipf-ish pick: index ~ 1/rank. */
const pick = <T>(list: T[]): T => list[Math.min(list.length - 1, Math.floor(list.length ** rand()) - 1)]!;

function text(i: number): string {
  const words: string[] = [];
  const n = 6 + Math.floor(rand() * 10);
  for (let k = 0; k < n; k++) words.push(rand() < 0.5 ? pick(ZH) : pick(EN));
  // A few rare markers so selective queries have something to find.
  if (i % 10_000 === 7) words.push('会议纪要定稿');
  if (i % 1_000 === 3) words.push(`ticket${i % 97}`);
  return words.join(rand() < 0.5 ? ' ' : '');
}

async function main(): Promise<void> {
  header(`search: ${total.toLocaleString()} messages, ${convCount} conversations (searcher in ${memberOf}), ${dialect}`, [
    'set-up writes rows directly (sealed bodies, keyed-hash tokens); only the queries are timed',
    'raw = the same index lookup as one SQL statement (Kysely, same connection), no HTTP/access checks/decryption/highlights',
    'server, SDK client and raw query share this process; queries run one at a time',
  ]);
  if (dialect === 'postgres') await preparePostgres();
  const t = await startTestServer({ dialect, config: { logLevel: 'silent' } });
  try {
    const db = t.server.svc.database.db;
    const keys = t.server.svc.keys;
    const searcher = await t.createUser({ name: 'Searcher' });
    const convs: Array<{ id: string; key: Buffer; searchKey: Buffer; keyId: string; pos: number }> = [];
    for (let c = 0; c < convCount; c++) {
      const members = c < memberOf ? [searcher.user.id] : [];
      const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: `bench-${c}`, memberIds: members });
      // One message through the API creates the conversation's search key.
      await t.admin.client.messages.send(conversation.id, { text: 'seed' });
      const row = await db.selectFrom('conversations').select(['key_id', 'last_position']).where('id', '=', conversation.id).executeTakeFirstOrThrow();
      const sk = await db.selectFrom('search_keys').select('key_id').where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow();
      convs.push({ id: conversation.id, keyId: row.key_id, key: await keys.get(db, row.key_id), searchKey: await keys.get(db, sk.key_id), pos: Number(row.last_position) });
    }
    const authorId = t.admin.user.id;
    const start = Date.now() - total * 1000;
    const t0 = performance.now();
    const BATCH = 2_000;
    for (let i = 0; i < total; i += BATCH) {
      const msgs: Array<Record<string, unknown>> = [];
      const terms: Array<{ term: number; doc_id: string }> = [];
      for (let k = i; k < Math.min(total, i + BATCH); k++) {
        const conv = convs[k % convs.length]!;
        const at = start + k * 1000;
        const id = ulid(at);
        const body = text(k);
        conv.pos++;
        msgs.push({
          id, conversation_id: conv.id, position: conv.pos, client_id: `b${k}`, author_id: authorId, thread_root_id: null, encryption: 'server',
          body: sealBody(conv.key, body, conv.id, id, 1), key_id: conv.keyId, version: 1, created_at: at, edited_at: null, deleted_at: null, reply_count: 0, last_reply_at: null,
        });
        for (const h of new Set([...documentTokens(body)].map((tok) => tokenHash(conv.searchKey, tok)))) terms.push({ term: h, doc_id: id });
      }
      await db.transaction().execute(async (trx) => {
        for (let j = 0; j < msgs.length; j += 500) await trx.insertInto('messages').values(msgs.slice(j, j + 500) as never).execute();
        for (let j = 0; j < terms.length; j += 1_000) await trx.insertInto('search_terms').values(terms.slice(j, j + 1_000)).execute();
      });
      if ((i / BATCH) % 25 === 0) progress(`${(i + msgs.length).toLocaleString()} / ${total.toLocaleString()} messages`);
    }
    for (const c of convs) await db.updateTable('conversations').set({ last_position: c.pos }).where('id', '=', c.id).execute();
    await sql`analyze`.execute(db);
    const termRows = Number((await db.selectFrom('search_terms').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    line(`  set-up (not measured): ${fmt(round((performance.now() - t0) / 1000, 1), 1)} s, ${termRows.toLocaleString()} index rows (${round(termRows / total, 1)} per message)`);

    const queries = [
      { name: 'rare CJK phrase', q: '会议纪要定稿' },
      { name: 'common CJK word', q: '会议' },
      { name: 'two CJK words (AND)', q: '预算 审批' },
      { name: 'common English word', q: 'meeting' },
      { name: 'rare English word', q: 'ticket42' },
      { name: 'filter: conversation', q: 'budget', conversationId: convs[0]!.id },
    ];
    const mine = convs.slice(0, memberOf);
    line();
    line(`  ${'query'.padEnd(24)} ${'hits'.padStart(4)} ${'API p50 / p95 ms'.padStart(16)} ${'raw p50 / p95 ms'.padStart(16)} ${'API÷raw'.padStart(8)}`);
    const results: Record<string, unknown>[] = [];
    let worstP95 = 0;
    await waitForQuiet();
    for (const query of queries) {
      const api = new Histogram();
      const raw = new Histogram();
      let found = 0;
      const tokens = parseQuery(query.q).tokens;
      const scope = query.conversationId ? mine.filter((c) => c.id === query.conversationId) : mine;
      const hashes = scope.flatMap((c) => tokens.map((tok) => tokenHash(c.searchKey, tok)));
      for (let r = 0; r < runs + 3; r++) {
        const a = performance.now();
        const res = await searcher.client.http.request('search', { query: { q: query.q, ...(query.conversationId ? { conversationId: query.conversationId } : {}), limit: 20 } });
        const apiMs = performance.now() - a;
        const b = performance.now();
        await db.selectFrom('messages as m').select('m.id')
          .where('m.id', 'in', (eb) => eb.selectFrom('search_terms').select('doc_id').where('term', 'in', hashes).groupBy('doc_id').having((h) => h.fn.countAll(), '=', tokens.length))
          .where('m.conversation_id', 'in', scope.map((c) => c.id)).where('m.deleted_at', 'is', null).orderBy('m.id', 'desc').limit(21).execute();
        const rawMs = performance.now() - b;
        if (r < 3) continue; // warm-up
        api.record(apiMs);
        raw.record(rawMs);
        found = res.messages.length;
      }
      const row = {
        query: query.name, q: query.q, hits: found,
        apiP50: round(api.percentile(50), 2), apiP95: round(api.percentile(95), 2), rawP50: round(raw.percentile(50), 2), rawP95: round(raw.percentile(95), 2),
        ratioP50: round(api.percentile(50) / Math.max(0.05, raw.percentile(50)), 1),
      };
      worstP95 = Math.max(worstP95, row.apiP95);
      results.push(row);
      line(`  ${query.name.padEnd(24)} ${String(found).padStart(4)} ${`${fmt(row.apiP50, 1)} / ${fmt(row.apiP95, 1)}`.padStart(16)} ${`${fmt(row.rawP50, 1)} / ${fmt(row.rawP95, 1)}`.padStart(16)} ${`${row.ratioP50}×`.padStart(8)}`);
    }
    const met = worstP95 < TARGET_P95_MS;
    line();
    line(`  target: p95 < ${TARGET_P95_MS} ms (stated for 1,000,000 messages; measured here at ${fmt(total)}) → ${met ? 'met' : `MISSED (worst p95 ${fmt(worstP95, 1)} ms)`}`);
    emitJson({
      bench: 'search', dialect, messages: total, conversations: convCount, memberOf, runs, indexRows: termRows, worstP95Ms: worstP95,
      targetP95Ms: TARGET_P95_MS, met, queries: results, cpus: machine().cpus, sharedCores: true,
    });
  } finally {
    await t.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
