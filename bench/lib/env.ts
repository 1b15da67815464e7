/**
 * Imported FIRST by every benchmark entry point (ES modules evaluate imports in order), so
 * the testkit sees the PostgreSQL URL when it loads. Override with CONCLAVE_TEST_PG_URL.
 */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
process.env.CONCLAVE_TEST_PG_URL ||= DEFAULT_PG_URL;
export const PG_URL = process.env.CONCLAVE_TEST_PG_URL;
