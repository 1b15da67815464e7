/**
 * Migrations: one file each under ./migrations, applied in name order inside Kysely's
 * Migrator (which takes a lock, so two nodes starting together apply each migration once).
 */
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './db';
import * as m0001 from './migrations/0001_initial';
import * as m0002 from './migrations/0002_access_control';
import * as m0003 from './migrations/0003_audit';
import * as m0004 from './migrations/0004_files_search';
import * as m0005 from './migrations/0005_mls';
import * as m0006 from './migrations/0006_governance';
import * as m0007 from './migrations/0007_compliance_archive';
import * as m0008 from './migrations/0008_dsar';
import * as m0009 from './migrations/0009_ediscovery';
import * as m0010 from './migrations/0010_thumbnails';
import * as m0011 from './migrations/0011_user_profile';
import * as m0012 from './migrations/0012_webauthn';
import * as m0013 from './migrations/0013_message_restrictions';
import * as m0014 from './migrations/0014_search_index';

type MigrationModule = { up: (db: any, dialect: Database['dialect']) => Promise<void> };

/** Every migration, by name. Append new ones; never edit an applied one. */
export const MIGRATIONS: Record<string, MigrationModule> = {
  '0001_initial': m0001,
  '0002_access_control': m0002,
  '0003_audit': m0003,
  '0004_files_search': m0004,
  '0005_mls': m0005,
  '0006_governance': m0006,
  '0007_compliance_archive': m0007,
  '0008_dsar': m0008,
  '0009_ediscovery': m0009,
  '0010_thumbnails': m0010,
  '0011_user_profile': m0011,
  '0012_webauthn': m0012,
  '0013_message_restrictions': m0013,
  '0014_search_index': m0014,
};

class Provider implements MigrationProvider {
  constructor(private readonly d: Database, private readonly upTo?: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) {
      if (this.upTo && name > this.upTo) break;
      out[name] = { up: (db) => mod.up(db, this.d.dialect) };
    }
    return out;
  }
}

/** Applies pending migrations (optionally only up to `upTo`, for migration tests). Throws on failure. */
export async function migrate(d: Database, upTo?: string): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which one: another
  // schema of the same database holding them (a test server next door, another application)
  // would make it skip creating its own. Name the schema the connection works in.
  // current_schema() is NULL when the search_path names no existing schema; never fall back to
  // Kysely's look-everywhere default then (it would find a neighbour's tables and fail later).
  let schema: string | undefined;
  if (d.dialect === 'postgres') {
    if (d.schema) await sql`create schema if not exists ${sql.id(d.schema)}`.execute(d.db);
    schema = d.schema ?? (await sql<{ s: string | null }>`select current_schema() as s`.execute(d.db)).rows[0]?.s ?? undefined;
    if (!schema) throw new Error('PostgreSQL: no schema in the search_path exists; create it or fix the search_path of the database user');
  }
  const migrator = new Migrator({ db: d.db, provider: new Provider(d, upTo), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
