/** Migrations (OPS-1): apply from empty, are idempotent, and keep data when a later one runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openDatabase } from '@conclave/server';

describe('migrations', () => {
  it('apply in order on an empty SQLite database and a second run applies nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      expect(await migrate(d)).toEqual(Object.keys(MIGRATIONS));
      expect(await migrate(d)).toEqual([]);
      const tables = await d.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'sessions', 'conversations', 'messages', 'audit_log', 'user_events']));
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each migration applies on top of the previous schema with data in it', async () => {
    const names = Object.keys(MIGRATIONS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mig-'));
    const d = openDatabase(`sqlite:${path.join(dir, 'm.db')}`);
    try {
      await migrate(d, names[0]);
      await d.db.insertInto('orgs').values({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'Keep', settings: '{}', created_at: 1 }).execute();
      for (const n of names.slice(1)) await migrate(d, n);
      expect((await d.db.selectFrom('orgs').select('name').execute()).map((r) => r.name)).toEqual(['Keep']);
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
