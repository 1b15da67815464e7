/**
 * The write transaction every action runs in. Writes are serialised per organisation so the
 * audit hash chain and per-user sequence numbers stay strictly linear (AUD-2, MSG-4):
 * SQLite takes the write lock up front (BEGIN IMMEDIATE, so a second process such as the CLI
 * waits instead of failing on lock upgrade); PostgreSQL takes a transaction-scoped advisory
 * lock keyed by the organisation.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './db';
import type { DB } from './schema';

export type Trx = Kysely<DB> | Transaction<DB>;

export async function withWriteTransaction<T>(d: Database, orgId: string, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (d.dialect === 'postgres') {
    return d.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${'conclave-org:' + orgId}))`.execute(trx);
      return fn(trx);
    });
  }
  return d.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}
