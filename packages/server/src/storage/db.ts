/**
 * Database setup: SQLite (embedded default, better-sqlite3) or PostgreSQL (pg), both behind
 * Kysely so every store runs the same queries on both (OPS-1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DB } from './schema';

export type DialectName = 'sqlite' | 'postgres';

/** An open database with its dialect name, so the few dialect-specific statements can branch. */
export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** Human-readable location without credentials, for logs and `conclave status`. */
  location: string;
  /** PostgreSQL schema named in the search_path, when one was given. */
  schema?: string;
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings; our int8 columns are millisecond times, seqs and counters,
// all far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/**
 * Opens the database named by `url`: `postgres://…` selects PostgreSQL, `sqlite:<path>` or a
 * plain path selects SQLite. `schema` (PostgreSQL only) sets the search_path, used by tests to
 * isolate each server in its own schema.
 */
export function openDatabase(url: string, opts: { schema?: string; poolSize?: number } = {}): Database {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle client's error (e.g. server restart) must not crash the process; the next query
    // gets a fresh connection and /readyz reports the outage.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(url);
    return { db, dialect: 'postgres', schema: opts.schema, location: `postgres://${u.host}${u.pathname}${opts.schema ? `#${opts.schema}` : ''}`, close: () => db.destroy() };
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL: readers never block the writer; busy_timeout lets the CLI write while the server runs.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', location: `sqlite:${file}`, close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query afresh; preparing is ~15 % of a message send's CPU
 * (bench persist --profile). Statements are reusable in better-sqlite3 once `all`/`run` returns, and
 * Kysely never streams here, so keep the most recent ones by SQL text (bounded: INSERTs with a
 * varying number of rows produce many distinct texts).
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text); // re-insert: Map order is the LRU order
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/** True when the database answers a trivial query (used by /readyz). */
export async function pingDatabase(d: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(d.db);
    return true;
  } catch {
    return false;
  }
}
