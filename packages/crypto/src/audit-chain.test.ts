import { describe, expect, it } from 'vitest';
import {
  auditRowHash, canonicalJson, ChainVerifier, CryptoError, GENESIS_HASH, sha256Hex, verifyChain,
  verifyChainAsync, type AuditChainRow, type ChainVerification,
} from './index';

/** Builds a valid chain of `n` rows the way the server's audit writer would. */
function buildChain(n: number, prev = GENESIS_HASH, firstSeq = 1): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  for (let i = 0; i < n; i++) {
    const seq = firstSeq + i;
    const content = { id: `row-${seq}`, seq, ts: 1_700_000_000_000 + seq, actor: `user-${seq % 3}`, action: 'message.send', ok: true };
    const hash = auditRowHash(content, prev);
    rows.push({ ...content, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

/** Recomputes a row's hash for new content, as an attacker with DB access could. */
function rehash(row: AuditChainRow): AuditChainRow {
  const { hash: _h, prev_hash, ...content } = row;
  return { ...row, hash: auditRowHash(content, prev_hash) };
}

function firstBad(v: ChainVerification): { id: string; problem: string } {
  if (v.ok) throw new Error('expected a broken chain');
  return { id: v.firstBad.id, problem: v.firstBad.problem };
}

describe('auditRowHash', () => {
  it('is sha256 of canonical JSON of the row plus prev_hash', () => {
    const row = { seq: 1, id: 'a', details: { b: 2, a: 1 } };
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(auditRowHash(row, GENESIS_HASH)).toBe(
      sha256Hex(`{"details":{"a":1,"b":2},"id":"a","prev_hash":"${GENESIS_HASH}","seq":1}`),
    );
    expect(auditRowHash(row, GENESIS_HASH)).toBe(sha256Hex(canonicalJson({ ...row, prev_hash: GENESIS_HASH })));
  });

  it('refuses rows that already carry hash or prev_hash, bad prevHash, non-JSON values', () => {
    const cases: Array<() => unknown> = [
      () => auditRowHash({ id: 'a', hash: 'x' }, GENESIS_HASH),
      () => auditRowHash({ id: 'a', prev_hash: GENESIS_HASH }, GENESIS_HASH),
      () => auditRowHash({ id: 'a', hash: undefined }, GENESIS_HASH),
      () => auditRowHash({ id: 'a' }, 'abc'),
      () => auditRowHash({ id: 'a' }, GENESIS_HASH.toUpperCase().replace(/0/g, 'A')),
      () => auditRowHash({ id: 'a', at: new Date() }, GENESIS_HASH),
      () => auditRowHash({ id: 'a', n: 1n }, GENESIS_HASH),
    ];
    for (const fn of cases) expect(fn).toThrow(CryptoError);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports count and head hash', () => {
    const rows = buildChain(6);
    expect(verifyChain(rows)).toEqual({ ok: true, count: 6, headHash: rows[5].hash });
    expect(verifyChain([])).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH });
  });

  it('verifies a segment after a checkpoint with startPrevHash (and optional startSeq)', () => {
    const rows = buildChain(10);
    const tail = rows.slice(4);
    expect(verifyChain(tail, { startPrevHash: rows[3].hash })).toMatchObject({ ok: true, count: 6 });
    expect(verifyChain(tail, { startPrevHash: rows[3].hash, startSeq: 5 })).toMatchObject({ ok: true });
    expect(firstBad(verifyChain(tail, { startPrevHash: rows[3].hash, startSeq: 4 }))).toEqual({ id: 'row-5', problem: 'missing' });
    expect(firstBad(verifyChain(tail, { startPrevHash: rows[2].hash }))).toEqual({ id: 'row-5', problem: 'broken_link' });
    expect(firstBad(verifyChain(tail))).toEqual({ id: 'row-5', problem: 'missing' });
  });

  it('altered: a field changed', () => {
    const rows = buildChain(6);
    rows[2] = { ...rows[2], actor: 'someone-else' };
    const v = verifyChain(rows);
    expect(firstBad(v)).toEqual({ id: 'row-3', problem: 'altered' });
    expect(v.count).toBe(2);
  });

  it('altered: a field added, a type changed, or seq renumbered', () => {
    for (const mutate of [
      (r: AuditChainRow) => ({ ...r, extra: 1 }),
      (r: AuditChainRow) => ({ ...r, ts: String(r.ts) }),
      (r: AuditChainRow) => ({ ...r, seq: r.seq + 10 }),
      (r: AuditChainRow) => ({ ...r, hash: r.hash.toUpperCase() }),
      (r: AuditChainRow) => ({ ...r, id: 7 as unknown as string }),
    ]) {
      const rows = buildChain(4);
      rows[1] = mutate(rows[1]);
      expect(verifyChain(rows)).toMatchObject({ ok: false, count: 1, firstBad: { problem: 'altered', seq: rows[1].seq } });
    }
  });

  it('missing: a row deleted (middle, first)', () => {
    const rows = buildChain(6);
    const v = verifyChain([...rows.slice(0, 2), ...rows.slice(3)]);
    expect(firstBad(v)).toEqual({ id: 'row-4', problem: 'missing' });
    expect(v).toMatchObject({ count: 2, firstBad: { seq: 4, detail: 'seq 3 is missing before this row' } });
    expect(firstBad(verifyChain(rows.slice(1)))).toEqual({ id: 'row-2', problem: 'missing' });
    expect(verifyChain([...rows.slice(0, 1), ...rows.slice(4)])).toMatchObject({
      firstBad: { id: 'row-5', detail: 'seqs 2–4 are missing before this row' },
    });
  });

  it('inserted: a forged row placed before the genuine one, linking correctly', () => {
    const rows = buildChain(6);
    const forged = rehash({ ...rows[2], id: 'forged', actor: 'attacker' });
    const v = verifyChain([...rows.slice(0, 2), forged, ...rows.slice(2)]);
    expect(firstBad(v)).toEqual({ id: 'forged', problem: 'inserted' });
    expect(v.count).toBe(2);
  });

  it('inserted: a forged row placed after the genuine one (same predecessor or linking to it)', () => {
    const rows = buildChain(6);
    const sibling = rehash({ ...rows[2], id: 'forged', actor: 'attacker' });
    expect(firstBad(verifyChain([...rows.slice(0, 3), sibling, ...rows.slice(3)]))).toEqual({ id: 'forged', problem: 'inserted' });
    const appended = rehash({ ...rows[2], id: 'forged', prev_hash: rows[2].hash });
    expect(firstBad(verifyChain([...rows.slice(0, 3), appended, ...rows.slice(3)]))).toEqual({ id: 'forged', problem: 'inserted' });
    // At the very end there is no next row to arbitrate; the later one is named.
    const last = rehash({ ...rows[5], id: 'forged-last' });
    expect(firstBad(verifyChain([...rows, last]))).toEqual({ id: 'forged-last', problem: 'inserted' });
  });

  it('altered: a forged row whose hash was not recomputed', () => {
    const rows = buildChain(4);
    const forged = { ...rows[1], id: 'forged' };
    expect(firstBad(verifyChain([rows[0], forged, ...rows.slice(1)]))).toEqual({ id: 'forged', problem: 'altered' });
  });

  it('reordered: two rows swapped (adjacent, distant, first pair)', () => {
    const rows = buildChain(8);
    const swap = (i: number, j: number): AuditChainRow[] => {
      const copy = [...rows];
      [copy[i], copy[j]] = [copy[j], copy[i]];
      return copy;
    };
    const v = verifyChain(swap(2, 3));
    expect(firstBad(v)).toEqual({ id: 'row-4', problem: 'reordered' });
    expect(v).toMatchObject({ count: 2, firstBad: { detail: 'seq 4 appears before seq 3' } });
    expect(firstBad(verifyChain(swap(1, 5)))).toEqual({ id: 'row-6', problem: 'reordered' });
    expect(firstBad(verifyChain(swap(0, 1)))).toEqual({ id: 'row-2', problem: 'reordered' });
  });

  it('reordered: a row moved later; seq goes backwards', () => {
    const rows = buildChain(6);
    const moved = [rows[0], rows[1], rows[3], rows[4], rows[2], rows[5]];
    expect(firstBad(verifyChain(moved))).toEqual({ id: 'row-4', problem: 'reordered' });
    const replayed = [...rows.slice(0, 4), rows[1]];
    expect(firstBad(verifyChain(replayed))).toEqual({ id: 'row-2', problem: 'reordered' });
  });

  it('missing rather than reordered when the displaced row is beyond the lookahead', () => {
    const rows = buildChain(6);
    const moved = [rows[0], rows[1], rows[3], rows[4], rows[2], rows[5]];
    expect(firstBad(verifyChain(moved, { lookahead: 1 }))).toEqual({ id: 'row-4', problem: 'missing' });
    expect(firstBad(verifyChain(moved, { lookahead: 0 }))).toEqual({ id: 'row-4', problem: 'missing' });
  });

  it('broken_link: a row re-pointed and re-hashed', () => {
    const rows = buildChain(6);
    rows[3] = rehash({ ...rows[3], prev_hash: sha256Hex('elsewhere') });
    const v = verifyChain(rows);
    expect(firstBad(v)).toEqual({ id: 'row-4', problem: 'broken_link' });
    expect(v.count).toBe(3);
  });

  it('broken_link: the previous row rewritten with a recomputed hash is caught at the next row', () => {
    const rows = buildChain(6);
    rows[2] = rehash({ ...rows[2], actor: 'attacker' });
    expect(firstBad(verifyChain(rows))).toEqual({ id: 'row-4', problem: 'broken_link' });
  });

  it('broken_link: first row does not start at genesis', () => {
    const rows = buildChain(3, sha256Hex('not genesis'));
    expect(firstBad(verifyChain(rows))).toEqual({ id: 'row-1', problem: 'broken_link' });
  });

  it('a fully rewritten tail is consistent (why signed checkpoints exist)', () => {
    const rows = buildChain(5);
    const rewritten = rows.slice(0, 2);
    for (const row of rows.slice(2)) {
      const { hash: _h, prev_hash: _p, ...content } = { ...row, actor: 'attacker' };
      const prev = rewritten[rewritten.length - 1].hash;
      rewritten.push({ ...content, prev_hash: prev, hash: auditRowHash(content, prev) });
    }
    const v = verifyChain(rewritten);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.headHash).not.toBe(rows[4].hash);
  });

  it('streams: stops pulling rows at the first fault and never needs an array', () => {
    const rows = buildChain(50);
    rows[10] = { ...rows[10], actor: 'x' };
    let pulled = 0;
    let closed = false;
    const source: Iterable<AuditChainRow> = {
      [Symbol.iterator]: function* () {
        try {
          for (const r of rows) {
            pulled++;
            yield r;
          }
        } finally {
          closed = true;
        }
      },
    };
    expect(firstBad(verifyChain(source))).toEqual({ id: 'row-11', problem: 'altered' });
    expect(pulled).toBe(11);
    expect(closed).toBe(true);
  });

  it('verifyChainAsync works on async iterables, ChainVerifier incrementally', async () => {
    const rows = buildChain(5);
    async function* gen(): AsyncGenerator<AuditChainRow> {
      for (const r of rows) yield r;
    }
    await expect(verifyChainAsync(gen())).resolves.toEqual({ ok: true, count: 5, headHash: rows[4].hash });
    const v = new ChainVerifier();
    for (const r of rows.slice(0, 3)) expect(v.push(r)).toBe(true);
    expect(v.count).toBe(3);
    expect(v.headHash).toBe(rows[2].hash);
  });

  it('rejects malformed options', () => {
    expect(() => verifyChain([], { startPrevHash: 'nope' })).toThrow(CryptoError);
    expect(() => verifyChain([], { startSeq: 0 })).toThrow(CryptoError);
  });
});
