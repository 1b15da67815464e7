/**
 * Value generation for the fuzz test: schema-shaped values (from the protocol's zod schemas,
 * via their JSON Schema), a corpus of hostile values, mutations, and a JSON writer that can
 * embed raw text (deep nesting, `1e999`, duplicate keys) that JSON.stringify cannot produce.
 *
 * No generated string contains `node_modules`, `.ts:<n>` or `at x:1:2`-like text, so the
 * stack-leak check on responses cannot be tripped by the server merely echoing our input.
 */
import type { Rng } from './prng';

/** Raw JSON text spliced into a body as-is. */
export class Raw {
  constructor(readonly text: string) {}
}

/** What the fuzzer knows about the server's real objects, to reach past "not found". */
export interface Pools {
  ids: string[];
  roles: string[];
  levels: string[];
  emails: string[];
  emojis: string[];
}

/** A JSON Schema node as produced by `z.toJSONSchema` (only the keywords we use). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

const ULID_RE = '^[0-9A-HJKMNP-TV-Z]{26}$';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export const NASTY_STRINGS: readonly string[] = [
  '', ' ', 'a', 'null', 'undefined', 'true', 'false', '0', '-1', '1e308', 'NaN', 'Infinity', '-Infinity', '0x1F', '١٢٣',
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', '\u202e\u0635\u0648\u0631\u0629 RTL', '\u200f\u200e\u200b', '\ufeff',
  '\uffff', '\ufffe', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🎉', 'Z̸̡̢̛͓͚a̶̙l̷̰g̵̣o̸̘', '𝕳𝖊𝖑𝖑𝖔', 'İ', 'ß', 'ﬀ', '\r\n', '\t\v\f', '\\', '"', "'",
  "' OR 1=1 --", '"; DROP TABLE users; --', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '%s%s%s%n', '%00', '%ff',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString',
  'a@b', '@', 'a@', 'user@[127.0.0.1]', '"quoted"@example.com', 'İ@example.com', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
  '00000000000000000000000000', '01arz3ndektsv4rrffq69g5fav', '01ARZ3NDEKTSV4RRFFQ69G5FA', '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
];

export const NASTY_NUMBERS: readonly number[] = [
  0, -0, -1, 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 0.5, 1.5, -0.0001, 1e21, 123456789,
];

/** Number literals that only raw JSON can carry (or that are not JSON at all). */
export const RAW_NUMBERS: readonly string[] = ['1e999', '-1e999', '123456789012345678901234567890', '-0', '1E-400', 'NaN', 'Infinity', '0x10', '+1', '.5', '01'];

function bigString(rng: Rng): string {
  const n = rng.pick([1_000, 10_000, 70_000, 300_000]);
  const unit = rng.pick(['A', 'é', '😀', 'ab\u202e', 'x\u0000']);
  return unit.repeat(Math.ceil(n / unit.length));
}

export function randomUlid(rng: Rng): string {
  // A valid-looking time prefix most of the time; sometimes one that overflows the ULID range.
  const head = rng.chance(0.85) ? rng.pick(['0', '1', '7']) : rng.pick(['8', 'Z']);
  return head + rng.str(25, CROCKFORD);
}

export function deepText(rng: Rng): string {
  const d = rng.pick([64, 1_000, 20_000]);
  return rng.chance(0.5) ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + 'null' + '}'.repeat(d);
}

/** A hostile value of any JSON type. */
export function nastyValue(rng: Rng, depth = 0): unknown {
  const kind = rng.weighted<string>([[6, 'str'], [3, 'num'], [1, 'rawnum'], [2, 'null'], [1, 'bool'], [1, 'big'], [1, 'deep'], [2, 'arr'], [2, 'obj'], [1, 'proto']]);
  switch (kind) {
    case 'str': return rng.pick(NASTY_STRINGS);
    case 'num': return rng.pick(NASTY_NUMBERS);
    case 'rawnum': return new Raw(rng.pick(RAW_NUMBERS.filter((n) => !['NaN', 'Infinity', '0x10', '+1', '.5', '01'].includes(n) || rng.chance(0.3))));
    case 'null': return null;
    case 'bool': return rng.chance(0.5);
    case 'big': return bigString(rng);
    case 'deep': return new Raw(deepText(rng));
    case 'arr': return depth > 2 ? [] : Array.from({ length: rng.int(0, 4) }, () => nastyValue(rng, depth + 1));
    case 'obj': return depth > 2 ? {} : Object.fromEntries(Array.from({ length: rng.int(0, 3) }, () => [rng.pick(NASTY_STRINGS), nastyValue(rng, depth + 1)]));
    default: return new Raw(rng.pick(['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"a":1,"a":2}', '[]', '{}']));
  }
}

function patternString(rng: Rng, pattern: string, pools: Pools, key: string | undefined): string {
  if (pattern === ULID_RE) return rng.chance(0.6) && pools.ids.length ? rng.pick(pools.ids) : randomUlid(rng);
  if (pattern === '^\\d{6}$') return rng.str(6, '0123456789');
  if (pattern.startsWith('^[\\w.:-]+$')) return `fz-${rng.str(rng.int(1, 20), ALNUM + '_.:-')}`;
  if (pattern.startsWith('^[a-z][a-z0-9_]')) {
    const pool = key && /level|clearance/i.test(key) ? pools.levels : key && /role/i.test(key) ? pools.roles : [...pools.levels, ...pools.roles];
    return rng.chance(0.8) ? rng.pick(pool) : 'r' + rng.str(rng.int(1, 12), 'abcdefghijklmnopqrstuvwxyz0123456789_');
  }
  if (pattern.includes('[0-9a-zA-Z+/]')) return rng.bytes(rng.int(0, 48)).toString('base64');
  return rng.str(rng.int(1, 12), ALNUM);
}

function plainString(rng: Rng, s: JsonSchema, pools: Pools, key: string | undefined): string {
  if (key === 'email') return rng.chance(0.7) ? rng.pick(pools.emails) : `fuzz-${rng.str(8, 'abcdefghijklmnop0123456789')}@example.com`;
  if (key === 'emoji') return rng.pick(pools.emojis);
  if (key && /password/i.test(key)) return rng.chance(0.5) ? `Fuzz-${rng.str(10, ALNUM)}-9!` : rng.str(rng.int(1, 20), ALNUM);
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  const len = rng.int(min, max);
  const alphabet = rng.chance(0.8) ? ALNUM + ' ' : 'aé漢字😀 \u202e\u200b';
  let out = '';
  while ([...out].length < len) out += rng.str(1, alphabet);
  return out || (min > 0 ? 'x' : '');
}

/** A value shaped by the schema (valid most of the time; the server's own rules may still refuse it). */
export function fromSchema(rng: Rng, s: JsonSchema | undefined, pools: Pools, key?: string, depth = 0): unknown {
  if (!s || depth > 6) return nastyValue(rng);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fromSchema(rng, rng.pick(alts), pools, key, depth + 1);
  if (s.enum?.length) return rng.pick(s.enum);
  if (s.const !== undefined) return s.const;
  const type = Array.isArray(s.type) ? rng.pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, ps] of Object.entries(s.properties ?? {})) {
        if ((s.required ?? []).includes(k) || rng.chance(0.45)) out[k] = fromSchema(rng, ps, pools, k, depth + 1);
      }
      if (typeof s.additionalProperties === 'object') {
        for (let i = rng.int(0, 2); i > 0; i--) {
          const name = s.propertyNames ? String(fromSchema(rng, s.propertyNames, pools, key, depth + 1)) : rng.str(5, ALNUM);
          out[name] = fromSchema(rng, s.additionalProperties, pools, name, depth + 1);
        }
      }
      return out;
    }
    case 'array': {
      const n = rng.int(s.minItems ?? 0, Math.min(s.maxItems ?? 4, (s.minItems ?? 0) + 4));
      return Array.from({ length: n }, () => fromSchema(rng, s.items, pools, key, depth + 1));
    }
    case 'string':
      return s.pattern ? patternString(rng, s.pattern, pools, key) : plainString(rng, s, pools, key);
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? -1000;
      const hi = Math.min(s.maximum ?? lo + 1000, lo + 100_000);
      const v = rng.int(Math.ceil(lo), Math.floor(hi));
      return type === 'number' && rng.chance(0.3) ? v + 0.5 : v;
    }
    case 'boolean': return rng.chance(0.5);
    case 'null': return null;
    default: return nastyValue(rng);
  }
}

type Path = Array<string | number>;

function paths(v: unknown, at: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(at);
  if (depth > 5 || v === null || typeof v !== 'object' || v instanceof Raw) return out;
  if (Array.isArray(v)) v.slice(0, 20).forEach((x, i) => paths(x, [...at, i], out, depth + 1));
  else for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out, depth + 1);
  return out;
}

function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], v);
}

function setAt(root: unknown, p: Path, value: unknown): unknown {
  if (!p.length) return value;
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, unknown>;
  parent[p[p.length - 1]!] = value;
  return root;
}

const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'extra', '', '\u0000', '😀', 'a'.repeat(1000), 'id', 'orgId', 'role', 'isAdmin'];

/** One to three random mutations of a (cloned) value: wrong types, missing/extra fields, hostile values. */
export function mutate(rng: Rng, value: unknown): unknown {
  let root = structuredCloneWithRaw(value);
  for (let n = rng.int(1, 3); n > 0; n--) {
    const all = paths(root);
    const p = rng.pick(all);
    const cur = getAt(root, p);
    const op = rng.weighted<string>([[5, 'nasty'], [3, 'flip'], [2, 'delete'], [2, 'extra'], [1, 'wrap'], [1, 'hugeArray'], [1, 'null']]);
    if (op === 'delete' && p.length) {
      const parent = getAt(root, p.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
      else delete (parent as Record<string, unknown>)[p[p.length - 1] as string];
    } else if (op === 'extra' && cur && typeof cur === 'object' && !Array.isArray(cur) && !(cur instanceof Raw)) {
      Object.defineProperty(cur, rng.pick(EXTRA_KEYS), { value: nastyValue(rng), enumerable: true, configurable: true, writable: true });
    } else if (op === 'flip') {
      root = setAt(root, p, flip(rng, cur));
    } else if (op === 'wrap') {
      root = setAt(root, p, rng.chance(0.5) ? [cur] : { value: cur });
    } else if (op === 'hugeArray') {
      const item = typeof cur === 'string' && cur.length <= 64 ? cur : rng.chance(0.5) ? randomUlid(rng) : rng.pick(NASTY_STRINGS);
      root = setAt(root, p, Array.from({ length: rng.pick([101, 1_001, 5_000]) }, () => item));
    } else if (op === 'null') {
      root = setAt(root, p, null);
    } else {
      root = setAt(root, p, nastyValue(rng));
    }
  }
  return root;
}

function flip(rng: Rng, v: unknown): unknown {
  if (typeof v === 'number') return rng.chance(0.5) ? String(v) : [v];
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : rng.pick([0, true, [v], { v }, v.length]);
  if (typeof v === 'boolean') return rng.pick([String(v), v ? 1 : 0, null]);
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v && typeof v === 'object') return [v];
  return rng.pick(['null', 0, false, '']);
}

function structuredCloneWithRaw(v: unknown): unknown {
  if (v instanceof Raw) return v;
  if (Array.isArray(v)) return v.map(structuredCloneWithRaw);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: structuredCloneWithRaw(x), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/** JSON text of `v`, splicing Raw values verbatim. Own `__proto__` keys are written as keys. */
export function toJsonText(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Bytes that are not valid UTF-8, as whole bodies or spliced into otherwise valid JSON. */
export const BAD_UTF8: readonly number[][] = [
  [0xff, 0xfe, 0xc3], [0xc3], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xfe],
];

/** Text that is not JSON. */
export const NOT_JSON: readonly string[] = [
  'hello', '{', '}', '{"a":', "{'a':1}", '<xml a="1"/>', 'a=1&b=2', '\u0000', '   ', '\n', 'nul', 'tru', '{"a":1}garbage', '[1,2,', '"unterminated',
  '{"a":1,}', '[,]', '/* comment */ {}', '{"a":01}', '{"\\u12"}', '\ufeff\ufeff{}', '{"a":"\\x41"}', 'NaN', 'undefined', '--', '{"a" 1}',
];

export const CONTENT_TYPES: readonly string[] = [
  'application/json; charset=utf-8', 'application/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz',
  'application/octet-stream', 'application/json; charset=latin1', 'application/json;;;', 'application/ld+json', 'application/jsonx', ';', '*/*',
  'application/json, text/plain', 'text/json', 'application/json; charset=utf-16', 'application/json ; boundary=' + 'b'.repeat(2000),
];

export const PARAM_GARBAGE: readonly string[] = [
  '0', '-1', 'null', 'undefined', '..', '.', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2f..%2f..%2fetc%2fpasswd', '%00', '%0a', '%ff%fe', '%c3%28',
  '%', '%zz', '%%%', '%ed%a0%80', '%F0%9F%98%80', encodeURIComponent('../../etc/passwd'), encodeURIComponent('<script>'), encodeURIComponent("' OR 1=1 --"),
  'me', 'admin', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', '01arz3ndektsv4rrffq69g5fav', '01ARZ3NDEKTSV4RRFFQ69G5FA', '01ARZ3NDEKTSV4RRFFQ69G5FAVX', '01ARZ3NDEKTSV4RRFFQ69G5FA%56',
  encodeURIComponent('👩‍👩‍👧‍👦'), encodeURIComponent('\u202eRTL'), encodeURIComponent('a b'), '%20', '+', ';', ',', '~', "'", '__proto__', 'constructor',
];

export const QUERY_GARBAGE: readonly string[] = [
  'a=1', '=', '&&&', '%', '%zz=1', 'since=-1', 'since=1e3', 'since=0x10', 'since=', 'since=NaN', 'since=Infinity', 'since=9007199254740993',
  'limit=999999999999999999999', 'limit=0', 'limit=-5', 'limit=1.5', 'q=a&q=b', '__proto__[x]=1', '__proto__=1', 'constructor[prototype][x]=1', 'token=abc',
  'includeArchived=yes', 'includeDeactivated=1', 'before=ZZZZZZZZZZZZZZZZZZZZZZZZZZ', 'after=%00', 'threadRootId[]=1', 'a[b][c][d]=1', 'q=%ed%a0%80',
  'q=%00', 'q=%ff', 'q=' + 'x'.repeat(3000), 'x=' + encodeURIComponent('👩‍👩‍👧‍👦'), '&', '?', '#frag', 'a=1;b=2',
];
