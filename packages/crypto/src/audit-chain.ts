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
let plan: Array<[key: string, prefix: string]> | null = null;

/** Sorted keys (minus `skip`) with their serialised `"key":` prefixes; null if a key is not well-formed. */
function planFor(row: Record<string, unknown>, skip: string | null): Array<[string, string]> | null {
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
    plan = keys.some((k) => !k.isWellFormed())
      ? null
      : keys.filter((k) => k !== skip).sort().map((k, i) => [k, `${i === 0 ? '{' : ','}${JSON.stringify(k)}:`]);
  }
  return plan;
}

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
  const p = planFor(row, skip);
  if (p === null) return undefined;
  if (p.length === 0) return '{}';
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const [key, prefix] = p[i]!;
    const v = row[key];
    let enc: string;
    switch (typeof v) {
      case 'string':
        if (!v.isWellFormed()) return undefined;
        enc = JSON.stringify(v);
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
    out += prefix + enc;
  }
  return out + '}';
}
