/**
 * Imported FIRST by every benchmark entry point (ES modules evaluate imports in order), so
 * the testkit sees the PostgreSQL URL when it loads.
 *
 * PostgreSQL runs use their own database, `conclave_bench`, on the server named by
 * CONCLAVE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); set
 * CONCLAVE_BENCH_PG_URL to use another database. Why a database of their own: Kysely's Migrator
 * (without `migrationTableSchema`) looks for its kysely_migration(_lock) tables in EVERY schema,
 * so migrating a fresh schema fails while another schema of the same database has them — which
 * is the case whenever a test suite runs on the shared `test` database at the same time
 * (bench/diagnostics/pg-schema-migrate.ts reproduces it). lib/pg-bench.ts creates the database
 * and removes schemas left behind by benchmark processes that no longer exist.
 */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_DATABASE = 'conclave_bench';

/** The server's own URL (any database on it), used to create the bench database. */
export const SOURCE_PG_URL = process.env.CONCLAVE_BENCH_SOURCE_PG_URL || process.env.CONCLAVE_TEST_PG_URL || DEFAULT_PG_URL;

function benchUrl(src: string): string {
  const u = new URL(src);
  u.pathname = `/${BENCH_DATABASE}`;
  return u.toString();
}

export const PG_URL = process.env.CONCLAVE_BENCH_PG_URL || benchUrl(SOURCE_PG_URL);
// Child processes (server-proc, raw-ws-proc) inherit these and so resolve the same URLs.
process.env.CONCLAVE_BENCH_SOURCE_PG_URL = SOURCE_PG_URL;
process.env.CONCLAVE_BENCH_PG_URL = PG_URL;
process.env.CONCLAVE_TEST_PG_URL = PG_URL;
