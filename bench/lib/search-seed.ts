/**
 * Bulk loader for the search benchmark's SET-UP ONLY (bench/search.ts).
 *
 * Writes `messages` and `search_terms` rows exactly as the server writes them — bodies sealed
 * with the conversation's data key (sealBody), index terms = keyed hashes of documentTokens()
 * under the conversation's search key (tokenHash) — but through the raw drivers with
 * statements prepared once, multi-row INSERTs and one transaction per batch, instead of one
 * Kysely INSERT per 500 rows (≈ 1 000 messages/s; 1 M messages would take 20 minutes).
 * Triggers and indexes made by the migrations stay in place, so the server's own write-time
 * work happens too.
 *
 * Sealing (≈ 30 µs) and tokenising (≈ 25 µs) a message cost as much as writing it, so worker
 * threads (lib/search-seed-worker.ts) do them while the main thread writes the previous batch.
 * Texts and ids are made here, in order, so the corpus does not depend on the thread count.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { SeedDone, SeedInit, SeedJob } from './search-seed-worker';
import { ulid } from './ulid';

/** A conversation the loader writes into (keys already unwrapped by the caller). */
export interface SeedConversation { id: string; key: Buffer; keyId: string; searchKey: Buffer; pos: number }

/** Where the server's database is: the SQLite file, or the PostgreSQL URL and schema. */
export type SeedTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string; schema: string };

/** One batch, ready to insert: message columns and index rows. */
interface Batch { size: number; msgRows: unknown[][]; termPairs: Array<[number, string]> }

const MSG_COLS = ['id', 'conversation_id', 'position', 'client_id', 'author_id', 'thread_root_id', 'encryption', 'body', 'key_id', 'version', 'created_at', 'edited_at', 'deleted_at', 'reply_count', 'last_reply_at'] as const;

function spawn(): Worker {
  const entry = new URL('./search-seed-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  // A worker thread does not inherit tsx's module hooks: it registers them itself.
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
}

/**
 * Produces batches in order: message k is in conversation k mod n, sent at `start + k` seconds,
 * with text `text(k)`. Up to `workers + 1` batches are being prepared at any time.
 */
async function* batches(opts: { convs: SeedConversation[]; authorId: string; total: number; start: number; text: (k: number) => string; batch: number }): AsyncGenerator<Batch> {
  const n = Math.max(1, Math.min(4, os.cpus().length));
  const workers = Array.from({ length: n }, spawn);
  const init: SeedInit = { type: 'init', convs: opts.convs.map((c) => ({ id: c.id, key: c.key, searchKey: c.searchKey })) };
  for (const w of workers) w.postMessage(init);
  const pending = new Map<number, (d: SeedDone) => void>();
  for (const w of workers) {
    w.on('message', (d: SeedDone) => { pending.get(d.seq)?.(d); pending.delete(d.seq); });
    w.on('error', (err) => { throw err; });
  }
  const submit = (seq: number): Promise<Batch> => {
    const from = seq * opts.batch;
    const to = Math.min(opts.total, from + opts.batch);
    const job: SeedJob = { type: 'job', seq, conv: [], ids: [], texts: [] };
    const meta: Array<{ conv: SeedConversation; pos: number; at: number; k: number }> = [];
    for (let k = from; k < to; k++) {
      const ci = k % opts.convs.length;
      const conv = opts.convs[ci]!;
      const at = opts.start + k * 1000;
      job.conv.push(ci);
      job.ids.push(ulid(at));
      job.texts.push(opts.text(k));
      meta.push({ conv, pos: ++conv.pos, at, k });
    }
    const done = new Promise<SeedDone>((resolve) => pending.set(seq, resolve));
    workers[seq % n]!.postMessage(job);
    return done.then((d) => {
      const msgRows: unknown[][] = [];
      const termPairs: Array<[number, string]> = [];
      meta.forEach((m, i) => {
        const id = job.ids[i]!;
        msgRows.push([id, m.conv.id, m.pos, `b${m.k}`, opts.authorId, null, 'server', Buffer.from(d.bodies[i]!.buffer, d.bodies[i]!.byteOffset, d.bodies[i]!.byteLength), m.conv.keyId, 1, m.at, null, null, 0, null]);
        for (const t of d.terms[i]!) termPairs.push([t, id]);
      });
      return { size: to - from, msgRows, termPairs };
    });
  };
  try {
    const count = Math.ceil(opts.total / opts.batch);
    const queue: Array<Promise<Batch>> = [];
    let next = 0;
    while (next < count && queue.length <= n) queue.push(submit(next++));
    while (queue.length) {
      const b = await queue.shift()!;
      if (next < count) queue.push(submit(next++));
      yield b;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Inserts `total` messages into `convs` (round robin), `batch` per transaction, calling
 * `onProgress` after each batch. Returns the number of index rows written.
 */
export async function seedMessages(target: SeedTarget, opts: {
  convs: SeedConversation[]; authorId: string; total: number; start: number; text: (k: number) => string; batch?: number; onProgress?: (done: number) => void;
}): Promise<number> {
  const batch = opts.batch ?? 5_000;
  let termRows = 0;
  let done = 0;
  if (target.dialect === 'sqlite') {
    const db = new SQLite(target.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      // A large page cache for the loader only: 18 index rows per message land in ~60 000 posting lists.
      db.pragma('cache_size = -1000000');
      const MSG_PER_STMT = 100;
      const TERMS_PER_STMT = 500;
      const stmts = new Map<string, SQLite.Statement>();
      const prep = (s: string) => { let st = stmts.get(s); if (!st) stmts.set(s, (st = db.prepare(s))); return st; };
      const msgSql = (n: number) => `INSERT INTO messages (${MSG_COLS.join(', ')}) VALUES ${Array.from({ length: n }, () => `(${MSG_COLS.map(() => '?').join(', ')})`).join(', ')}`;
      const termSql = (n: number) => `INSERT INTO search_terms (term, doc_id) VALUES ${Array.from({ length: n }, () => '(?, ?)').join(', ')}`;
      const write = db.transaction((b: Batch) => {
        for (let i = 0; i < b.msgRows.length; i += MSG_PER_STMT) {
          const part = b.msgRows.slice(i, i + MSG_PER_STMT);
          prep(msgSql(part.length)).run(part.flat());
        }
        for (let i = 0; i < b.termPairs.length; i += TERMS_PER_STMT) {
          const part = b.termPairs.slice(i, i + TERMS_PER_STMT);
          prep(termSql(part.length)).run(part.flat());
        }
      });
      for await (const b of batches({ ...opts, batch })) {
        write(b);
        termRows += b.termPairs.length;
        opts.onProgress?.((done += b.size));
      }
    } finally {
      db.close();
    }
    return termRows;
  }

  const c = new pg.Client({ connectionString: target.url, options: `-c search_path=${target.schema}` });
  await c.connect();
  try {
    // Set-up only: a crash would just mean re-running the benchmark.
    await c.query('SET synchronous_commit = off');
    const types = ['text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'bytea', 'text', 'integer', 'bigint', 'bigint', 'bigint', 'integer', 'bigint'];
    // One statement per batch (a data-modifying CTE is atomic on its own), arrays instead of
    // thousands of placeholders.
    const seedSql = `WITH m AS (INSERT INTO messages (${MSG_COLS.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) RETURNING 1)
      INSERT INTO search_terms (term, doc_id) SELECT * FROM unnest($16::bigint[], $17::text[])`;
    for await (const b of batches({ ...opts, batch })) {
      const cols = MSG_COLS.map((_, j) => b.msgRows.map((r) => r[j]));
      await c.query({ name: 'seed', text: seedSql, values: [...cols, b.termPairs.map((p) => p[0]), b.termPairs.map((p) => p[1])] });
      termRows += b.termPairs.length;
      opts.onProgress?.((done += b.size));
    }
  } finally {
    await c.end();
  }
  return termRows;
}
