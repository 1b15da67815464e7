import { describe, expect, it } from 'vitest';
import {
  auditRowHash, AuditVerifier, canonicalJson, checkpointPayload, generateSigningKeyPair, GENESIS_HASH, parseCheckpoint,
  parsePublicKeys, publicKeyFingerprint, signCheckpoint, verifyAuditTrail, verifyCheckpoint, CryptoError,
  type AuditChainRow, type AuditCheckpoint, type AuditVerification,
} from './index';

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();
const ORG = '01HZXORG000000000000000000';

/** Rows shaped like the server's audit_log (details as canonical JSON text). */
function buildRows(n: number, org = ORG): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      id: `row-${String(seq).padStart(4, '0')}`, org_id: org, seq, at: 1_700_000_000_000 + seq * 1000, actor_type: 'user', actor_id: 'u1',
      session_id: null, ip: '10.0.0.1', user_agent: null, action: 'messages.send', target_type: 'message', target_id: `m${seq}`,
      outcome: 'success', reason: null, details: canonicalJson({ conversationId: 'c1' }),
    };
    const hash = auditRowHash(content, prev);
    rows.push({ ...content, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

function checkpoint(rows: AuditChainRow[], count: number, key = keys): AuditCheckpoint {
  return signCheckpoint(key.privateKeyPem, key.publicKeyPem, { org: ORG, count, headHash: count ? rows[count - 1].hash : GENESIS_HASH, at: 1_800_000_000_000 + count });
}

function rehashFrom(rows: AuditChainRow[], from: number): AuditChainRow[] {
  const out = rows.slice(0, from);
  for (const row of rows.slice(from)) {
    const { hash: _h, prev_hash: _p, ...content } = row;
    const prev = out.length ? out[out.length - 1].hash : GENESIS_HASH;
    out.push({ ...content, prev_hash: prev, hash: auditRowHash(content, prev) });
  }
  return out;
}

const verify = (rows: unknown[], checkpoints: unknown[], publicKeys = [keys.publicKeyPem]) => verifyAuditTrail(rows, { publicKeys, checkpoints, org: ORG });
function bad(v: AuditVerification): { problem: string; id: string; seq: number } {
  expect(v.ok, JSON.stringify(v)).toBe(false);
  return { problem: v.firstBad!.problem, id: v.firstBad!.id, seq: v.firstBad!.seq };
}

describe('signed checkpoints', () => {
  it('sign and verify over the documented canonical payload', () => {
    const rows = buildRows(3);
    const cp = checkpoint(rows, 3);
    expect(checkpointPayload(cp)).toBe(`{"at":${cp.at},"count":3,"head":"${rows[2].hash}","org":"${ORG}","type":"conclave.audit.checkpoint","v":1}`);
    expect(cp.keyFingerprint).toBe(publicKeyFingerprint(keys.publicKeyPem));
    expect(verifyCheckpoint([keys.publicKeyPem], cp)).toBe(true);
    expect(verifyCheckpoint([other.publicKeyPem], cp)).toBe(false);
    expect(verifyCheckpoint([other.publicKeyPem, keys.publicKeyPem], cp)).toBe(true);
    for (const forged of [{ ...cp, count: 2 }, { ...cp, headHash: rows[1].hash }, { ...cp, at: cp.at + 1 }, { ...cp, org: 'x' }, { ...cp, signature: 'AAAA' }]) {
      expect(verifyCheckpoint([keys.publicKeyPem], forged)).toBe(false);
    }
    for (const junk of [null, 1, 'x', [], {}, { ...cp, count: -1 }, { ...cp, headHash: 'nope' }]) {
      expect(verifyCheckpoint([keys.publicKeyPem], junk)).toBe(false);
      expect(parseCheckpoint(junk)).toBeUndefined();
    }
    expect(() => signCheckpoint(keys.privateKeyPem, keys.publicKeyPem, { org: ORG, count: 1, headHash: 'x', at: 1 })).toThrow(CryptoError);
  });

  it('parsePublicKeys reads one or several PEM public keys and refuses private keys', () => {
    expect(parsePublicKeys(keys.publicKeyPem)).toEqual([keys.publicKeyPem]);
    expect(parsePublicKeys(`# current\n${keys.publicKeyPem}\n# retired\n${other.publicKeyPem}`)).toEqual([keys.publicKeyPem, other.publicKeyPem]);
    expect(() => parsePublicKeys(keys.privateKeyPem)).toThrow(CryptoError);
    expect(() => parsePublicKeys('not a key')).toThrow(CryptoError);
    expect(() => parsePublicKeys('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(CryptoError);
  });
});

describe('AuditVerifier: chain + checkpoints', () => {
  const rows = buildRows(12);
  const cps = [checkpoint(rows, 4), checkpoint(rows, 8), checkpoint(rows, 12)];

  it('accepts an intact trail and checks every checkpoint against its row', async () => {
    const v = await verify(rows, [...cps].reverse());
    expect(v).toMatchObject({ ok: true, rows: 12, lastSeq: 12, headHash: rows[11].hash, checkpoints: { verified: 3, total: 3, latest: { count: 12 } } });
    expect(await verify([], [checkpoint(rows, 0)])).toMatchObject({ ok: true, rows: 0, checkpoints: { verified: 1 } });
  });

  it('truncated: rows cut off after a checkpoint (names the last row left and the first missing seq)', async () => {
    const v = await verify(rows.slice(0, 10), cps);
    expect(bad(v)).toEqual({ problem: 'truncated', id: 'row-0010', seq: 11 });
    expect(v.firstBad!.detail).toMatch(/covers 12 rows but the chain ends at seq 10: seqs 11–12 were cut off/);
    expect(bad(await verify([], cps))).toMatchObject({ problem: 'truncated', seq: 1 });
  });

  it('bad_signature: a forged or altered checkpoint, or one signed by another key', async () => {
    expect(bad(await verify(rows, [cps[0], { ...cps[1], at: cps[1].at + 5 }, cps[2]]))).toEqual({ problem: 'bad_signature', id: 'row-0008', seq: 8 });
    expect(bad(await verify(rows, [cps[0], checkpoint(rows, 8, other)]))).toEqual({ problem: 'bad_signature', id: 'row-0008', seq: 8 });
    // A forged checkpoint claiming more rows than exist: bad signature, not truncation.
    const forged = { ...cps[2], count: 20 };
    expect(bad(await verify(rows, [forged]))).toMatchObject({ problem: 'bad_signature', seq: 13 });
    expect(bad(await verify(rows, [{ garbage: true }]))).toMatchObject({ problem: 'bad_signature' });
  });

  it('altered: a tail rewritten with recomputed hashes no longer matches the signed head', async () => {
    const rewritten = rehashFrom(rows.map((r, i) => (i === 5 ? { ...r, outcome: 'denied' } : r)), 5);
    const v = await verify(rewritten, cps);
    expect(bad(v)).toEqual({ problem: 'altered', id: 'row-0008', seq: 8 });
    expect(v.firstBad!.detail).toMatch(/differs from the checkpoint/);
    expect(v.checkpoints.verified).toBe(1);
  });

  it('reordered: two rows whose seqs were swapped in a database (neither hashes any more)', async () => {
    const swapped = rows.map((r) => ({ ...r }));
    [swapped[5].seq, swapped[6].seq] = [swapped[6].seq, swapped[5].seq];
    [swapped[5], swapped[6]] = [swapped[6], swapped[5]];
    expect(bad(await verify(swapped, cps))).toEqual({ problem: 'reordered', id: 'row-0007', seq: 6 });
  });

  it('chain faults come first; checkpoints of other organisations are ignored', async () => {
    const altered = rows.map((r, i) => (i === 2 ? { ...r, ip: '10.6.6.6' } : r));
    expect(bad(await verify(altered, cps))).toEqual({ problem: 'altered', id: 'row-0003', seq: 3 });
    const foreign = signCheckpoint(keys.privateKeyPem, keys.publicKeyPem, { org: 'other-org', count: 40, headHash: rows[0].hash, at: 1 });
    expect(await verify(rows, [...cps, foreign])).toMatchObject({ ok: true, checkpoints: { total: 3 } });
  });

  it('verifies a range after a checkpoint (startPrevHash/startSeq), checking a checkpoint at the start', async () => {
    const v = await verifyAuditTrail(rows.slice(4), { publicKeys: [keys.publicKeyPem], checkpoints: cps, startPrevHash: rows[3].hash, startSeq: 5 });
    expect(v).toMatchObject({ ok: true, rows: 8, checkpoints: { verified: 3 } });
    const wrongStart = await verifyAuditTrail(rows.slice(4), { publicKeys: [keys.publicKeyPem], checkpoints: cps, startPrevHash: rows[2].hash, startSeq: 5 });
    expect(wrongStart.ok).toBe(false);
  });

  it('end (a signed manifest): extra rows are inserted, fewer are truncated, another head is altered', async () => {
    const end = { seq: 10, headHash: rows[9].hash, what: 'the manifest' };
    const run = (list: AuditChainRow[], e = end) => {
      const v = new AuditVerifier({ publicKeys: [keys.publicKeyPem], end: e });
      list.forEach((r, i) => v.push(r, i + 2));
      return v.result();
    };
    expect(run(rows.slice(0, 10))).toMatchObject({ ok: true, rows: 10 });
    expect(run(rows)).toMatchObject({ ok: false, firstBad: { problem: 'inserted', id: 'row-0011', line: 12 } });
    expect(run(rows.slice(0, 9))).toMatchObject({ ok: false, firstBad: { problem: 'truncated', seq: 10 } });
    expect(run(rows.slice(0, 10), { ...end, headHash: rows[8].hash })).toMatchObject({ ok: false, firstBad: { problem: 'altered', seq: 10 } });
  });

  it('reports the line of the row it names, also when decided by a later row', () => {
    const v = new AuditVerifier({ publicKeys: [keys.publicKeyPem] });
    const list = [...rows.slice(0, 3), ...rows.slice(4)];
    list.forEach((r, i) => v.push(r, i + 2));
    expect(v.result().firstBad).toMatchObject({ problem: 'missing', id: 'row-0005', line: 5 });
  });

  it('refuses malformed options', () => {
    expect(() => new AuditVerifier({ publicKeys: 'x' as unknown as string[] })).toThrow(CryptoError);
  });
});
