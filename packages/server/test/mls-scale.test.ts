/**
 * MLS at scale and at rest (E2E-1, ENC-1): a 50-party group built in one commit, and a grep of
 * the server's database and data dir (and the clients' key stores) that finds no message text
 * of an E2EE conversation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@conclave/testkit';
import { cleanupDirs, openDevice, texts, type Device } from './mls-helpers';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('MLS at scale and at rest (E2E-1)', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer(); });
  afterAll(async () => {
    await t?.close();
    cleanupDirs();
  });

  it('50 parties: one commit adds 49 members; everyone joins from the Welcome and reads; any member can send', async () => {
    const users = [];
    const devices: Device[] = [];
    for (let i = 0; i < 50; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => t.createUser({ name: `p${i + j}` })));
      users.push(...batch);
      devices.push(...(await Promise.all(batch.map(async (u) => {
        const d = await openDevice(t, u, { upload: false });
        await d.mls.refillKeyPackages(1);
        return d;
      }))));
    }
    const t0 = Date.now();
    const [owner, ...rest] = devices;
    const conv = await owner!.mls.createGroup({ name: 'Fifty', memberIds: users.slice(1).map((u) => u.user.id) });
    expect(conv.memberCount).toBe(50);
    expect(await owner!.mls.epoch(conv.id)).toBe(1);
    await Promise.all(rest.map((d) => d.mls.sync()));
    for (const d of rest) expect(await d.mls.epoch(conv.id)).toBe(1);
    await owner!.mls.send(conv.id, 'hello fifty');
    const last = rest[rest.length - 1]!;
    await last.mls.send(conv.id, 'reply from p49');
    for (const d of rest.slice(0, -1)) expect(await texts(d, conv.id)).toEqual(['hello fifty', 'reply from p49']);
    expect(await texts(owner!, conv.id)).toEqual(['hello fifty', 'reply from p49']);
    process.stderr.write(`[mls-scale] 50-party group built, joined and read by all in ${Date.now() - t0} ms\n`);
  }, 240_000);

  it('a grep of the database, its WAL and the data dir finds no text of an E2EE conversation (clients\' key stores neither)', async () => {
    const [alice, bob] = [await t.createUser(), await t.createUser()];
    const a = await openDevice(t, alice, { upload: false });
    const b = await openDevice(t, bob, { upload: false });
    await b.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Grep', memberIds: [bob.user.id] });
    await b.mls.sync();
    const secrets = ['QUOKKA-merger-77 terms', 'QUOKKA-edited-second', 'QUOKKA-deleted-gone', '机密QUOKKA会议'];
    const m = await a.mls.send(conv.id, secrets[0]!);
    await a.mls.edit(conv.id, m.id, secrets[1]!);
    const gone = await b.mls.send(conv.id, secrets[2]!);
    await b.mls.delete(conv.id, gone.id);
    await b.mls.send(conv.id, secrets[3]!, { attachments: [{ fileId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'QUOKKA-plan.pdf', size: 10, key: 'a2V5' }] });
    // Sanity: the members do read them.
    expect(await texts(b, conv.id)).toEqual([secrets[1], null, secrets[3]]);
    const files = [...filesUnder(t.dataDir), ...filesUnder(a.dir), ...filesUnder(b.dir)];
    expect(files.some((f) => f.endsWith('conclave.db'))).toBe(true);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const s of [...secrets, 'QUOKKA']) {
        expect(bytes.includes(Buffer.from(s, 'utf8')), `${path.basename(f)} contains "${s}"`).toBe(false);
        expect(bytes.includes(Buffer.from(s, 'utf16le')), `${path.basename(f)} contains UTF-16 "${s}"`).toBe(false);
      }
    }
  });
});
