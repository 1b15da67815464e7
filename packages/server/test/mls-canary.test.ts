/**
 * Canary (E2E-1): the texts of an E2EE conversation (messages, an edit, a deleted message, an
 * attachment name and key) appear nowhere on the server: not in the server's log at trace
 * level, and not in any row of any table — on PostgreSQL every table of the schema is read
 * back as text (bytea as hex). mls-scale.test.ts greps the SQLite file, its WAL and the data dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'kysely';
import { dialects, startTestServer, type TestServer } from '@conclave/testkit';
import { cleanupDirs, openDevice, texts } from './mls-helpers';

describe.each(dialects())('MLS canary: no E2EE text in the server log or database (E2E-1) [%s]', (dialect) => {
  let t: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestServer({ dialect, config: { logLevel: 'trace' } });
    (t.server.svc.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => { lines.push(line); } };
  });
  afterAll(async () => {
    await t?.close();
    cleanupDirs();
  });

  it('finds no canary anywhere the server keeps or prints things', async () => {
    const [alice, bob] = [await t.createUser(), await t.createUser()];
    const a = await openDevice(t, alice, { upload: false });
    const b = await openDevice(t, bob, { upload: false });
    await b.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Canary', memberIds: [bob.user.id] });
    await b.mls.sync();
    const canaries = ['WOMBAT-canary-31 plan', 'WOMBAT-edit-two', 'WOMBAT-deleted', '绝密WOMBAT', 'WOMBAT-file.pdf', 'V09NQkFULWtleQ'];
    const m = await a.mls.send(conv.id, canaries[0]!);
    await a.mls.edit(conv.id, m.id, canaries[1]!);
    const gone = await b.mls.send(conv.id, canaries[2]!);
    await b.mls.delete(conv.id, gone.id);
    await b.mls.send(conv.id, canaries[3]!, { attachments: [{ fileId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: canaries[4]!, size: 10, key: canaries[5]! }] });
    expect(await texts(a, conv.id)).toEqual([canaries[1], null, canaries[3]]);
    // The log did capture the traffic (so an empty log does not pass by accident)…
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.join('')).toContain('/api/v1/conversations/:id/messages');
    const needles = [...canaries, 'WOMBAT'];
    for (const n of needles) expect(lines.join('\n').includes(n), `log contains "${n}"`).toBe(false);

    if (dialect !== 'postgres') return;  // SQLite: the file grep in mls-scale.test.ts covers it.
    const db = t.server.svc.database.db;
    const schema = t.config.databaseSchema!;
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${schema}`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['messages', 'message_versions', 'mls_handshakes', 'audit_log', 'events']));
    const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
    let everything = '';
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ r: string }>`select t::text as r from ${sql.id(schema, table_name)} t`.execute(db);
      const dump = rows.rows.map((x) => x.r).join('\n');
      everything += dump;
      for (const n of needles) {
        expect(dump.includes(n), `${table_name} contains "${n}"`).toBe(false);
        expect(dump.includes(hex(n)), `${table_name} contains "${n}" as bytea`).toBe(false);
      }
    }
    // Positive control: the dump does show what the server stores in clear (an email address).
    expect(everything).toContain(alice.user.email);
  });
});
