import { describe, expect, it } from 'vitest';
import { canonicalJson, CryptoError } from './index';

describe('canonicalJson (RFC 8785)', () => {
  it('matches the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
      '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
      '"literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const out = canonicalJson(input);
    const keys = Object.keys(JSON.parse(out) as object);
    // JSON.parse keeps insertion order for string keys except integer-like ones, so check the text.
    expect(out).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(keys).toHaveLength(7);
  });

  it('formats numbers the ECMAScript way (RFC 8785 appendix B)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'], [-0, '0'], [1, '1'], [-1.5, '-1.5'], [1e21, '1e+21'], [1e20, '100000000000000000000'],
      [1e-7, '1e-7'], [0.000001, '0.000001'], [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [9007199254740993, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'], [0.1 + 0.2, '0.30000000000000004'],
    ];
    for (const [n, s] of cases) expect(canonicalJson(n)).toBe(s);
    expect(canonicalJson({ a: -0, b: [1e21] })).toBe('{"a":0,"b":[1e+21]}');
  });

  it('escapes strings minimally', () => {
    expect(canonicalJson('\u0000\u0008\t\n\f\r\u001f"\\/\u007f\u2028é😀')).toBe(
      '"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028é😀"',
    );
  });

  it('sorts nested objects and keeps array order; no whitespace', () => {
    expect(canonicalJson({ b: { z: 1, a: [3, { y: null, x: true }] }, a: 'x' })).toBe(
      '{"a":"x","b":{"a":[3,{"x":true,"y":null}],"z":1}}',
    );
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it('throws bad_input on values that are not JSON', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad: unknown[] = [
      undefined, Number.NaN, Infinity, -Infinity, () => 1, 10n, Symbol('s'),
      { a: undefined }, { a: Number.NaN }, [1, undefined], [() => 1], { nested: { big: 1n } },
      new Date(0), new Map(), Buffer.from('x'), circular, 'lone \ud800', { '\udc00': 1 },
      { [Symbol('k')]: 1 }, [, 1],
    ];
    for (const v of bad) {
      let caught: unknown;
      try {
        canonicalJson(v);
      } catch (err) {
        caught = err;
      }
      expect(caught, String(typeof v)).toBeInstanceOf(CryptoError);
      expect((caught as CryptoError).code).toBe('bad_input');
    }
  });

  it('names the JSON path of the offending value', () => {
    expect(() => canonicalJson({ details: { list: [1, Number.NaN] } })).toThrow('$["details"]["list"][1]');
  });

  it('allows a shared (non-circular) object twice', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });
});
