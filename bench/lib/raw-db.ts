/**
 * Raw database baselines with the same drivers the server uses (better-sqlite3, pg), no
 * Kysely, no Conclave logic: the ceiling a hand-written app could reach on this machine.
 * Tables come from Conclave's own migrations, so indexes and triggers are identical.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { migrate, openDatabase } from '@conclave/server';
import type { Dialect } from './args';
import { PG_URL } from './env';
import { ulid } from './ulid';

export type Row = Record<string, unknown>;

/** A fresh database with Conclave's schema (temp file or new PG schema), an org and a conversation. */
export async function freshSchema(dialect: Dialect): Promise<{ url: string; schema: string | null; dir: string | null; orgId: string; conversationId: string; drop(): Promise<void> }> {
  const orgId = ulid();
  const conversationId = ulid();
  let url: string;
  let schema: string | null = null;
  let dir: string | null = null;
  if (dialect === 'sqlite') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-bench-raw-'));
    url = `sqlite:${path.join(dir, 'raw.db')}`;
  } else {
    url = PG_URL!;
    schema = `bench_raw_${process.pid}_${randomBytes(3).toString('hex')}`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE SCHEMA "${schema}"`);
    await c.end();
  }
  const d = openDatabase(url, schema ? { schema } : {});
  await migrate(d);
  const now = Date.now();
  await d.db.insertInto('orgs').values({ id: orgId, name: 'raw', settings: '{}', created_at: now }).execute();
  await d.db.insertInto('conversations').values({
    id: conversationId, org_id: orgId, kind: 'channel', name: 'raw', topic: null, encryption: 'server', dm_key: null, key_id: ulid(),
    created_by: ulid(), created_at: now, archived_at: null, last_position: 0, last_message_at: null, member_count: 2, level: 'internal', department_id: null,
  }).execute();
  await d.close();
  return {
    url, schema, dir, orgId, conversationId,
    async drop() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      if (schema) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        await c.end();
      }
    },
  };
}

function insertSql(table: string, row: Row, dialect: Dialect): { sql: string; cols: string[] } {
  const cols = Object.keys(row);
  const ph = cols.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?')).join(', ');
  return { sql: `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${ph})`, cols };
}

/** Same size and shape as the template rows, with fresh keys. */
function nextRows(msgTpl: Row, auditTpl: Row, conversationId: string, orgId: string, i: number): { msg: Row; audit: Row } {
  const now = Date.now();
  return {
    msg: { ...msgTpl, id: ulid(now), conversation_id: conversationId, position: i + 1, client_id: `raw-${i}-`.padEnd(String(msgTpl.client_id ?? '').length, 'x'), created_at: now },
    audit: { ...auditTpl, id: ulid(now), org_id: orgId, seq: i + 1, at: now },
  };
}

export interface RawInsertResult { count: number; seconds: number; perSec: number }

/**
 * Plain INSERTs of one message row and one audit row per transaction, for `ms`, with
 * `concurrency` transactions in flight (SQLite is synchronous: always 1).
 */
export async function rawInsertLoop(dialect: Dialect, msgTpl: Row, auditTpl: Row, ms: number, concurrency: number): Promise<RawInsertResult> {
  const target = await freshSchema(dialect);
  try {
    if (dialect === 'sqlite') {
      const db = new SQLite(target.url.slice('sqlite:'.length));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const m = insertSql('messages', msgTpl, dialect);
      const a = insertSql('audit_log', auditTpl, dialect);
      const insM = db.prepare(m.sql);
      const insA = db.prepare(a.sql);
      const begin = db.prepare('BEGIN IMMEDIATE');
      const commit = db.prepare('COMMIT');
      const t0 = performance.now();
      const end = t0 + ms;
      let i = 0;
      while (performance.now() < end) {
        const { msg, audit } = nextRows(msgTpl, auditTpl, target.conversationId, target.orgId, i++);
        begin.run();
        insM.run(m.cols.map((c) => msg[c]));
        insA.run(a.cols.map((c) => audit[c]));
        commit.run();
        // Yield now and then so timers (progress, hard limits) still run.
        if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      const seconds = (performance.now() - t0) / 1000;
      db.close();
      return { count: i, seconds, perSec: i / seconds };
    }
    const pool = new pg.Pool({ connectionString: target.url, max: 10, options: `-c search_path=${target.schema}` });
    pool.on('error', () => {});
    const m = insertSql('messages', msgTpl, dialect);
    const a = insertSql('audit_log', auditTpl, dialect);
    const t0 = performance.now();
    const end = t0 + ms;
    let i = 0;
    const worker = async () => {
      while (performance.now() < end) {
        const { msg, audit } = nextRows(msgTpl, auditTpl, target.conversationId, target.orgId, i++);
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await c.query({ name: 'raw-msg', text: m.sql, values: m.cols.map((k) => msg[k]) });
          await c.query({ name: 'raw-audit', text: a.sql, values: a.cols.map((k) => audit[k]) });
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    await pool.end();
    return { count: i, seconds, perSec: i / seconds };
  } finally {
    await target.drop();
  }
}

/** Reads a user's events after `since` with their messages, in one raw query; returns row count and ms. */
export async function rawReadEvents(dialect: Dialect, url: string, schema: string | null, userId: string, since: number): Promise<{ rows: number; ms: number }> {
  const sql = (p1: string, p2: string) => `SELECT ue.seq, e.id, e.type, e.conversation_id, e.message_id, e.data, e.created_at, m.*
    FROM user_events ue JOIN events e ON e.id = ue.event_id LEFT JOIN messages m ON m.id = e.message_id
    WHERE ue.user_id = ${p1} AND ue.seq > ${p2} ORDER BY ue.seq`;
  if (dialect === 'sqlite') {
    const db = new SQLite(url.slice('sqlite:'.length), { readonly: true });
    try {
      const t0 = performance.now();
      const rows = db.prepare(sql('?', '?')).all(userId, since);
      return { rows: rows.length, ms: performance.now() - t0 };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    const t0 = performance.now();
    const res = await c.query(sql('$1', '$2'), [userId, since]);
    return { rows: res.rowCount ?? res.rows.length, ms: performance.now() - t0 };
  } finally {
    await c.end();
  }
}
