/**
 * Diagnostic (not part of `npm run bench`): two servers in two PostgreSQL schemas of one
 * database. Kysely's Migrator, without `migrationTableSchema`, looks for its
 * kysely_migration(_lock) tables in EVERY schema, so once one schema has them, migrating a
 * fresh schema skips creating its own and fails.
 *   npx tsx bench/diagnostics/pg-schema-migrate.ts
 */
import '../lib/env';
import pg from 'pg';
import { migrate, openDatabase } from '@conclave/server';
import { PG_URL } from '../lib/env';

async function main(): Promise<void> {
  const names = [`diag_a_${process.pid}`, `diag_b_${process.pid}`];
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    for (const schema of names) {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const d = openDatabase(PG_URL!, { schema });
      try {
        await migrate(d);
        process.stdout.write(`migrate(${schema}): ok\n`);
      } catch (err) {
        process.stdout.write(`migrate(${schema}): FAILED — ${err instanceof Error ? err.message : String(err)}\n`);
      } finally {
        await d.close();
      }
    }
  } finally {
    for (const schema of names) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
