/**
 * Tamper evidence against a real database (AUD-2): an attacker with write access to the
 * database (who first drops the append-only triggers and, where needed, the unique index)
 * alters, deletes, inserts, reorders or truncates rows, or forges a checkpoint; the verifier
 * that `conclave audit verify` runs (verifyDatabaseAudit → @conclave/crypto) names the first
 * bad row and what is wrong. Each tamper runs in a transaction that is rolled back, so the
 * cases do not affect each other. Also: the chain stays strictly linear under parallel
 * writers from two database handles (two "nodes"), on SQLite and on PostgreSQL; and the
 * checkpoint job signs after N rows or T time and seals the head at graceful shutdown.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowHash, generateSigningKeyPair, GENESIS_HASH, signCheckpoint, storedRowHash } from '@conclave/crypto';
import { dialects, eventually, startTestServer, type TestServer } from '@conclave/testkit';
import { appendAudit } from '../src/kernel/audit';
import { systemActor } from '../src/kernel/actor';
import { openDatabase } from '../src/storage/db';
import type { DB } from '../src/storage/schema';
import { withWriteTransaction } from '../src/storage/tx';
import { verifyDatabaseAudit, type DatabaseVerification } from '../src/modules/audit/verify-database';

class Rollback extends Error {}

describe.each(dialects())('audit tamper evidence and chain linearity [%s]', (dialect) => {
  let t: TestServer;
  let orgId: string;
  let publicKeyPem: string;
  const db = () => t.server.svc.database.db;

  beforeAll(async () => {
    // Checkpoints only when the test asks for them (no job interference).
    t = await startTestServer({ dialect, config: { auditCheckpointRows: 10_000_000, auditCheckpointIntervalMs: 86_400_000 } });
    orgId = t.server.bootstrap.orgId;
    const bob = await t.createUser();
    const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'Tamper' });
    for (let i = 0; i < 25; i++) await bob.client.messages.send(conversation.id, { text: `row ${i}` });
    publicKeyPem = (await t.server.audit.keys.current(orgId)).publicKeyPem;
    expect(await t.server.audit.checkpoints.checkpoint(orgId)).not.toBeNull();
  });
  afterAll(async () => { await t?.close(); });

  const rowAt = async (trx: Kysely<DB>, seq: number) =>
    trx.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '=', seq).executeTakeFirstOrThrow();
  const headSeq = async (trx: Kysely<DB>) =>
    Number((await trx.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('m')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).m);

  /** What an attacker with database access does first: remove the append-only guards. */
  async function dropGuards(trx: Kysely<DB>, uniqueIndexToo = false) {
    if (dialect === 'postgres') await sql`DROP TRIGGER audit_log_no_change ON audit_log`.execute(trx);
    else {
      await sql`DROP TRIGGER audit_log_no_update`.execute(trx);
      await sql`DROP TRIGGER audit_log_no_delete`.execute(trx);
    }
    if (uniqueIndexToo) await sql`DROP INDEX audit_org_seq`.execute(trx);
  }

  /** Runs `tamper` in a transaction, verifies the tampered database inside it, rolls back. */
  async function verifyTampered(tamper: (trx: Kysely<DB>) => Promise<void>, opts: { dropIndex?: boolean; pinned?: boolean } = {}): Promise<DatabaseVerification['orgs'][number]['result']> {
    let out: DatabaseVerification | undefined;
    await db().transaction().execute(async (trx) => {
      await dropGuards(trx, opts.dropIndex);
      await tamper(trx);
      out = await verifyDatabaseAudit(trx, { publicKeys: opts.pinned ? [publicKeyPem] : undefined });
      throw new Rollback();
    }).catch((e: unknown) => { if (!(e instanceof Rollback)) throw e; });
    expect(out!.ok).toBe(false);
    return out!.orgs.find((o) => o.orgId === orgId)!.result;
  }

  it('the untouched database verifies, against the stored key and against the pinned key', async () => {
    for (const publicKeys of [undefined, [publicKeyPem]]) {
      const r = await verifyDatabaseAudit(db(), { publicKeys });
      expect(r.ok).toBe(true);
      expect(r.orgs[0]!.result.checkpoints.verified).toBeGreaterThanOrEqual(1);
    }
  });

  it('altered: one field of one row updated — names that row', async () => {
    const target = await rowAt(db(), 10);
    const r = await verifyTampered(async (trx) => {
      await trx.updateTable('audit_log').set({ outcome: target.outcome === 'success' ? 'denied' : 'success' }).where('id', '=', target.id).execute();
    });
    expect(r.firstBad).toMatchObject({ problem: 'altered', id: target.id, seq: 10 });
    expect(r.rows).toBe(9);
  });

  it('missing: a row deleted — names the row after the gap and the missing seq', async () => {
    const after = await rowAt(db(), 11);
    const r = await verifyTampered(async (trx) => {
      await trx.deleteFrom('audit_log').where('org_id', '=', orgId).where('seq', '=', 10).execute();
    });
    expect(r.firstBad).toMatchObject({ problem: 'missing', id: after.id, seq: 11 });
    expect(r.firstBad!.detail).toContain('seq 10');
  });

  it('inserted: a forged row with a duplicate seq and a correctly recomputed hash — names the forged row', async () => {
    const prev = await rowAt(db(), 9);
    const genuine = await rowAt(db(), 10);
    const forgedId = nextUlid(genuine.id); // sorts right after the genuine row
    const r = await verifyTampered(async (trx) => {
      const { hash: _h, prev_hash: _p, ...content } = genuine;
      const forged = { ...content, id: forgedId, action: 'users.deactivate', outcome: 'success' };
      await trx.insertInto('audit_log').values({ ...forged, prev_hash: prev.hash, hash: auditRowHash(forged, prev.hash) }).execute();
    }, { dropIndex: true });
    expect(r.firstBad).toMatchObject({ problem: 'inserted', id: forgedId, seq: 10 });
  });

  it('reordered: the seqs of two rows swapped — names the row that appears too early', async () => {
    const a = await rowAt(db(), 10);
    const b = await rowAt(db(), 11);
    const r = await verifyTampered(async (trx) => {
      await trx.updateTable('audit_log').set({ seq: -1 }).where('id', '=', a.id).execute();
      await trx.updateTable('audit_log').set({ seq: 10 }).where('id', '=', b.id).execute();
      await trx.updateTable('audit_log').set({ seq: 11 }).where('id', '=', a.id).execute();
    });
    expect(r.firstBad).toMatchObject({ problem: 'reordered', id: b.id, seq: 10 });
  });

  it('truncated: the tail after a signed checkpoint dropped — names the last row left and the cut seqs', async () => {
    const head = await headSeq(db());
    await t.server.audit.checkpoints.checkpoint(orgId);
    const lastLeft = await rowAt(db(), head - 3);
    const r = await verifyTampered(async (trx) => {
      await trx.deleteFrom('audit_log').where('org_id', '=', orgId).where('seq', '>', head - 3).execute();
    });
    expect(r.firstBad).toMatchObject({ problem: 'truncated', id: lastLeft.id, seq: head - 2 });
    expect(r.firstBad!.detail).toContain(`${head - 2}–`);
  });

  it('altered: a tail rewritten with recomputed hashes no longer matches the signed checkpoint', async () => {
    await t.server.audit.checkpoints.checkpoint(orgId);
    const latest = await db().selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('count', 'desc').limit(1).executeTakeFirstOrThrow();
    const count = Number(latest.count);
    const r = await verifyTampered(async (trx) => {
      // Rewrite row 5 and re-chain every later row up to the head: the chain itself is consistent again.
      const rows = await trx.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '>=', 4).orderBy('seq').execute();
      let prevHash = rows[0]!.hash;
      for (const row of rows.slice(1)) {
        const { hash: _h, prev_hash: _p, ...content } = row;
        const changed = row.seq === 5 ? { ...content, reason: 'rewritten' } : content;
        const hash = auditRowHash(changed, prevHash);
        await trx.updateTable('audit_log').set({ ...changed, prev_hash: prevHash, hash }).where('id', '=', row.id).execute();
        prevHash = hash;
      }
    });
    expect(r.firstBad).toMatchObject({ problem: 'altered', seq: count });
    expect(r.firstBad!.detail).toMatch(/differs from the checkpoint/);
  });

  it('bad_signature: a forged checkpoint (wrong key, or an altered signed head) is named', async () => {
    const head = await headSeq(db());
    const at = Date.now();
    const attacker = generateSigningKeyPair();
    const row = await rowAt(db(), head);
    const forged = signCheckpoint(attacker.privateKeyPem, attacker.publicKeyPem, { org: orgId, count: head, headHash: row.hash, at });
    let r = await verifyTampered(async (trx) => {
      await trx.insertInto('audit_checkpoints').values({ id: `${row.id.slice(0, 24)}ZZ`, org_id: orgId, count: head, head_hash: row.hash, at, key_fingerprint: forged.keyFingerprint, signature: forged.signature }).execute();
    });
    expect(r.firstBad).toMatchObject({ problem: 'bad_signature', id: row.id, seq: head });

    // An attacker who also replaces the key table fools a verifier that trusts the database's
    // keys — but not one that pins the published key (`--pubkey`).
    const rewriteKeys = async (trx: Kysely<DB>) => {
      const cps = await trx.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).execute();
      for (const c of cps) {
        const s = signCheckpoint(attacker.privateKeyPem, attacker.publicKeyPem, { org: orgId, count: Number(c.count), headHash: c.head_hash, at: Number(c.at) });
        await trx.updateTable('audit_checkpoints').set({ signature: s.signature, key_fingerprint: s.keyFingerprint }).where('id', '=', c.id).execute();
      }
      await trx.updateTable('audit_signing_keys').set({ public_key_pem: attacker.publicKeyPem }).execute();
    };
    let unpinned: DatabaseVerification | undefined;
    await db().transaction().execute(async (trx) => {
      await rewriteKeys(trx);
      unpinned = await verifyDatabaseAudit(trx);
      throw new Rollback();
    }).catch((e: unknown) => { if (!(e instanceof Rollback)) throw e; });
    expect(unpinned!.ok).toBe(true);
    r = await verifyTampered(rewriteKeys, { pinned: true });
    expect(r.firstBad).toMatchObject({ problem: 'bad_signature' });
  });

  it('the rolled-back tampering left the database intact', async () => {
    expect((await verifyDatabaseAudit(db(), { publicKeys: [publicKeyPem] })).ok).toBe(true);
  });

  it('the chain stays strictly linear under parallel writers on two database handles ("two nodes")', async () => {
    const second = openDatabase(t.config.databaseUrl, { schema: t.config.databaseSchema, poolSize: 4 });
    try {
      const before = await headSeq(db());
      const users = await Promise.all([0, 1, 2, 3].map(() => t.createUser()));
      const convs = await Promise.all(users.map((u, i) => u.client.conversations.create({ kind: 'group', name: `Parallel ${i}` })));
      const http = users.flatMap((u, i) => Array.from({ length: 12 }, (_, j) => u.client.messages.send(convs[i]!.conversation.id, { text: `p${i}-${j}` })));
      const node2 = Array.from({ length: 40 }, (_, j) => withWriteTransaction(second, orgId, (trx) =>
        appendAudit(trx, systemActor(orgId, 'node2'), { action: 'test.parallel', outcome: 'success', details: { j } }, Date.now())));
      await Promise.all([...http, ...node2]);

      const rows = await db().selectFrom('audit_log').select(['seq', 'prev_hash', 'hash', 'action']).where('org_id', '=', orgId).orderBy('seq').execute();
      const seqs = rows.map((r) => Number(r.seq));
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      let prev = GENESIS_HASH;
      for (const r of rows) {
        expect(r.prev_hash).toBe(prev);
        prev = r.hash;
      }
      expect(rows.filter((r) => r.action === 'test.parallel')).toHaveLength(40);
      expect(rows.filter((r) => Number(r.seq) > before && r.action === 'messages.send')).toHaveLength(48);
      const v = await verifyDatabaseAudit(db(), { publicKeys: [publicKeyPem] });
      expect(v.ok).toBe(true);
      // Every stored hash is what the verifier recomputes (nothing hashed differently on either dialect).
      const full = await db().selectFrom('audit_log').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
      for (const r of full) expect(storedRowHash(r)).toBe(r.hash);
    } finally {
      await second.close();
    }
  });
});

describe.each(dialects())('signed checkpoint job (AUD-2) [%s]', (dialect) => {
  it('signs after N new rows, before the interval is up', async () => {
    const t = await startTestServer({ dialect, config: { auditCheckpointRows: 8, auditCheckpointIntervalMs: 3_600_000 } });
    try {
      const orgId = t.server.bootstrap.orgId;
      const cps = () => t.server.svc.database.db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('count').execute();
      const bob = await t.createUser();
      const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'N rows' });
      for (let i = 0; i < 8; i++) await bob.client.messages.send(conversation.id, { text: `n${i}` });
      // The job looks every 5 s at most; an hour has not passed, so only the row count makes it due.
      const first = await eventually(async () => (await cps())[0], 8_000, 'a checkpoint after N rows');
      expect(Number(first.count)).toBeGreaterThanOrEqual(8);
    } finally {
      await t.close();
    }
  });

  it('signs after T time while running, and seals the head at graceful shutdown', async () => {
    const t = await startTestServer({ dialect, config: { auditCheckpointRows: 1_000_000, auditCheckpointIntervalMs: 200 } });
    try {
      const orgId = t.server.bootstrap.orgId;
      const bob = await t.createUser();
      const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'Checkpointed' });
      for (let i = 0; i < 6; i++) await bob.client.messages.send(conversation.id, { text: `c${i}` });
      const checkpoints = () => t.server.svc.database.db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('count').execute();
      await eventually(async () => (await checkpoints()).length >= 1, 5_000, 'a checkpoint from the job');
      const last = (await checkpoints()).at(-1)!;
      await bob.client.messages.send(conversation.id, { text: 'after' });
      await t.stop();
      const db = openDatabase(t.config.databaseUrl, { schema: t.config.databaseSchema });
      try {
        const head = Number((await db.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('m')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).m);
        const all = await db.db.selectFrom('audit_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('count').execute();
        expect(Number(all.at(-1)!.count)).toBe(head);
        expect(Number(all.at(-1)!.count)).toBeGreaterThan(Number(last.count));
        const v = await verifyDatabaseAudit(db.db);
        expect(v.ok).toBe(true);
        expect(v.orgs.find((o) => o.orgId === orgId)!.result.checkpoints.verified).toBe(all.length);
      } finally {
        await db.close();
      }
    } finally {
      await t.close();
    }
  });
});

/** The ULID one above `id` (Crockford base 32 with carry): sorts right after it and never equals it. */
function nextUlid(id: string): string {
  const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const c = [...id];
  for (let i = c.length - 1; i >= 0; i--) {
    const v = B32.indexOf(c[i]!);
    if (v < 31) { c[i] = B32[v + 1]!; return c.join(''); }
    c[i] = '0';
  }
  throw new Error(`no ULID above ${id}`);
}
