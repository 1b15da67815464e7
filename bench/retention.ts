/**
 * retention — throughput of a retention run (GOV-1, GOV-2): messages deleted per second, with
 * their search entries, and the month×author message keys destroyed, in audited batches of
 * 500 with progress saved per batch and a signed receipt at the end. Beside a raw baseline in
 * the same run: the same rows deleted and the same keys blanked with plain SQL statements in
 * transactions of 500 (no holds, no audit, no receipt, no progress).
 *
 *   npx tsx bench/retention.ts [--dialect sqlite|postgres] [--messages 100000] [--conversations 20] [--held 10]
 *
 * Set-up (not measured): messages are written straight into the tables the way the server
 * writes them — bodies sealed under per-(conversation, month, author) keys, index tokens hashed
 * with the conversation's search key — spread over 12 months that all lie before the 90-day
 * cut-off. `--held P` puts P % of the conversations under a legal hold (they are skipped and
 * counted, their keys kept).
 */
import './lib/env';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { documentTokens, sealBody, systemActor, tokenHash } from '@conclave/server';
import { startTestServer, type TestServer } from '@conclave/testkit';
import { dialectArg, intArg, parseArgs } from './lib/args';
import { waitForQuiet } from './lib/load';
import { preparePostgres } from './lib/pg-bench';
import { emitJson, header, line, machine, progress } from './lib/report';
import { fmt, round } from './lib/stats';
import { ulid } from './lib/ulid';

const args = parseArgs();
const dialect = dialectArg(args);
const total = intArg(args, 'messages', 100_000);
const convCount = intArg(args, 'conversations', 20);
const heldPct = intArg(args, 'held', 0);
const DAY = 86_400_000;
const MONTHS = 12;
const WORDS = ['会议', '纪要', '项目', 'meeting', 'notes', 'budget', 'review', '预算', '审批', 'release', 'risk', 'plan'];

interface Seeded { convIds: string[]; messageIds: string[]; keyIds: string[] }

/** Writes `total` messages over `convCount` new conversations, 3 authors, 12 old months. */
async function seed(t: TestServer, authors: string[], tag: string): Promise<Seeded> {
  const db = t.server.svc.database.db;
  const keys = t.server.svc.keys;
  const orgId = t.server.bootstrap.orgId;
  const out: Seeded = { convIds: [], messageIds: [], keyIds: [] };
  const convs: Array<{ id: string; searchKey: Buffer; pos: number }> = [];
  for (let c = 0; c < convCount; c++) {
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: `ret-${tag}-${c}` });
    await t.admin.client.messages.send(conversation.id, { text: 'seed' }); // creates the search key
    const sk = await db.selectFrom('search_keys').select('key_id').where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow();
    convs.push({ id: conversation.id, searchKey: await keys.get(db, sk.key_id), pos: 1 });
    out.convIds.push(conversation.id);
  }
  const now = Date.now();
  const oldest = now - (120 + MONTHS * 31) * DAY;
  // One key per (conversation, month, author), created the way MessageKeys does.
  const bucketKeys = new Map<string, { id: string; key: Buffer }>();
  await t.server.svc.runner.run(systemActor(orgId, 'bench'), 'bench.seed_keys', {}, async (ctx) => {
    const buckets = new Set<string>();
    for (let d = 0; d <= MONTHS * 31; d++) buckets.add(new Date(oldest + d * DAY).toISOString().slice(0, 7));
    for (const conv of convs) {
      for (const bucket of buckets) {
        for (const a of authors) {
          const k = await keys.create(ctx.trx, `msg:${conv.id}:${bucket}:${a}`, ctx.now);
          await ctx.trx.insertInto('message_keys').values({ conversation_id: conv.id, bucket, author_id: a, key_id: k.id, created_at: ctx.now }).execute();
          bucketKeys.set(`${conv.id}|${bucket}|${a}`, k);
          out.keyIds.push(k.id);
        }
      }
    }
  });
  const BATCH = 2_000;
  for (let i = 0; i < total; i += BATCH) {
    const msgs: Array<Record<string, unknown>> = [];
    const terms: Array<{ term: number; doc_id: string }> = [];
    for (let k = i; k < Math.min(total, i + BATCH); k++) {
      const conv = convs[k % convs.length]!;
      const author = authors[k % authors.length]!;
      const at = oldest + Math.floor((k / total) * MONTHS * 31 * DAY);
      const key = bucketKeys.get(`${conv.id}|${new Date(at).toISOString().slice(0, 7)}|${author}`)!;
      const id = ulid(at);
      const text = `${WORDS[k % WORDS.length]} ${WORDS[(k * 7) % WORDS.length]} item${k % 1000}`;
      conv.pos++;
      msgs.push({
        id, conversation_id: conv.id, position: conv.pos, client_id: `r${tag}${k}`, author_id: author, thread_root_id: null, encryption: 'server',
        body: sealBody(key.key, text, conv.id, id, 1), key_id: key.id, version: 1, created_at: at, edited_at: null, deleted_at: null, reply_count: 0, last_reply_at: null,
      });
      out.messageIds.push(id);
      for (const h of new Set([...documentTokens(text)].map((tok) => tokenHash(conv.searchKey, tok)))) terms.push({ term: h, doc_id: id });
    }
    await db.transaction().execute(async (trx) => {
      for (let j = 0; j < msgs.length; j += 500) await trx.insertInto('messages').values(msgs.slice(j, j + 500) as never).execute();
      for (let j = 0; j < terms.length; j += 1_000) await trx.insertInto('search_terms').values(terms.slice(j, j + 1_000)).execute();
    });
    if ((i / BATCH) % 10 === 0) progress(`${tag}: ${(i + msgs.length).toLocaleString()} / ${total.toLocaleString()} messages`);
  }
  for (const c of convs) await db.updateTable('conversations').set({ last_position: c.pos }).where('id', '=', c.id).execute();
  if (dialect === 'postgres') await sql`analyze`.execute(db);
  return out;
}

/** The raw baseline: the same deletions as plain SQL, 500 messages per transaction. */
async function rawDelete(t: TestServer, s: Seeded): Promise<number> {
  const db = t.server.svc.database.db;
  const a = performance.now();
  for (let i = 0; i < s.messageIds.length; i += 500) {
    const ids = s.messageIds.slice(i, i + 500);
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('search_terms').where('doc_id', 'in', ids).execute();
      await trx.deleteFrom('messages').where('id', 'in', ids).execute();
    });
  }
  for (let i = 0; i < s.keyIds.length; i += 500) {
    const ids = s.keyIds.slice(i, i + 500);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('data_keys').set({ wrapped: new Uint8Array(0), destroyed_at: Date.now() }).where('id', 'in', ids).execute();
      await trx.deleteFrom('message_keys').where('key_id', 'in', ids).execute();
    });
  }
  return performance.now() - a;
}

async function main(): Promise<void> {
  header(`retention: ${total.toLocaleString()} expired messages in ${convCount} conversations, ${heldPct} % of conversations held, ${dialect}`, [
    'set-up writes rows directly (sealed bodies, month×author keys, keyed-hash tokens); only the deletion is timed',
    'run = POST retention run → completed: audited batches of 500, progress per batch, keys destroyed, signed receipt',
    'raw = the same rows and keys deleted with plain SQL in transactions of 500 (no holds, audit, receipt)',
  ]);
  if (dialect === 'postgres') await preparePostgres();
  const t = await startTestServer({ dialect, config: { logLevel: 'silent', retentionIntervalMs: 0 } });
  try {
    const authors = await Promise.all([0, 1, 2].map(async (i) => (await t.createUser({ name: `Author ${i}` })).user.id));
    const officer = await t.createUser({ name: 'Officer', role: 'compliance_officer' });
    const a = await seed(t, authors, 'a');
    const held = a.convIds.slice(0, Math.round((convCount * heldPct) / 100));
    for (const id of held) await officer.client.governance.createHold({ name: `bench ${id}`, kind: 'conversation', conversationId: id, reason: 'bench hold' });
    await officer.client.governance.setPolicy({ scope: 'kind', target: 'group', deleteAfterDays: 90 });
    await waitForQuiet();
    const t0 = performance.now();
    const { run: started } = await officer.client.governance.startRun();
    await t.server.governance.retention.idle(t.server.bootstrap.orgId);
    const runMs = performance.now() - t0;
    const run = (await officer.client.governance.run(started.id)).run;
    if (run.status !== 'completed') throw new Error(`run ended ${run.status}`);
    const deleted = run.counts.messages;
    const perSec = deleted / (runMs / 1000);

    await officer.client.governance.deletePolicy((await officer.client.governance.policies()).policies[0]!.id);
    const b = await seed(t, authors, 'b');
    await waitForQuiet();
    const rawMs = await rawDelete(t, b);
    const rawPerSec = b.messageIds.length / (rawMs / 1000);

    line();
    line(`  run: ${fmt(deleted)} messages deleted, ${fmt(run.counts.searchEntries)} index rows, ${fmt(run.counts.keysDestroyed)} keys destroyed, ${fmt(run.counts.heldKept)} held kept`);
    line(`       in ${fmt(round(runMs / 1000, 2), 2)} s = ${fmt(perSec)} messages/s`);
    line(`  raw: ${fmt(b.messageIds.length)} messages, ${fmt(b.keyIds.length)} keys in ${fmt(round(rawMs / 1000, 2), 2)} s = ${fmt(rawPerSec)} messages/s`);
    line(`  run ÷ raw: ${round(perSec / rawPerSec, 2)}`);
    emitJson({
      bench: 'retention', dialect, messages: total, conversations: convCount, heldPct, deleted, keysDestroyed: run.counts.keysDestroyed, heldKept: run.counts.heldKept,
      runMs: round(runMs, 1), perSec: round(perSec, 0), rawMs: round(rawMs, 1), rawPerSec: round(rawPerSec, 0), ratio: round(perSec / rawPerSec, 3), cpus: machine().cpus, sharedCores: true,
    });
  } finally {
    await t.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
