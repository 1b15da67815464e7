import { canonicalJson } from './canonical-json';
import { CryptoError } from './errors';
import { sha256Hex } from './hash';

export { canonicalJson } from './canonical-json';

/** `prev_hash` of the first row of a chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

const HASH_HEX = /^[0-9a-f]{64}$/;

/** Whether `value` has the form of a chain hash (64 lowercase hex characters). */
export function isChainHash(value: unknown): value is string {
  return typeof value === 'string' && HASH_HEX.test(value);
}

/**
 * One audit row as the verifier sees it: every stored column, including `id`, `seq` (the
 * row's 1-based position in the chain, consecutive), `prev_hash` (hash of the row before,
 * or {@link GENESIS_HASH}) and `hash` (this row's {@link auditRowHash}).
 */
export type AuditChainRow = Record<string, unknown> & {
  id: string;
  seq: number;
  prev_hash: string;
  hash: string;
};

/**
 * The hash an audit row stores: `sha256Hex(canonicalJson({ ...row, prev_hash }))`.
 *
 * `row` is every column that is to be protected — including `id` and `seq`, so renumbering
 * is detected — but not `hash` or `prev_hash`. Values must be exactly what the database
 * gives back when the row is read (see {@link canonicalJson} for what is refused), or
 * verification later reports the row as altered.
 *
 * @throws CryptoError `bad_input` if `row` already has a `hash` or `prev_hash` key, if
 *   `prevHash` is not 64 lowercase hex, or if a value is not canonical JSON.
 */
export function auditRowHash(row: Record<string, unknown>, prevHash: string): string {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new CryptoError('bad_input', 'audit row must be an object');
  }
  if (Object.hasOwn(row, 'hash') || Object.hasOwn(row, 'prev_hash')) {
    throw new CryptoError('bad_input', 'audit row must not contain hash or prev_hash when hashing');
  }
  if (!isChainHash(prevHash)) {
    throw new CryptoError('bad_input', 'prevHash must be 64 lowercase hex characters');
  }
  const withPrev = { ...row, prev_hash: prevHash };
  return sha256Hex(flatCanonicalJson(withPrev) ?? canonicalJson(withPrev));
}

/**
 * The hash a stored audit row should carry: {@link auditRowHash} of the row without its
 * `hash` key, i.e. `sha256Hex(canonicalJson(row minus "hash"))` — `prev_hash` is one of the
 * hashed keys. Used by the verifier on rows exactly as read from a database or an export,
 * without copying them.
 *
 * @throws CryptoError `bad_input` if a value is not canonical JSON.
 */
export function storedRowHash(row: Record<string, unknown>): string {
  const sorted = sortedRowContent(row);
  if (sorted !== undefined) return sha256Hex(sorted);
  const flat = flatCanonicalJson(row, 'hash');
  if (flat !== undefined) return sha256Hex(flat);
  const { hash: _hash, ...content } = row;
  return sha256Hex(canonicalJson(content));
}

// Audit rows are flat (strings, numbers, booleans, null; `details` is stored as canonical
// JSON *text*), and every row of a chain has the same keys in the same order. For such rows
// RFC 8785 reduces to: keys sorted by UTF-16 code units, each `"key":value` with the value
// serialised exactly as ECMAScript JSON.stringify does (JCS §3.2.2 defers to it for strings
// and numbers). Caching the sorted key order per key list makes verification several times
// faster than the general canonicalizer; canonical-json.test.ts checks both agree.
let planKeys: string[] = [];
let planSkip: string | null | undefined;
let planValid = false;
let planSorted: string[] = [];
let planPrefix: string[] = [];
let planInOrder = false;

/** Caches the sorted keys (minus `skip`) of `row` and their serialised `"key":` prefixes; false if a key is not well-formed. */
function planFor(row: Record<string, unknown>, skip: string | null): boolean {
  const keys = Object.keys(row);
  let same = skip === planSkip && keys.length === planKeys.length;
  if (same) {
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== planKeys[i]) { same = false; break; }
    }
  }
  if (!same) {
    planKeys = keys;
    planSkip = skip;
    planValid = !keys.some((k) => !k.isWellFormed());
    planSorted = planValid ? keys.filter((k) => k !== skip).sort() : [];
    planPrefix = planSorted.map((k, i) => `${i === 0 ? '{' : ','}${JSON.stringify(k)}:`);
    // Every key (the skipped one included) already in canonical order, the skipped one not first,
    // no integer-like key (JavaScript would enumerate those first, whatever the insertion order).
    const all = planValid ? [...keys].sort() : [];
    planInOrder = planValid && keys.length > 1 && skip !== null && keys[0] !== skip && keys.includes(skip)
      && all.every((k, i) => k === keys[i]) && !keys.some((k) => /^(?:0|[1-9][0-9]*)$/.test(k));
  }
  return planValid;
}

/**
 * Fast path of {@link storedRowHash} for a flat row whose keys are already in canonical order
 * (the database verifier selects the columns that way): RFC 8785 of such a row *is*
 * `JSON.stringify(row)` — same key order, same string escapes, same number forms — once every
 * value is known to be a well-formed string, a finite number, a boolean or null. The `"hash"`
 * member is then cut out of that text: a raw `,"hash":"` cannot occur inside a JSON string
 * (its quotes would be escaped), so its first occurrence is the member. Undefined for any other
 * row (the general paths decide, with the same result).
 */
function sortedRowContent(row: Record<string, unknown>): string | undefined {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const proto = Object.getPrototypeOf(row);
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (!planFor(row, 'hash') || !planInOrder) return undefined;
  const hash = row.hash;
  if (!isChainHash(hash)) return undefined;
  const values = Object.values(row);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (typeof v) {
      case 'string':
        if (!v.isWellFormed()) return undefined;
        break;
      case 'number':
        if (!Number.isFinite(v)) return undefined;
        break;
      case 'boolean':
        break;
      case 'object':
        if (v !== null) return undefined;
        break;
      default:
        return undefined;
    }
  }
  const text = JSON.stringify(row);
  const member = `,"hash":"${hash}"`;
  const at = text.indexOf(member);
  if (at < 0) return undefined;
  return text.slice(0, at) + text.slice(at + member.length);
}

/** Characters JSON.stringify escapes in a string (a string without them serialises as `"` + s + `"`). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/**
 * {@link canonicalJson} of a flat plain object without the key `skip` (symbol keys are not
 * looked at; rows parsed from JSON or read from a database have none), or undefined when the
 * object is not flat (a nested value, a non-finite number, a lone surrogate, …): the caller
 * then uses the general canonicalizer, which also produces the precise error.
 */
export function flatCanonicalJson(row: Record<string, unknown>, skip: string | null = null): string | undefined {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const proto = Object.getPrototypeOf(row);
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (!planFor(row, skip)) return undefined;
  const keys = planSorted;
  const prefixes = planPrefix;
  const n = keys.length;
  if (n === 0) return '{}';
  let out = '';
  for (let i = 0; i < n; i++) {
    const v = row[keys[i]!];
    let enc: string;
    switch (typeof v) {
      case 'string':
        if (!v.isWellFormed()) return undefined;
        enc = NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
        break;
      case 'number':
        if (!Number.isFinite(v)) return undefined;
        enc = String(v);
        break;
      case 'boolean':
        enc = v ? 'true' : 'false';
        break;
      case 'object':
        if (v !== null) return undefined;
        enc = 'null';
        break;
      default:
        return undefined;
    }
    out += prefixes[i]! + enc;
  }
  return out + '}';
}

/** The chain fields of a stored row read straight from its canonical JSON line. */
export interface ScannedRow {
  id: string;
  seq: number;
  prev_hash: string;
  hash: string;
}

const CONTROL_CHAR = /[\u0000-\u001f]/;
const HEX_LOWER = /^[0-9a-f]{2}$/;

/**
 * Fast path for export lines (package-internal). When `line` is, byte for byte,
 * {@link canonicalJson} of a flat object — checked here character by character, not assumed:
 * `{`, members `"key":value` with keys strictly ascending in UTF-16 order (so sorted and
 * unique) and free of escapes, values that are `null`, `true`, `false`, numbers exactly in
 * their ECMAScript `Number.toString` form, or strings using exactly the escapes
 * `JSON.stringify` produces, no whitespace, `}` — with a string `id`, `prev_hash` and `hash`
 * (no escapes) and a number `seq`, it returns those four values and
 * `computed` = {@link storedRowHash} of that object. For such a line the canonical JSON of the
 * row without `hash` is the line with the `"hash":…` member cut out, so nothing is
 * re-serialised and no object is built.
 *
 * Any other line (nested values, other escapes, non-canonical numbers or order, missing
 * fields, lone surrogates, …) gives undefined: the caller then parses it and uses the general
 * path, which decides exactly as before.
 */
export function scanCanonicalRow(line: string): { row: ScannedRow; computed: string } | undefined {
  const n = line.length;
  if (n < 3 || line.charCodeAt(0) !== 0x7b || line.charCodeAt(n - 1) !== 0x7d) return undefined;
  if (CONTROL_CHAR.test(line) || !line.isWellFormed()) return undefined;
  let id: string | undefined;
  let seq: number | undefined;
  let prevHash: string | undefined;
  let hash: string | undefined;
  let hashFrom = -1;
  let hashTo = -1;
  let prevKey: string | undefined;
  let bs = line.indexOf('\\'); // next backslash at or after the scan position (-1: none left)
  let pos = 1;
  for (;;) {
    // Key: a string without escapes, greater than the previous key.
    if (line.charCodeAt(pos) !== 0x22) return undefined;
    const keyEnd = line.indexOf('"', pos + 1);
    if (keyEnd < 0 || (bs >= 0 && bs < keyEnd)) return undefined;
    const key = line.slice(pos + 1, keyEnd);
    if (prevKey !== undefined && !(prevKey < key)) return undefined;
    prevKey = key;
    if (line.charCodeAt(keyEnd + 1) !== 0x3a) return undefined;
    const start = keyEnd + 2;
    const c = line.charCodeAt(start);
    let end: number; // index just after the value
    let escaped = false;
    if (c === 0x22) {
      let p = start + 1;
      for (;;) {
        const q = line.indexOf('"', p);
        if (q < 0) return undefined;
        if (bs >= 0 && bs < p) bs = line.indexOf('\\', p);
        if (bs < 0 || bs > q) { end = q + 1; break; }
        // An escape before the closing quote: only the forms JSON.stringify writes.
        escaped = true;
        const e = line.charCodeAt(bs + 1);
        if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          p = bs + 2;
        } else if (e === 0x75 && line.charCodeAt(bs + 2) === 0x30 && line.charCodeAt(bs + 3) === 0x30) {
          const hex = line.slice(bs + 4, bs + 6);
          if (!HEX_LOWER.test(hex)) return undefined;
          const code = parseInt(hex, 16);
          if (code >= 0x20 || code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return undefined;
          p = bs + 6;
        } else {
          return undefined;
        }
        bs = line.indexOf('\\', p);
      }
    } else if (c === 0x6e && line.startsWith('null', start)) {
      end = start + 4;
    } else if (c === 0x74 && line.startsWith('true', start)) {
      end = start + 4;
    } else if (c === 0x66 && line.startsWith('false', start)) {
      end = start + 5;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      end = start + 1;
      for (;;) {
        const d = line.charCodeAt(end);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x2b || d === 0x2d) end++;
        else break;
      }
      const token = line.slice(start, end);
      const num = Number(token);
      if (String(num) !== token) return undefined;
      if (key === 'seq') seq = num;
    } else {
      return undefined;
    }
    if (c === 0x22 && (key === 'id' || key === 'hash' || key === 'prev_hash')) {
      if (escaped) return undefined;
      const value = line.slice(start + 1, end - 1);
      if (key === 'id') id = value;
      else if (key === 'prev_hash') prevHash = value;
      else { hash = value; hashFrom = pos; hashTo = end; }
    }
    const sep = line.charCodeAt(end);
    if (sep === 0x2c) { pos = end + 1; continue; }
    if (sep === 0x7d && end === n - 1) break;
    return undefined;
  }
  if (id === undefined || seq === undefined || prevHash === undefined || hash === undefined) return undefined;
  // Cut the hash member and one of its separating commas out of the line.
  let content: string;
  if (line.charCodeAt(hashFrom - 1) === 0x2c) content = line.slice(0, hashFrom - 1) + line.slice(hashTo);
  else if (line.charCodeAt(hashTo) === 0x2c) content = line.slice(0, hashFrom) + line.slice(hashTo + 1);
  else content = line.slice(0, hashFrom) + line.slice(hashTo);
  return { row: { id, seq, prev_hash: prevHash, hash }, computed: sha256Hex(content) };
}
