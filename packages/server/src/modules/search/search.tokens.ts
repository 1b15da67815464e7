/**
 * Tokenisation for the search index (MSG-3), the same for documents and queries:
 * text is NFKC-normalised and lower-cased; runs of Chinese, Japanese kana and Korean hangul
 * give character unigrams and bigrams (no dictionary needed, any CJK substring of two or more
 * characters is found); other letters and digits give whole words.
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** Longer "words" (hashes, base64 blobs) are not indexed: nobody types them into a search box. */
const MAX_WORD = 64;

/** Text normalised for matching, with each UTF-16 unit's origin in the original text. */
export interface Normalised { text: string; start: number[]; end: number[] }

/** Normalises per code point (NFKC + lower case), keeping a map back to the original positions. */
export function normalise(text: string): Normalised {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of text) {
    const n = ch.normalize('NFKC').toLowerCase();
    out += n;
    for (let k = 0; k < n.length; k++) { start.push(i); end.push(i + ch.length); }
    i += ch.length;
  }
  return { text: out, start, end };
}

/** Splits normalised text into search terms: Latin-like words and CJK runs. */
export function terms(norm: string): Array<{ kind: 'word' | 'cjk'; value: string }> {
  const out: Array<{ kind: 'word' | 'cjk'; value: string }> = [];
  for (const m of norm.matchAll(WORD)) {
    let run = '';
    let runCjk = false;
    const flush = () => {
      if (run) out.push({ kind: runCjk ? 'cjk' : 'word', value: run });
      run = '';
    };
    for (const ch of m[0]) {
      const isCjk = CJK.test(ch);
      if (run && isCjk !== runCjk) flush();
      runCjk = isCjk;
      run += ch;
    }
    flush();
  }
  return out;
}

/** Index tokens of a document (deduplicated). */
export function documentTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const t of terms(normalise(text).text)) {
    if (t.kind === 'word') {
      if (t.value.length <= MAX_WORD) tokens.add(`w:${t.value}`);
      continue;
    }
    const chars = [...t.value];
    for (let i = 0; i < chars.length; i++) {
      tokens.add(`c:${chars[i]}`);
      if (i + 1 < chars.length) tokens.add(`b:${chars[i]}${chars[i + 1]}`);
    }
  }
  return tokens;
}

export interface ParsedQuery {
  /** Every one must be in a matching document's index. */
  tokens: string[];
  /** Normalised strings a matching document's text must contain (checked after decryption). */
  phrases: string[];
  hasFile: boolean;
}

/** At most this many terms are used from one query (a 10,000-character query is cut, not an error). */
const MAX_QUERY_TERMS = 16;

/** Parses a query: `has:file` is a filter; the rest is tokenised like documents. */
export function parseQuery(q: string): ParsedQuery {
  let hasFile = false;
  const rest = q.replace(/(^|\s)has:file(?=\s|$)/giu, () => { hasFile = true; return ' '; });
  const tokens = new Set<string>();
  const phrases: string[] = [];
  for (const t of terms(normalise(rest).text).slice(0, MAX_QUERY_TERMS)) {
    if (t.kind === 'word') {
      if (t.value.length > MAX_WORD) continue;
      tokens.add(`w:${t.value}`);
    } else {
      const chars = [...t.value];
      if (chars.length === 1) tokens.add(`c:${chars[0]}`);
      for (let i = 0; i + 1 < chars.length; i++) tokens.add(`b:${chars[i]}${chars[i + 1]}`);
    }
    phrases.push(t.value);
  }
  return { tokens: [...tokens], phrases, hasFile };
}

/**
 * Where the phrases occur in `text` (original UTF-16 positions), or null when one is missing.
 * Words must match whole (as the index does); CJK phrases match as substrings.
 */
export function findPhrases(text: string, phrases: string[]): Array<{ start: number; end: number }> | null {
  const n = normalise(text);
  const ranges: Array<{ start: number; end: number }> = [];
  for (const p of phrases) {
    let found = false;
    for (let at = n.text.indexOf(p); at >= 0; at = n.text.indexOf(p, at + 1)) {
      const before = at > 0 ? n.text[at - 1]! : '';
      const after = n.text[at + p.length] ?? '';
      const wordy = (c: string) => !!c && /[\p{L}\p{N}\p{M}]/u.test(c) && !CJK.test(c);
      if (!CJK.test(p[0]!) && (wordy(before) || wordy(after))) continue;
      found = true;
      ranges.push({ start: n.start[at]!, end: n.end[at + p.length - 1]! });
      if (ranges.length > 50) break;
    }
    if (!found) return null;
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

/** A window of `text` around the first range, with the ranges moved into it. */
export function snippet(text: string, ranges: Array<{ start: number; end: number }>, width = 160): { snippet: string; highlights: Array<{ start: number; end: number }> } {
  if (text.length <= width) return { snippet: text, highlights: ranges };
  const first = ranges[0] ?? { start: 0, end: 0 };
  let from = Math.max(0, first.start - Math.floor(width / 3));
  // Never cut a surrogate pair in half.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from]!)) from--;
  let to = Math.min(text.length, from + width);
  if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1]!)) to--;
  const pre = from > 0 ? '…' : '';
  const post = to < text.length ? '…' : '';
  const highlights = ranges.filter((r) => r.start >= from && r.end <= to).map((r) => ({ start: r.start - from + pre.length, end: r.end - from + pre.length }));
  return { snippet: pre + text.slice(from, to) + post, highlights };
}
