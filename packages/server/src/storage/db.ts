/**
 * Database setup: SQLite (embedded default, better-sqlite3) or PostgreSQL (pg), both behind
 * Kysely so every store runs the same queries on both (OPS-1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Compilable, type QueryResult, type RawBuilder } from 'kysely';
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

/** The dialect a Kysely instance (database, connection or transaction) talks to. */
export function dialectOf(db: Kysely<DB>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Marks parameter `i` of a prepared query's template (see PreparedQuery). */
export type Param = (i: number) => never;

interface CompiledShape { sql: string; slots: Array<number | { value: unknown }> }

const SENTINEL = '\u0000conclave-param:';

/**
 * A hot statement built with Kysely once per dialect (and shape) and then executed as a
 * CompiledQuery with fresh parameters. Building and compiling a query costs more CPU than
 * SQLite takes to run it (bench persist --profile: Kysely ≈ 27 % of a message send), and the
 * write path runs the same few statements for every message. `build` receives `p(i)`, which
 * stands for parameter i: the template is compiled with sentinels in their place, and the
 * compiled parameter list is mapped back to argument indexes, so the SQL text is exactly what
 * Kysely would have produced (and hits the prepared-statement cache above). Parameters that
 * are not sentinels (e.g. a `+ 1`) are kept as constants. `shape` distinguishes templates whose
 * text depends on the arguments (e.g. an optional clause).
 */
export class PreparedQuery<R> {
  private readonly compiled = new Map<string, CompiledShape>();

  constructor(private readonly build: (db: Kysely<DB>, p: Param, shape: string) => Compilable<R> | RawBuilder<R>) {}

  compile(db: Kysely<DB>, params: readonly unknown[], shape = ''): CompiledQuery<R> {
    const key = `${dialectOf(db)}|${shape}`;
    let c = this.compiled.get(key);
    if (!c) {
      // Query builders compile on their own; a raw `sql` template needs the executor (ignored by builders).
      const q = (this.build(db, ((i: number) => `${SENTINEL}${i}`) as Param, shape) as { compile(db: Kysely<DB>): CompiledQuery<R> }).compile(db);
      const slots = q.parameters.map((v) => (typeof v === 'string' && v.startsWith(SENTINEL) ? Number(v.slice(SENTINEL.length)) : { value: v }));
      c = { sql: q.sql, slots };
      this.compiled.set(key, c);
    }
    return CompiledQuery.raw(c.sql, c.slots.map((s) => (typeof s === 'number' ? params[s] : s.value))) as CompiledQuery<R>;
  }

  execute(db: Kysely<DB>, params: readonly unknown[], shape = ''): Promise<QueryResult<R>> {
    return db.executeQuery(this.compile(db, params, shape));
  }

  async first(db: Kysely<DB>, params: readonly unknown[], shape = ''): Promise<R | undefined> {
    return (await this.execute(db, params, shape)).rows[0];
  }
}
