import { describe, expect, it } from 'vitest';
import { hashToken, randomToken, sha256Hex, timingSafeEqualHex } from './index';

describe('hash', () => {
  it('sha256Hex matches known vectors for strings and bytes', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256Hex('abc'));
    expect(sha256Hex('é')).toBe(sha256Hex(Buffer.from('é', 'utf8')));
  });

  it('randomToken is base64url of the requested size and unique', () => {
    const t = randomToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t, 'base64url').length).toBe(32);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 100 }, () => randomToken())).size).toBe(100);
  });

  it('randomToken refuses weak or silly sizes', () => {
    for (const n of [0, 8, 15, 1.5, 2000, Number.NaN]) expect(() => randomToken(n)).toThrow(RangeError);
  });

  it('hashToken is sha256 hex of the token and verifies with timingSafeEqualHex', () => {
    const token = randomToken();
    const stored = hashToken(token);
    expect(stored).toBe(sha256Hex(token));
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(timingSafeEqualHex(stored, hashToken(token))).toBe(true);
    expect(timingSafeEqualHex(stored, hashToken(randomToken()))).toBe(false);
  });

  it('timingSafeEqualHex returns false, never throws, on odd input', () => {
    expect(timingSafeEqualHex('abcd', 'ABCD')).toBe(true);
    expect(timingSafeEqualHex('abcd', 'abce')).toBe(false);
    expect(timingSafeEqualHex('abcd', 'abcdef')).toBe(false);
    expect(timingSafeEqualHex('', '')).toBe(false);
    expect(timingSafeEqualHex('abc', 'abc')).toBe(false);
    expect(timingSafeEqualHex('zz', 'zz')).toBe(false);
    expect(timingSafeEqualHex(undefined as unknown as string, 'ab')).toBe(false);
  });
});
