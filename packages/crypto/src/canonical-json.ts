import canonicalize from 'canonicalize';
import { CryptoError } from './errors';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: object keys sorted by UTF-16 code
 * units, no whitespace, ECMAScript number formatting (`1e+21`, `-0` → `0`), minimal string
 * escapes. Equal data → identical string, which is what makes hashes reproducible by an
 * independent tool.
 *
 * Stricter than `JSON.stringify`, because anything that would not survive a round trip
 * through storage would later show up as a false "altered" audit row:
 * - rejects `undefined` (anywhere, including object properties), functions, symbols,
 *   BigInt, NaN/±Infinity, circular references;
 * - rejects objects that are not plain objects or arrays (Date, Map, Buffer, class
 *   instances): convert them explicitly (e.g. times as integer milliseconds);
 * - rejects strings and keys with lone surrogates (RFC 8785 requires I-JSON, and UTF-8
 *   databases would silently replace them).
 *
 * @throws CryptoError `bad_input` naming the JSON path of the offending value (never the
 *   value itself).
 */
export function canonicalJson(value: unknown): string {
  try {
    assertJson(value, '$', new Set());
    const out = canonicalize(value);
    if (typeof out !== 'string') throw new CryptoError('bad_input', 'value is not JSON');
    return out;
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    // e.g. RangeError from absurdly deep nesting.
    throw new CryptoError('bad_input', 'value cannot be canonicalized as JSON', { cause: err });
  }
}

function notJson(path: string, why: string): CryptoError {
  return new CryptoError('bad_input', `not canonical JSON at ${path}: ${why}`);
}

function assertJson(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'boolean':
      return;
    case 'string':
      if (!value.isWellFormed()) throw notJson(path, 'string contains a lone surrogate');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `${value} is not a JSON number`);
      return;
    case 'object':
      if (value === null) return;
      if (ancestors.has(value)) throw notJson(path, 'circular reference');
      ancestors.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertJson(value[i], `${path}[${i}]`, ancestors);
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw notJson(path, `${proto?.constructor?.name ?? 'object'} is not a plain object`);
        }
        if (Object.getOwnPropertySymbols(value).length > 0) throw notJson(path, 'symbol keys');
        for (const [k, v] of Object.entries(value)) {
          const sub = `${path}[${JSON.stringify(k)}]`;
          if (!k.isWellFormed()) throw notJson(sub, 'key contains a lone surrogate');
          assertJson(v, sub, ancestors);
        }
      }
      ancestors.delete(value);
      return;
    default:
      throw notJson(path, `${typeof value} is not a JSON value`);
  }
}
