/**
 * AUD-2/AUD-3 (issue 5): the parallel export-file verifier gives exactly the sequential
 * verifier's verdict — for intact files (taking the parallel path) and for every kind of damage
 * (falling back, so the fault, row and line named are the same).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditRowHash, canonicalJson, generateSigningKeyPair, GENESIS_HASH, signCheckpoint, signManifest,
  verifyAuditExportFile, verifyAuditExportStream, type AuditChainRow,
} from './index';
import { verifyInPieces } from './audit-export-file';

const keys = generateSigningKeyPair();
const ORG = '01HZXORG000000000000000000';
const N = 3000;
const EVERY = 250;

function buildRows(n: number): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      id: `row-${String(seq).padStart(6, '0')}`, org_id: ORG, seq, at: 1_700_000_000_000 + seq, actor_type: 'user', actor_id: 'u1', session_id: 's1',
      ip: '10.0.0.1', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) test agent', action: seq % 7 === 0 ? 'message.send' : 'auth.login',
      target_type: 'user', target_id: 'u1', outcome: 'success', reason: null,
      // Non-ASCII and escapes in some rows: the UTF-8 decoding path and the general parser path.
      details: canonicalJson(seq % 501 === 0 ? { note: '会议纪要 "quoted"\n', n: seq } : { mfa: seq % 2 === 0, sessionId: 's1', pad: 'x'.repeat(seq % 90) }),
    };
    const hash = auditRowHash(content, prev);
    rows.push({ ...content, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

const rows = buildRows(N);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-audit-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function exportText(list: AuditChainRow[] = rows, eol = '\n'): string {
  const checkpoints = [];
  for (let c = EVERY; c <= N; c += EVERY) checkpoints.push(signCheckpoint(keys.privateKeyPem, keys.publicKeyPem, { org: ORG, count: c, headHash: rows[c - 1]!.hash, at: 1_800_000_000_000 + c }));
  const manifest = signManifest(keys.privateKeyPem, keys.publicKeyPem, {
    org: ORG, fromSeq: 1, toSeq: N, startPrevHash: GENESIS_HASH, headHash: rows[N - 1]!.hash,
    exportedAt: 1_900_000_000_000, exportedBy: { actorType: 'user', actorId: 'auditor-1' }, checkpoints,
  });
  return [canonicalJson(manifest), ...list.map((r) => canonicalJson(r))].join(eol) + eol;
}

let fileNo = 0;
function write(text: string): string {
  const file = path.join(dir, `export-${++fileNo}.jsonl`);
  fs.writeFileSync(file, text);
  return file;
}

const opts = { publicKeys: [keys.publicKeyPem] };
// Small pieces so that a 3 000-row file is cut into many, with faults in middle pieces.
const parallel = { ...opts, threads: 2, pieceBytes: 64 << 10 };

async function sequential(file: string) {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    return await verifyAuditExportStream(stream, opts);
  } finally {
    stream.destroy();
  }
}

const rehash = (r: AuditChainRow): AuditChainRow => {
  const { hash: _h, prev_hash, ...content } = r;
  return { ...r, hash: auditRowHash(content, prev_hash) };
};

describe('audit export file verifier (AUD-2, issue 5)', () => {
  it('an intact file takes the parallel path and gives the sequential verdict', async () => {
    const file = write(exportText());
    expect(fs.statSync(file).size).toBeGreaterThan(8 * (64 << 10));
    const fast = await verifyInPieces(file, fs.statSync(file).size, opts, 2, 64 << 10);
    expect(fast).toBeDefined();
    const seq = await sequential(file);
    expect(seq).toMatchObject({ ok: true, rows: N, lastSeq: N, checkpoints: { verified: N / EVERY, total: N / EVERY } });
    expect(fast).toEqual(seq);
    expect(await verifyAuditExportFile(file, parallel)).toEqual(seq);
  });

  it('CRLF line ends, blank lines and a missing final newline verify the same way', async () => {
    const crlf = write(exportText(rows, '\r\n'));
    expect(await verifyAuditExportFile(crlf, parallel)).toEqual(await sequential(crlf));
    expect((await sequential(crlf)).ok).toBe(true);
    const lines = exportText().split('\n');
    lines.splice(1500, 0, '', '   ');
    const blanks = write(lines.join('\n').replace(/\n$/, ''));
    expect((await sequential(blanks)).ok).toBe(true);
    expect(await verifyAuditExportFile(blanks, parallel)).toEqual(await sequential(blanks));
  });

  const damage: Array<[string, () => string, string]> = [
    ['a row altered in a middle piece', () => exportText(rows.map((r) => (r.seq === 1777 ? { ...r, outcome: 'denied' } : r))), 'altered'],
    ['a row deleted', () => exportText(rows.filter((r) => r.seq !== 1234)), 'missing'],
    ['two rows swapped', () => exportText(rows.map((r, i) => (r.seq === 2001 ? rows[i + 1]! : r.seq === 2002 ? rows[i - 1]! : r))), 'reordered'],
    ['a row rewritten with its hash recomputed', () => exportText(rows.map((r) => (r.seq === 900 ? rehash({ ...r, action: 'auth.logout' }) : r))), 'broken_link'],
    ['a row duplicated', () => exportText(rows.flatMap((r) => (r.seq === 2500 ? [r, r] : [r]))), 'inserted'],
    ['the tail cut off', () => exportText(rows.slice(0, 2800)), 'truncated'],
    ['a garbled line', () => exportText().replace(`"id":"row-001500"`, `"id":"row-001500`), 'malformed'],
  ];
  for (const [what, make, problem] of damage) {
    it(`${what}: falls back and names the same fault (${problem})`, async () => {
      const file = write(make());
      expect(await verifyInPieces(file, fs.statSync(file).size, opts, 2, 64 << 10)).toBeUndefined();
      const seq = await sequential(file);
      expect(seq.ok).toBe(false);
      expect(seq.firstBad!.problem).toBe(problem);
      expect(await verifyAuditExportFile(file, parallel)).toEqual(seq);
    });
  }

  it('a checkpoint whose hash does not match its row fails the same way as sequentially', async () => {
    // Re-sign the manifest with a checkpoint over a wrong head hash (a rewritten past).
    const text = exportText();
    const manifest = JSON.parse(text.slice(0, text.indexOf('\n')));
    manifest.checkpoints[3] = signCheckpoint(keys.privateKeyPem, keys.publicKeyPem, { org: ORG, count: 1000, headHash: rows[998]!.hash, at: 1 });
    const { signature: _s, count: _c, format: _f, version: _v, key: _k, ...fields } = manifest;
    const resigned = signManifest(keys.privateKeyPem, keys.publicKeyPem, fields);
    const file = write(canonicalJson(resigned) + text.slice(text.indexOf('\n')));
    const seq = await sequential(file);
    expect(seq.firstBad).toMatchObject({ problem: 'altered', seq: 1000 });
    expect(await verifyAuditExportFile(file, parallel)).toEqual(seq);
  });

  it('without trusted keys it refuses like the sequential verifier', async () => {
    const file = write(exportText());
    await expect(verifyAuditExportFile(file, { publicKeys: [] })).rejects.toThrow(/public key/);
  });
});
