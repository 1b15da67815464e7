/**
 * Test kit: starts a real in-process Conclave server on a temp data dir (SQLite) or in a
 * fresh PostgreSQL schema, and makes users with logged-in SDK clients. Tests act through
 * the SDK as real users would; nothing of our own storage or crypto is mocked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ConclaveClient, ConclaveError } from '@conclave/sdk';
import { expect } from 'vitest';
import { createServer, loadConfig, type Clock, type ConclaveServer, type Config } from '@conclave/server';
import type { OrgRole, User } from '@conclave/protocol';

/** PostgreSQL URL for tests, when the environment provides one (CI does). */
export const PG_URL = process.env.CONCLAVE_TEST_PG_URL;
/** Redis URL for tests, when the environment provides one (CI does). */
export const REDIS_URL = process.env.CONCLAVE_TEST_REDIS_URL;

export type DialectName = 'sqlite' | 'postgres';

/** The dialects to run a store-contract suite on: SQLite always, PostgreSQL when configured. */
export function dialects(): DialectName[] {
  warnIfNoPostgres();
  return PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

let warned = false;
/** Prints once, visibly, that PostgreSQL suites are skipped. */
export function warnIfNoPostgres(): void {
  if (!PG_URL && !warned) {
    warned = true;
    process.stderr.write('\n[testkit] CONCLAVE_TEST_PG_URL is not set: PostgreSQL suites are SKIPPED (CI sets it).\n');
  }
}

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple-42';
export const USER_PASSWORD = 'tr0ub4dor-and-3-more-words';

export interface TestUser {
  user: User;
  client: ConclaveClient;
  password: string;
}

export interface TestServer {
  url: string;
  server: ConclaveServer;
  dataDir: string;
  dialect: DialectName;
  /** The bootstrap owner, logged in. */
  admin: TestUser;
  /** A fresh, logged-out client. */
  client(): ConclaveClient;
  /** Creates a user through the admin API and logs them in. */
  createUser(opts?: { role?: OrgRole; name?: string; email?: string }): Promise<TestUser>;
  /** Stops the server, then removes its data dir and schema. */
  close(): Promise<void>;
  /** Stops the server but keeps its data (restart tests). */
  stop(): Promise<void>;
  config: Config;
}

let counter = 0;

export interface StartOptions {
  dialect?: DialectName;
  clock?: Clock;
  config?: Partial<Config>;
  /** Reuse an existing data dir / schema (restart tests). */
  dataDir?: string;
  schema?: string;
}

export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const dialect = opts.dialect ?? 'sqlite';
  if (dialect === 'postgres' && !PG_URL) throw new Error('CONCLAVE_TEST_PG_URL is not set');
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-test-'));
  let schema = opts.schema;
  if (dialect === 'postgres' && !schema) {
    schema = `t_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
    await withPg((c) => c.query(`CREATE SCHEMA "${schema}"`));
  }
  const config = loadConfig({}, {
    dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD,
    ...(dialect === 'postgres' ? { databaseUrl: PG_URL!, databaseSchema: schema } : {}),
    ...opts.config,
  });
  const server = await createServer(config, { clock: opts.clock });
  const url = await server.listen();
  const client = () => new ConclaveClient({ baseUrl: url, validateResponses: true });
  const admin = client();
  const login = await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    url, server, dataDir, dialect, config, client,
    admin: { user: login.user, client: admin, password: ADMIN_PASSWORD },
    async createUser(o = {}) {
      const n = ++counter;
      const email = o.email ?? `user${n}-${randomBytes(2).toString('hex')}@test.local`;
      const { user } = await admin.users.create({ email, name: o.name ?? `User ${n}`, role: o.role ?? 'member', password: USER_PASSWORD });
      const c = client();
      await c.login(email, USER_PASSWORD);
      return { user, client: c, password: USER_PASSWORD };
    },
    stop,
    async close() {
      await stop();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres' && !opts.schema) await withPg((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    },
  };
}

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Polls `fn` until it returns a truthy value or `ms` pass (for realtime assertions). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 5_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Awaits `p`, asserts it fails with the Conclave error `code`, and returns the error. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<ConclaveError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, `expected error ${code}`).toBeInstanceOf(ConclaveError);
  expect((err as ConclaveError).code).toBe(code);
  return err as ConclaveError;
}
