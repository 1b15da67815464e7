import { describe, expect, it } from 'vitest';
import { auditRowHash, canonicalJson, CryptoError, flatCanonicalJson, GENESIS_HASH, sha256Hex, storedRowHash } from './index';

/** Deterministic PRNG so a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Z', 'é', '中文', '😀', '\u2028', '\u2029', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', '\uffff', '\ud800\udc00', ' ', 'ß', 'İ', '0'];
const NUMBERS = [0, -0, 1, -1, 0.1, 0.1 + 0.2, 1e21, 1e-7, 123456789012345, 2 ** 53 - 1, -(2 ** 53) + 1, 5e-324, 1.7976931348623157e308, 4.5, 1_700_000_000_000];

function randomString(r: () => number, max = 8): string {
  let out = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(r() * PIECES.length)];
  return out;
}

function randomRow(r: () => number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.3 ? randomString(r, 4) : `k${Math.floor(r() * 20)}`;
    const kind = r();
    row[key] = kind < 0.4 ? randomString(r) : kind < 0.7 ? NUMBERS[Math.floor(r() * NUMBERS.length)] : kind < 0.8 ? r() < 0.5 : kind < 0.9 ? null : (r() - 0.5) * 1e6;
  }
  return row;
}

describe('flatCanonicalJson (fast path of audit-row hashing)', () => {
  it('equals the RFC 8785 canonicalizer on random flat rows (unicode, escapes, number forms, key order)', () => {
    const r = rng(42);
    for (let i = 0; i < 5000; i++) {
      const row = randomRow(r);
      expect(flatCanonicalJson(row)).toBe(canonicalJson(row));
    }
  });

  it('sorts keys by UTF-16 code units (not code points), as RFC 8785 requires', () => {
    const row = { '\uffff': 1, '😀': 2, a: 3, '': 4, é: 5 };
    expect(flatCanonicalJson(row)).toBe(canonicalJson(row));
    expect(flatCanonicalJson(row)).toBe('{"":4,"a":3,"é":5,"😀":2,"\uffff":1}');
  });

  it('gives up (undefined) on anything that is not a flat JSON object, so the general path decides', () => {
    for (const v of [{ a: { b: 1 } }, { a: [1] }, { a: undefined }, { a: Number.NaN }, { a: Infinity }, { a: 'x\ud800' }, { ['\udc00']: 1 }, { a: new Date(0) }, { a: 1n }]) {
      expect(flatCanonicalJson(v as Record<string, unknown>)).toBeUndefined();
    }
    expect(flatCanonicalJson([] as unknown as Record<string, unknown>)).toBeUndefined();
    expect(flatCanonicalJson(new (class X { a = 1 })() as unknown as Record<string, unknown>)).toBeUndefined();
  });

  it('skips the given key and alternating key sets do not confuse the cached plan', () => {
    const a = { id: 'x', seq: 1, hash: 'h' };
    const b = { seq: 1, id: 'x', hash: 'h', extra: null };
    for (let i = 0; i < 3; i++) {
      expect(flatCanonicalJson(a, 'hash')).toBe('{"id":"x","seq":1}');
      expect(flatCanonicalJson(b, 'hash')).toBe('{"extra":null,"id":"x","seq":1}');
      expect(flatCanonicalJson(a)).toBe('{"hash":"h","id":"x","seq":1}');
      expect(flatCanonicalJson({ '': 1, hash: 2 })).toBe('{"":1,"hash":2}');
    }
  });

  it('storedRowHash of a stored row equals auditRowHash of its content, on both paths', () => {
    const content = { id: 'r1', seq: 1, details: '{"a":1}', at: 5 };
    const hash = auditRowHash(content, GENESIS_HASH);
    expect(storedRowHash({ ...content, prev_hash: GENESIS_HASH, hash })).toBe(hash);
    const nested = { id: 'r1', seq: 1, meta: { b: [1, 2], a: 'x' } };
    const h2 = auditRowHash(nested, GENESIS_HASH);
    expect(h2).toBe(sha256Hex(canonicalJson({ ...nested, prev_hash: GENESIS_HASH })));
    expect(storedRowHash({ ...nested, prev_hash: GENESIS_HASH, hash: h2 })).toBe(h2);
    expect(() => storedRowHash({ id: 'r', at: new Date() as unknown as number, hash: 'x' })).toThrow(CryptoError);
  });

  it('rows whose keys are already in canonical order (database mode) hash the same on the JSON.stringify path', () => {
    const r = rng(7);
    const sortKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    const tricky = [',"hash":"' + '0'.repeat(64) + '"', '"hash":"', '\\",', '中文\u2028', ''];
    for (let i = 0; i < 3000; i++) {
      const content = randomRow(r);
      delete content.hash;
      delete content.prev_hash;
      // A key before "hash" (as the audit table has: actor_*, at, details) so the fast path applies.
      content.details = i % 5 === 0 ? tricky[i % tricky.length] : randomString(r);
      if (Object.keys(content).some((k) => /^(?:0|[1-9][0-9]*)$/.test(k))) continue;
      let hash: string;
      try {
        hash = auditRowHash(content, GENESIS_HASH);
      } catch {
        continue; // a lone surrogate: refused on every path
      }
      const stored = sortKeys({ ...content, prev_hash: GENESIS_HASH, hash });
      expect(storedRowHash(stored)).toBe(hash);
      // And a stored row that was changed does not hash to its old value on this path either.
      const changed = { ...stored, prev_hash: '1'.repeat(64) };
      expect(storedRowHash(changed)).not.toBe(hash);
    }
    // Values that must not take the fast path still decide exactly as the general path does.
    const base = sortKeys({ a: 1, hash: 'f'.repeat(64), prev_hash: GENESIS_HASH });
    expect(() => storedRowHash({ ...base, a: { nested: 1 } })).not.toThrow();
    expect(storedRowHash({ ...base, a: { nested: 1 } })).toBe(sha256Hex(canonicalJson({ a: { nested: 1 }, prev_hash: GENESIS_HASH })));
    expect(() => storedRowHash({ ...base, a: 'x\ud800' })).toThrow(CryptoError);
    expect(() => storedRowHash({ ...base, a: undefined })).toThrow(CryptoError);
  });
});
