/**
 * Search index changes for 1M-message scale (MSG-3).
 *
 * - `search_df (term, n)`: how many messages hold each keyed-hash term. Search walks the
 *   posting list of a query's rarest term and probes the others by primary key instead of
 *   intersecting whole posting lists (modules/search/search.lookup.ts). Kept by triggers on
 *   `search_terms`, so every writer (message send/edit/delete, retention and erasure purges,
 *   bulk loaders) keeps it right without knowing about it. It holds no plaintext: the counts
 *   could already be read off `search_terms` by anyone with the database (docs/FILES-SEARCH-DLP.md).
 * - `search_file_terms`: file-name terms move out of `search_terms` so that file search reads
 *   file posting lists only, not the (far longer) message ones of the same words.
 *
 * Existing data stays searchable as it is: message terms stay where they are (no rehashing, so
 * no keys needed here), file terms are moved, counts are computed from the rows. Written to be
 * re-runnable (IF NOT EXISTS, counts recomputed) because SQLite migrations do not run in the
 * migrator's transaction; the SQLite steps run in one transaction of their own.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') await steps(db, dialect);
  else await db.transaction().execute((trx) => steps(trx, dialect));
}

async function steps(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';

  let files = db.schema.createTable('search_file_terms').ifNotExists()
    .addColumn('term', big, (c) => c.notNull())
    .addColumn('doc_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_file_terms_pk', ['term', 'doc_id']);
  if (dialect === 'sqlite') files = files.modifyEnd(sql`without rowid`);
  await files.execute();
  await db.schema.createIndex('search_file_terms_doc').ifNotExists().on('search_file_terms').column('doc_id').execute();
  // File ids and message ids are distinct ULIDs: a row whose doc is a file is a file-name term.
  await sql`insert into search_file_terms (term, doc_id) select t.term, t.doc_id from search_terms t where t.doc_id in (select id from files)
    on conflict do nothing`.execute(db);
  await sql`delete from search_terms where doc_id in (select id from files)`.execute(db);

  let df = db.schema.createTable('search_df').ifNotExists()
    .addColumn('term', big, (c) => c.primaryKey())
    .addColumn('n', big, (c) => c.notNull());
  if (dialect === 'sqlite') df = df.modifyEnd(sql`without rowid`);
  await df.execute();
  await sql`delete from search_df`.execute(db);
  await sql`insert into search_df (term, n) select term, count(*) from search_terms group by term`.execute(db);

  if (dialect === 'sqlite') {
    // Row triggers (SQLite has no other kind): one upsert per index row, in the writer's transaction.
    await sql`create trigger if not exists search_terms_df_insert after insert on search_terms begin
      insert into search_df (term, n) values (new.term, 1) on conflict (term) do update set n = n + 1;
    end`.execute(db);
    await sql`create trigger if not exists search_terms_df_delete after delete on search_terms begin
      update search_df set n = n - 1 where term = old.term;
      delete from search_df where term = old.term and n <= 0;
    end`.execute(db);
    return;
  }
  // PostgreSQL: statement triggers with transition tables, one upsert per statement (a message's
  // ~18 rows, a purge's thousands). Terms are per conversation and the writers of one
  // organisation are serialised (storage/tx.ts), so two transactions never contend for a row;
  // inserts still take rows in term order.
  await sql`create or replace function search_df_after_insert() returns trigger language plpgsql as $$
    begin
      insert into search_df (term, n) select term, count(*) from search_df_new group by term order by term
        on conflict (term) do update set n = search_df.n + excluded.n;
      return null;
    end $$`.execute(db);
  await sql`create or replace function search_df_after_delete() returns trigger language plpgsql as $$
    begin
      update search_df d set n = d.n - o.c from (select term, count(*) as c from search_df_old group by term order by term) o where d.term = o.term;
      delete from search_df d using (select distinct term from search_df_old) o where d.term = o.term and d.n <= 0;
      return null;
    end $$`.execute(db);
  await sql`create or replace trigger search_terms_df_insert after insert on search_terms
    referencing new table as search_df_new for each statement execute function search_df_after_insert()`.execute(db);
  await sql`create or replace trigger search_terms_df_delete after delete on search_terms
    referencing old table as search_df_old for each statement execute function search_df_after_delete()`.execute(db);
}
