/**
 * One contiguous piece of an audit export, verified on its own (AUD-2, issue 5: verifier
 * throughput). The parallel file verifier (audit-export-file.ts) cuts an export at line
 * boundaries and verifies the pieces on several threads; each piece is checked with exactly the
 * rules of the sequential verifier, taking its own first row's `prev_hash` and `seq` as its
 * start. What a piece cannot check — that its first row follows the previous piece's last row,
 * the signed checkpoints and the manifest's end — the caller checks when it joins the summaries
 * in order ({@link ChainVerifier} `[JOIN_SEGMENT]`).
 *
 * A summary is only ever a shortcut for a clean piece. Any doubt (a bad row, a garbled line, a
 * row the chain verifier holds back for a look-ahead decision) makes it `ok: false`, and the
 * caller then verifies the whole file sequentially, which names the first bad row exactly as
 * before. So the parallel path can only ever say "valid" where the sequential one would.
 *
 * Package-internal: not exported from the package index.
 */
import { isAscii } from 'node:buffer';
import { isChainHash, scanCanonicalRow } from './audit-chain';
import { ChainVerifier, PUSH_HASHED, type VerifiedRun } from './chain-verifier';

/**
 * What a verified piece tells the joiner: the run of rows it verified (first seq and prev_hash —
 * where it claims to continue from — and its last row), plus what only the joiner can check.
 */
export interface SegmentSummary extends VerifiedRun {
  /** False when the piece is not a clean chain on its own (the caller falls back). */
  ok: boolean;
  /** Lines in the piece (blank ones included), to keep line numbers for later pieces. */
  lines: number;
  /** For each requested seq that lies in the piece: that row's id and hash (signed checkpoints). */
  at: Record<number, { id: string; hash: string }>;
}

/**
 * Decodes export bytes (UTF-8; callers cut them at `\n`, which never occurs inside a sequence).
 * Exports are almost always pure ASCII (ids, hex, numbers, JSON text of details), and for ASCII a
 * one-byte decode gives the very same string: Node hands a large one-byte buffer to V8 without
 * copying it, where UTF-8 decoding runs at a few hundred MB/s and was a quarter of the
 * verifier's time. Anything with a non-ASCII byte is decoded as UTF-8.
 */
export function decodeExportBytes(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);
  return isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8');
}

/**
 * Calls `onLine` for each line of `text` with the sequential verifier's line rules: lines end at
 * `\n`; a `\r` also ends a line (old Mac files) and a `\r\n` pair ends one line. When `final` is
 * false, text after the last `\n` is returned (an incomplete line); when true it is a line too.
 * Stops early when `onLine` returns false (`going` false).
 */
export function forEachLine(text: string, final: boolean, onLine: (line: string) => boolean): { rest: string; going: boolean } {
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    if (!lineParts(text.slice(pos, nl), false, onLine)) return { rest: '', going: false };
    pos = nl + 1;
  }
  const rest = pos === 0 ? text : text.slice(pos);
  if (!final) return { rest, going: true };
  return { rest: '', going: rest === '' || lineParts(rest, true, onLine) };
}

function lineParts(text: string, final: boolean, onLine: (line: string) => boolean): boolean {
  if (text.indexOf('\r') < 0) return onLine(text);
  const body = text.charCodeAt(text.length - 1) === 0x0d && !final ? text.slice(0, -1) : text;
  const parts = body.split('\r');
  // A final `\r` at the end of the file ends the last line; it does not start an empty one.
  if (final && parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  for (const part of parts) if (!onLine(part)) return false;
  return true;
}

/** The summary of a piece that is not a clean chain on its own. */
export const NOT_CLEAN: Readonly<SegmentSummary> = { ok: false, rows: 0, firstSeq: 0, firstPrevHash: '', lastSeq: 0, lastId: '', headHash: '', lastPrevHash: '', lines: 0, at: {} };

/**
 * Verifies the rows of one piece of an export (whole lines; `final` when it is the end of the
 * file). `want` lists seqs whose row id and hash the caller needs (checkpoint counts).
 */
export function verifySegment(text: string, final: boolean, want: ReadonlySet<number>): SegmentSummary {
  let chain: ChainVerifier | undefined;
  let lines = 0;
  let firstSeq = 0;
  let firstPrevHash = '';
  let last: { id: string; seq: number; hash: string; prev_hash: string } | undefined;
  const at: SegmentSummary['at'] = {};
  let clean = true;

  const onLine = (raw: string): boolean => {
    lines++;
    const line = raw.trim();
    if (line === '') return true;
    let row: { id: string; seq: number; hash: string; prev_hash: string };
    let computed: string | undefined;
    const scanned = scanCanonicalRow(line);
    if (scanned) {
      row = scanned.row;
      computed = scanned.computed;
    } else {
      try {
        row = JSON.parse(line);
      } catch {
        return (clean = false);
      }
    }
    if (!chain) {
      // The piece starts where its first row says it does; the joiner checks that claim.
      const seq = (row as { seq?: unknown } | null)?.seq;
      const prev = (row as { prev_hash?: unknown } | null)?.prev_hash;
      if (!Number.isSafeInteger(seq) || (seq as number) < 1 || !isChainHash(prev)) return (clean = false);
      chain = new ChainVerifier({ startPrevHash: prev, startSeq: seq as number, lookahead: 0 });
      firstSeq = seq as number;
      firstPrevHash = prev;
    }
    const before = chain.count;
    const going = computed === undefined ? chain.push(row) : chain[PUSH_HASHED](row, computed);
    if (!going || chain.count === before) return (clean = false);
    last = row;
    if (want.has(row.seq)) at[row.seq] = { id: row.id, hash: row.hash };
    return true;
  };

  forEachLine(text, final, onLine);
  if (!clean || (chain && !chain.result().ok)) return NOT_CLEAN;
  if (!chain || !last) return { ...NOT_CLEAN, ok: true, lines };
  return {
    ok: true, rows: chain.count, firstSeq, firstPrevHash, lastSeq: last.seq, lastId: last.id, headHash: last.hash,
    lastPrevHash: last.prev_hash, lines, at,
  };
}
