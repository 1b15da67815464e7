/** Encryption at rest (ENC-1, rule 5): no message text in the database file or data dir. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@conclave/testkit';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('encryption at rest (ENC-1)', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer(); });
  afterAll(async () => { await t?.close(); });

  it('a grep of the data dir (SQLite file, WAL, keys) finds neither current nor edited nor deleted text', async () => {
    const bob = await t.createUser();
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: 'Secret plans', memberIds: [bob.user.id] });
    const texts = ['ZEBRA-quartz-7781 merger terms', 'ZEBRA-edited-version-2', 'ZEBRA-deleted-never-seen', '绝密会议纪要ZEBRA'];
    const { message } = await t.admin.client.messages.send(conversation.id, { text: texts[0]! });
    await t.admin.client.messages.edit(conversation.id, message.id, texts[1]!);
    const { message: gone } = await bob.client.messages.send(conversation.id, { text: texts[2]! });
    await bob.client.messages.delete(conversation.id, gone.id);
    await bob.client.messages.send(conversation.id, { text: texts[3]! });
    // Sanity: the API does return the text.
    expect((await bob.client.messages.list(conversation.id)).messages.map((m) => m.text)).toContain(texts[1]);
    const files = filesUnder(t.dataDir);
    expect(files.some((f) => f.endsWith('conclave.db'))).toBe(true);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const text of texts) {
        for (const needle of [text, text.slice(0, 12)]) {
          expect(bytes.includes(Buffer.from(needle, 'utf8')), `${path.basename(f)} contains "${needle}"`).toBe(false);
          expect(bytes.includes(Buffer.from(needle, 'utf16le')), `${path.basename(f)} contains UTF-16 "${needle}"`).toBe(false);
        }
      }
    }
  });

  it('the master key file is created with mode 0600', () => {
    const mode = fs.statSync(path.join(t.dataDir, 'master.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('a body moved to another row does not decrypt (ciphertext is bound to its message)', async () => {
    const { conversation } = await t.admin.client.conversations.create({ kind: 'group', name: 'Bind' });
    const a = (await t.admin.client.messages.send(conversation.id, { text: 'first' })).message;
    const b = (await t.admin.client.messages.send(conversation.id, { text: 'second' })).message;
    const db = t.server.svc.database.db;
    const rowA = await db.selectFrom('messages').select('body').where('id', '=', a.id).executeTakeFirstOrThrow();
    await db.updateTable('messages').set({ body: rowA.body }).where('id', '=', b.id).execute();
    const res = await fetch(`${t.url}/api/v1/conversations/${conversation.id}/messages/${b.id}`, { headers: { authorization: `Bearer ${t.admin.client.token}` } });
    expect(res.status).toBe(500);
    const body = await res.json() as { error: { code: string; details: { incidentId: string } } };
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toMatch(/decrypt|aead|\.ts:/i);
  });
});
