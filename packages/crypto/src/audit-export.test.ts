import { describe, expect, it } from 'vitest';
import {
  auditRowHash, canonicalJson, CryptoError, EXPORT_FORMAT, generateSigningKeyPair, GENESIS_HASH, manifestPayload, signCheckpoint,
  signManifest, verifyAuditExport, type AuditChainRow, type ExportManifest, type ExportVerification,
} from './index';

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();
const ORG = '01HZXORG000000000000000000';

function buildRows(n: number): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      id: `row-${String(seq).padStart(4, '0')}`, org_id: ORG, seq, at: 1_700_000_000_000 + seq, actor_type: 'user', actor_id: 'u1', session_id: 's1',
      ip: '10.0.0.1', user_agent: 'test', action: 'auth.login', target_type: 'user', target_id: 'u1', outcome: 'success', reason: null,
      details: canonicalJson({ mfa: false, sessionId: 's1' }),
    };
    const hash = auditRowHash(content, prev);
    rows.push({ ...content, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

const rows = buildRows(20);

/** An export file's lines, as the server writes them: manifest, then one row per line. */
function exportLines(from = 1, to = rows.length, key = keys): string[] {
  const checkpoints = [5, 10, 15, 20].filter((c) => c >= from && c <= to).map((count) => signCheckpoint(key.privateKeyPem, key.publicKeyPem, { org: ORG, count, headHash: rows[count - 1].hash, at: 1_800_000_000_000 + count }));
  const manifest = signManifest(key.privateKeyPem, key.publicKeyPem, {
    org: ORG, fromSeq: from, toSeq: to, startPrevHash: from === 1 ? GENESIS_HASH : rows[from - 2].hash, headHash: rows[to - 1].hash,
    exportedAt: 1_900_000_000_000, exportedBy: { actorType: 'user', actorId: 'auditor-1' }, checkpoints,
  });
  return [canonicalJson(manifest), ...rows.slice(from - 1, to).map((r) => canonicalJson(r))];
}

const check = (lines: string[], publicKeys = [keys.publicKeyPem]) => verifyAuditExport(lines, { publicKeys });
function fault(v: ExportVerification) {
  expect(v.ok, JSON.stringify(v.firstBad)).toBe(false);
  const { problem, id, seq, line } = v.firstBad!;
  return { problem, id, seq, line };
}
const setLine = (lines: string[], i: number, f: (row: AuditChainRow) => AuditChainRow) => lines.map((l, j) => (j === i ? canonicalJson(f(JSON.parse(l))) : l));
const rehash = (r: AuditChainRow): AuditChainRow => {
  const { hash: _h, prev_hash, ...content } = r;
  return { ...r, hash: auditRowHash(content, prev_hash) };
};

describe('audit export: manifest + rows (JSON Lines)', () => {
  it('verifies an intact export, whole or a sub-range, and reports what the manifest claims', async () => {
    const v = await check(exportLines());
    expect(v).toMatchObject({ ok: true, rows: 20, lastSeq: 20, checkpoints: { verified: 4, total: 4 }, manifest: { org: ORG, fromSeq: 1, toSeq: 20, count: 20 } });
    expect(await check(exportLines(6, 12))).toMatchObject({ ok: true, rows: 7, checkpoints: { verified: 1 } });
    expect(await check([...exportLines(), '', '   '])).toMatchObject({ ok: true });
    expect(await check(exportLines(), [other.publicKeyPem, keys.publicKeyPem])).toMatchObject({ ok: true });
  });

  it('the manifest is signed over canonical JSON of every field but the signature', () => {
    const m = JSON.parse(exportLines()[0]!) as ExportManifest;
    expect(m.format).toBe(EXPORT_FORMAT);
    const { signature: _s, ...rest } = m;
    expect(manifestPayload(m)).toBe(canonicalJson(rest));
    expect(() => signManifest(keys.privateKeyPem, keys.publicKeyPem, { ...m, fromSeq: 1, startPrevHash: rows[0].hash })).toThrow(CryptoError);
    expect(() => signManifest(keys.privateKeyPem, keys.publicKeyPem, { ...m, toSeq: 0 })).toThrow(CryptoError);
  });

  it('altered: one field of one row changed (names row id and line)', async () => {
    const v = await check(setLine(exportLines(), 7, (r) => ({ ...r, outcome: 'failed' })));
    expect(fault(v)).toEqual({ problem: 'altered', id: 'row-0007', seq: 7, line: 8 });
  });

  it('missing: a row deleted', async () => {
    const lines = exportLines();
    lines.splice(9, 1);
    expect(fault(await check(lines))).toEqual({ problem: 'missing', id: 'row-0010', seq: 10, line: 10 });
  });

  it('inserted: a forged row with a recomputed hash', async () => {
    const lines = exportLines();
    const forged = rehash({ ...JSON.parse(lines[4]!), id: 'forged', actor_id: 'attacker' });
    lines.splice(4, 0, canonicalJson(forged));
    expect(fault(await check(lines))).toMatchObject({ problem: 'inserted', id: 'forged', line: 5 });
  });

  it('inserted: a row appended after the signed range, even with a correct link', async () => {
    const lines = exportLines(1, 19);
    lines.push(canonicalJson(rows[19]));
    expect(fault(await check(lines))).toEqual({ problem: 'inserted', id: 'row-0020', seq: 20, line: 21 });
  });

  it('reordered: two rows swapped', async () => {
    const lines = exportLines();
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    expect(fault(await check(lines))).toEqual({ problem: 'reordered', id: 'row-0004', seq: 4, line: 4 });
  });

  it('truncated: the tail dropped (signed manifest and checkpoints say more)', async () => {
    const v = await check(exportLines().slice(0, 14));
    expect(fault(v)).toMatchObject({ problem: 'truncated', id: 'row-0013', seq: 14 });
  });

  it('bad_signature: a forged checkpoint, a changed manifest, another key', async () => {
    const lines = exportLines();
    const m = JSON.parse(lines[0]!) as ExportManifest;
    const forgedCp = { ...m, checkpoints: m.checkpoints.map((c, i) => (i === 1 ? { ...c, headHash: rows[8].hash } : c)) };
    expect(fault(await check([canonicalJson(forgedCp), ...lines.slice(1)]))).toMatchObject({ problem: 'bad_signature', line: 1 });
    // Re-signing the manifest with another key does not help: checkpoints and manifest must verify under the trusted key.
    const resigned = signManifest(other.privateKeyPem, other.publicKeyPem, { ...forgedCp });
    expect(fault(await check([canonicalJson(resigned), ...lines.slice(1)]))).toMatchObject({ problem: 'bad_signature', line: 1 });
    expect(fault(await check([canonicalJson({ ...m, toSeq: 14, count: 14 }), ...lines.slice(1, 15)]))).toMatchObject({ problem: 'bad_signature', line: 1 });
    expect(fault(await check(lines, [other.publicKeyPem]))).toMatchObject({ problem: 'bad_signature', line: 1 });
    // A checkpoint signed by the trusted key but altered after signing, inside a validly signed manifest:
    const cps = m.checkpoints.map((c, i) => (i === 2 ? { ...c, at: c.at + 1 } : c));
    const tampered = signManifest(keys.privateKeyPem, keys.publicKeyPem, { ...m, checkpoints: cps });
    expect(fault(await check([canonicalJson(tampered), ...lines.slice(1)]))).toEqual({ problem: 'bad_signature', id: 'row-0015', seq: 15, line: 16 });
  });

  it('garbled or cut files: reports the line, never throws', async () => {
    const lines = exportLines();
    const cut = [...lines.slice(0, 8), lines[8]!.slice(0, 40)];
    expect(fault(await check(cut))).toEqual({ problem: 'malformed', id: '', seq: 8, line: 9 });
    expect(fault(await check([]))).toMatchObject({ problem: 'malformed', line: 1 });
    expect(fault(await check(['{"format":"something-else"}']))).toMatchObject({ problem: 'malformed', line: 1 });
    expect(fault(await check(['\u0000\u0001garbage']))).toMatchObject({ problem: 'malformed', line: 1 });
    expect(fault(await check([lines[1]!, ...lines]))).toMatchObject({ problem: 'malformed', line: 1 });
    expect(fault(await check([lines[0]!, '42', ...lines.slice(1)]))).toMatchObject({ problem: 'altered', line: 2 });
    // Random byte-level damage anywhere: always a verdict, never an exception.
    for (let i = 0; i < 200; i++) {
      const text = lines.join('\n');
      const at = (i * 7919) % text.length;
      const damaged = text.slice(0, at) + String.fromCharCode((i * 31) % 128) + text.slice(at + 1);
      const v = await check(damaged.split('\n'));
      expect(typeof v.ok).toBe('boolean');
    }
    await expect(verifyAuditExport(lines, { publicKeys: [] })).rejects.toThrow(CryptoError);
  });

  it('a pending fault earlier in the file wins over a garbled line later', async () => {
    const lines = exportLines();
    lines.splice(3, 1);
    lines[10] = '{"id": "cut';
    expect(fault(await check(lines))).toMatchObject({ problem: 'missing', id: 'row-0004' });
  });
});
