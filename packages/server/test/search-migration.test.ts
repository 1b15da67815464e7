/**
 * Migration 0014 (MSG-3): an existing deployment keeps working. From the schema before it
 * (file-name terms inside search_terms, no search_df, no triggers) with data in it, the
 * migration moves file terms to search_file_terms, counts every term into search_df and
 * installs the triggers; everything found before is found after, and new writes keep the
 * counts right. Plain-migration test on SQLite, and a restart of a real server on each dialect.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uploadFile } from '@conclave/sdk';
import { MIGRATIONS, migrate, openDatabase } from '@conclave/server';
import { dialects, PG_URL, startTestServer, USER_PASSWORD } from '@conclave/testkit';

/** search_df rows and the real per-term counts, as comparable lists. */
async function counts(db: Kysely<any>): Promise<{ df: string[]; real: string[] }> {
  const norm = (rows: Array<{ term: unknown; n: unknown }>) => rows.map((r) => `${r.term}:${r.n}`).sort();
  return {
    df: norm(await db.selectFrom('search_df').select(['term', 'n']).execute()),
    real: norm((await sql<{ term: unknown; n: unknown }>`select term, count(*) as n from search_terms group by term`.execute(db)).rows),
  };
}

/** Puts the index back into its pre-0014 shape, as a deployment that never ran 0014 has it. */
async function rewindTo0013(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await sql`insert into search_terms (term, doc_id) select term, doc_id from search_file_terms`.execute(db);
  await sql`drop trigger search_terms_df_insert ${sql.raw(dialect === 'postgres' ? 'on search_terms' : '')}`.execute(db);
  await sql`drop trigger search_terms_df_delete ${sql.raw(dialect === 'postgres' ? 'on search_terms' : '')}`.execute(db);
  if (dialect === 'postgres') {
    await sql`drop function search_df_after_insert()`.execute(db);
    await sql`drop function search_df_after_delete()`.execute(db);
  }
  await db.schema.dropTable('search_df').execute();
  await db.schema.dropTable('search_file_terms').execute();
  await db.deleteFrom('kysely_migration').where('name', '=', '0014_search_index').execute();
}

describe('migration 0014 (search index)', () => {
  it('moves file terms, counts every term and installs the triggers (SQLite, from 0013 with rows)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig14-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      await migrate(d, '0013_message_restrictions');
      const db = d.db as Kysely<any>;
      await db.insertInto('orgs').values({ id: 'O', name: 'Keep', settings: '{}', created_at: 1 }).execute();
      await db.insertInto('files').values({
        id: 'F1', org_id: 'O', conversation_id: 'C', uploader_id: 'U', message_id: null, blob_id: 'F1', key_id: 'K', name_enc: Buffer.from('x'),
        size: 1, parts: '[]', level: 'internal', status: 'ready', created_at: 1, expires_at: 2,
      }).execute();
      // Messages M1, M2 and the file F1 share term 7; term 9 only in M1; term 5 only in the file.
      await db.insertInto('search_terms').values([
        { term: 7, doc_id: 'M1' }, { term: 9, doc_id: 'M1' }, { term: 7, doc_id: 'M2' }, { term: 7, doc_id: 'F1' }, { term: 5, doc_id: 'F1' },
      ]).execute();
      expect(await migrate(d)).toEqual(Object.keys(MIGRATIONS).filter((n) => n > '0013_message_restrictions'));
      expect((await db.selectFrom('search_terms').select(['term', 'doc_id']).orderBy('doc_id').orderBy('term').execute()).map((r) => `${r.doc_id}:${r.term}`)).toEqual(['M1:7', 'M1:9', 'M2:7']);
      expect((await db.selectFrom('search_file_terms').select(['term', 'doc_id']).orderBy('term').execute()).map((r) => `${r.doc_id}:${r.term}`)).toEqual(['F1:5', 'F1:7']);
      expect((await counts(db)).df).toEqual(['7:2', '9:1']);
      // The triggers keep counting: new rows, deleted rows, a term whose last row goes.
      await db.insertInto('search_terms').values([{ term: 7, doc_id: 'M3' }, { term: 11, doc_id: 'M3' }]).execute();
      await db.deleteFrom('search_terms').where('doc_id', '=', 'M1').execute();
      const c = await counts(db);
      expect(c.df).toEqual(['11:1', '7:2']);
      expect(c.df).toEqual(c.real);
      expect((await db.selectFrom('orgs').select('name').execute()).map((r) => r.name)).toEqual(['Keep']);
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(dialects())('a server on the pre-0014 schema restarts on 0014 and finds the same [%s]', (dialect) => {
    it('messages and file names stay searchable; new writes are counted', async () => {
      const t = await startTestServer({ dialect });
      const dataDir = t.dataDir;
      const schema = t.config.databaseSchema;
      let t2: Awaited<ReturnType<typeof startTestServer>> | undefined;
      try {
        const alice = await t.createUser({ name: 'Alice' });
        const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Old' });
        const a = (await alice.client.messages.send(conversation.id, { text: '今天的会议纪要已经发到群里了' })).message;
        const b = (await alice.client.messages.send(conversation.id, { text: 'budget review on Friday 会议' })).message;
        const file = await uploadFile(alice.client, conversation.id, 'quarterly-budget-会议纪要.txt', Buffer.from('minutes'));
        await alice.client.messages.send(conversation.id, { text: 'attached', fileIds: [file.id] });
        const ask = async (c: typeof alice.client, q: string) => {
          const r = await c.http.request('search', { query: { q } });
          return { messages: r.messages.map((h) => h.message.id), files: r.files.map((f) => f.file.id) };
        };
        const before = { zh: await ask(alice.client, '会议纪要'), en: await ask(alice.client, 'budget'), one: await ask(alice.client, '会议') };
        expect(before.zh).toEqual({ messages: [a.id], files: [file.id] });
        expect(before.en).toEqual({ messages: [b.id], files: [file.id] });

        await rewindTo0013(t.server.svc.database.db as Kysely<any>, dialect);
        expect((await t.server.svc.database.db.selectFrom('search_terms').select('term').where('doc_id', '=', file.id).execute()).length).toBeGreaterThan(0);
        await t.stop();

        // Restart on the same data: the server applies 0014 on start.
        t2 = await startTestServer({ dialect, dataDir, ...(schema ? { schema } : {}) });
        const db = t2.server.svc.database.db as Kysely<any>;
        const c = t2.client();
        await c.login(alice.user.email, USER_PASSWORD);
        expect({ zh: await ask(c, '会议纪要'), en: await ask(c, 'budget'), one: await ask(c, '会议') }).toEqual(before);
        expect(await db.selectFrom('search_terms').select('term').where('doc_id', '=', file.id).execute()).toEqual([]);
        let n = await counts(db);
        expect(n.df.length).toBeGreaterThan(0);
        expect(n.df).toEqual(n.real);
        const fresh = (await c.messages.send(conversation.id, { text: '新的会议纪要 budget' })).message;
        expect((await ask(c, '会议纪要 budget')).messages).toEqual([fresh.id]);
        await c.messages.delete(conversation.id, b.id);
        n = await counts(db);
        expect(n.df).toEqual(n.real);
      } finally {
        if (t2) await t2.stop();
        else await t.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (dialect === 'postgres' && schema) {
          const client = new pg.Client({ connectionString: PG_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        }
      }
    }, 60_000);
  });
});
