import { GENESIS_HASH, isChainHash, storedRowHash, type AuditChainRow } from './audit-chain';
import { CryptoError } from './errors';

/** How a chain is broken; see {@link ChainVerifier} for the rules that pick one. */
export type ChainProblem = 'altered' | 'missing' | 'inserted' | 'reordered' | 'broken_link';

/** The first row at which the chain stops being trustworthy. */
export interface ChainFault {
  /** The row's `id` (`''` if the row has no string id). */
  id: string;
  /** The row's `seq` as stored (`0` if it has no numeric seq). */
  seq: number;
  problem: ChainProblem;
  /** One secret-free sentence for humans (names seqs and row ids, never row content). */
  detail: string;
}

/**
 * Result of verifying a chain. `count` is the number of rows that verified before the
 * first bad one (all rows when `ok`). `headHash` is the last row's hash — compare it with
 * a signed checkpoint — or the start hash for an empty chain.
 */
export type ChainVerification =
  | { ok: true; count: number; headHash: string }
  | { ok: false; count: number; firstBad: ChainFault };

/** Options for {@link verifyChain} / {@link ChainVerifier}. */
export interface VerifyChainOptions {
  /**
   * `prev_hash` the first row must carry. Default {@link GENESIS_HASH}. Give a checkpoint's
   * head hash to verify only the rows after it.
   */
  startPrevHash?: string;
  /**
   * `seq` the first row must carry. Default 1 when starting at genesis; when
   * `startPrevHash` is given without it, the first row's seq is taken as is.
   */
  startSeq?: number;
  /**
   * After a seq gap, how many further rows to read (seq only, nothing kept) to tell a
   * deletion ('missing') from a move ('reordered'). Default 1000.
   */
  lookahead?: number;
}

type Outcome = { fault: ChainFault; count: number };
interface Pending extends Outcome {
  remaining: number;
  classify(row: unknown): Outcome | undefined;
}

const field = (row: unknown, key: string): unknown =>
  row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[key] : undefined;

/**
 * `expectedPrev`/`computed` are known-good chain hashes (the current head, the recomputed
 * hash): a value equal to one of them has the right form without running the pattern.
 */
function shapeProblem(row: unknown, expectedPrev: string, computed: string | undefined): string | undefined {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return 'row is not an object';
  const r = row as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') return 'id is missing or not a string';
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'seq is not a positive integer';
  if (r.prev_hash !== expectedPrev && !isChainHash(r.prev_hash)) return 'prev_hash is not 64 lowercase hex characters';
  if ((computed === undefined || r.hash !== computed) && !isChainHash(r.hash)) return 'hash is not 64 lowercase hex characters';
  return undefined;
}

/**
 * Package-internal: `verifier[PUSH_HASHED](row, computed)` is {@link ChainVerifier.push} for a
 * row whose {@link storedRowHash} the caller has already computed from the row's exact bytes
 * (see scanCanonicalRow). Not exported from the package.
 */
export const PUSH_HASHED: unique symbol = Symbol('ChainVerifier.pushHashed');

/**
 * Package-internal: `verifier[JOIN_SEGMENT](piece)` takes a run of rows that were already
 * verified by these same rules on their own (audit-segment.ts), as if they had been pushed one
 * by one — provided the run continues this chain (its first row has the expected seq and links
 * to the current head). Returns false, changing nothing, when it does not or when a decision is
 * pending; the caller then verifies row by row to name the fault.
 */
export const JOIN_SEGMENT: unique symbol = Symbol('ChainVerifier.joinSegment');

/** What {@link JOIN_SEGMENT} needs to know of a verified run of rows. */
export interface VerifiedRun {
  rows: number;
  firstSeq: number;
  firstPrevHash: string;
  lastSeq: number;
  lastId: string;
  headHash: string;
  lastPrevHash: string;
}

/**
 * Incremental audit-chain verifier: feed rows in chain order with {@link ChainVerifier.push}
 * and read {@link ChainVerifier.result}. Holds O(1) state (never the rows), so it works on
 * exports and database cursors of any size, sync or async.
 *
 * Each row is checked in this order; the first failure decides `problem`:
 * 1. shape (id, positive integer seq, 64-hex `prev_hash`/`hash`) or a recomputed
 *    {@link storedRowHash} that differs from the stored `hash` → **altered** (the row's own
 *    content, seq or prev_hash was changed; a forged row with a wrong hash lands here too) —
 *    unless the row also does not link to its predecessor and the *next* row is the one it
 *    links to: then the two traded places (seqs swapped in a database) → **reordered**;
 * 2. seq jumps forward → **missing**, unless one of the next `lookahead` rows carries a seq
 *    inside the gap → **reordered** (row named: the one that appears too early);
 * 3. seq repeats the previous row's seq → **inserted**. If both rows claim the same
 *    predecessor (a fork), the next row decides which is the intruder: the one it does
 *    not link to. Without a next row, the later one is named;
 * 4. seq goes further backwards → **reordered**;
 * 5. seq is right and the row hashes correctly but `prev_hash` is not the previous row's
 *    hash (or the start hash) → **broken_link**: the previous row was rewritten with a
 *    recomputed hash, or this row was forged.
 *
 * Limits (why signed checkpoints exist): rows cut off the end, or a tail rewritten with
 * all hashes recomputed, leave a consistent chain; only a checkpoint's signed
 * (count, head hash) reveals that.
 */
export class ChainVerifier {
  #count = 0;
  #head: string;
  #nextSeq: number | undefined;
  // The last verified row (#prevId === undefined before any): kept as fields, not an object per row.
  #prevId: string | undefined;
  #prevSeq = 0;
  #prevPrevHash = '';
  #pending: Pending | undefined;
  #outcome: Outcome | undefined;
  readonly #lookahead: number;

  /** @throws CryptoError `bad_input` on malformed options. */
  constructor(opts: VerifyChainOptions = {}) {
    const { startPrevHash, startSeq, lookahead = 1000 } = opts;
    if (startPrevHash !== undefined && !isChainHash(startPrevHash)) {
      throw new CryptoError('bad_input', 'startPrevHash must be 64 lowercase hex characters');
    }
    if (startSeq !== undefined && !(Number.isSafeInteger(startSeq) && startSeq >= 1)) {
      throw new CryptoError('bad_input', 'startSeq must be a positive integer');
    }
    if (!Number.isSafeInteger(lookahead) || lookahead < 0) {
      throw new CryptoError('bad_input', 'lookahead must be a non-negative integer');
    }
    this.#head = startPrevHash ?? GENESIS_HASH;
    this.#nextSeq = startSeq ?? (startPrevHash === undefined ? 1 : undefined);
    this.#lookahead = lookahead;
  }

  /** Rows verified so far. */
  get count(): number {
    return this.#count;
  }

  /** Hash of the last verified row (the start hash before any). */
  get headHash(): string {
    return this.#head;
  }

  /**
   * Checks the next row. Returns false once the outcome is decided — stop feeding rows
   * (further pushes are ignored).
   */
  push(row: unknown): boolean {
    if (this.#outcome) return false;
    const p = this.#pending;
    if (!p) return this.#check(row, undefined);
    return this.#decide(p, row);
  }

  /** See {@link PUSH_HASHED}: `computed` must be storedRowHash(row) of the row as read. */
  [PUSH_HASHED](row: unknown, computed: string): boolean {
    if (this.#outcome) return false;
    const p = this.#pending;
    if (!p) return this.#check(row, computed);
    return this.#decide(p, row);
  }

  /** See {@link JOIN_SEGMENT}. */
  [JOIN_SEGMENT](run: VerifiedRun): boolean {
    if (this.#outcome || this.#pending || run.rows < 1) return false;
    if (this.#nextSeq !== undefined && run.firstSeq !== this.#nextSeq) return false;
    if (this.#nextSeq === undefined && this.#prevId !== undefined) return false;
    if (run.firstPrevHash !== this.#head || run.lastSeq !== run.firstSeq + run.rows - 1) return false;
    this.#count += run.rows;
    this.#head = run.headHash;
    this.#nextSeq = run.lastSeq + 1;
    this.#prevId = run.lastId;
    this.#prevSeq = run.lastSeq;
    this.#prevPrevHash = run.lastPrevHash;
    return true;
  }

  #decide(p: Pending, row: unknown): boolean {
    const decided = p.classify(row) ?? (--p.remaining <= 0 ? p : undefined);
    if (!decided) return true;
    this.#outcome = { fault: decided.fault, count: decided.count };
    this.#pending = undefined;
    return false;
  }

  /** The verdict for the rows pushed so far (call after the last row). */
  result(): ChainVerification {
    if (this.#pending) {
      this.#outcome = { fault: this.#pending.fault, count: this.#pending.count };
      this.#pending = undefined;
    }
    if (this.#outcome) return { ok: false, count: this.#outcome.count, firstBad: this.#outcome.fault };
    return { ok: true, count: this.#count, headHash: this.#head };
  }

  #fail(id: string, seq: number, problem: ChainProblem, detail: string): false {
    this.#outcome = { fault: { id, seq, problem, detail }, count: this.#count };
    return false;
  }

  #check(row: unknown, precomputed: string | undefined): boolean {
    const idValue = field(row, 'id');
    const seqValue = field(row, 'seq');
    const id = typeof idValue === 'string' ? idValue : '';
    const seq = typeof seqValue === 'number' ? seqValue : 0;

    // Hash first (a failure is reported only after the shape checks, as before), so that a
    // hash equal to the recomputed one needs no pattern check.
    let computed = precomputed;
    let hashError: unknown;
    if (computed === undefined && row !== null && typeof row === 'object' && !Array.isArray(row)) {
      try {
        computed = storedRowHash(row as AuditChainRow);
      } catch (err) {
        hashError = err;
      }
    }
    const bad = shapeProblem(row, this.#head, computed);
    if (bad) return this.#fail(id, seq, 'altered', bad);
    const { hash, prev_hash: prevHash } = row as AuditChainRow;
    if (computed === undefined) return this.#fail(id, seq, 'altered', `row cannot be hashed: ${(hashError as Error).message}`);
    if (computed !== hash) {
      if (prevHash === this.#head || this.#lookahead === 0) return this.#fail(id, seq, 'altered', "stored hash does not match the row's content");
      // The row does not hash and does not follow the previous one. If the next row is the
      // one this row links to, the two rows traded places (e.g. their seqs were swapped in the
      // database, which is why neither hashes): reordered, not merely altered.
      const fault: ChainFault = { id, seq, problem: 'altered', detail: "stored hash does not match the row's content" };
      const count = this.#count;
      this.#pending = {
        fault, count, remaining: 1,
        classify: (next) => field(next, 'hash') !== prevHash ? undefined : {
          fault: { ...fault, problem: 'reordered', detail: `row ${id} appears before row ${String(field(next, 'id'))}, the row it follows (positions swapped)` },
          count,
        },
      };
      return true;
    }

    const prevId = this.#prevId;
    const prevSeq = this.#prevSeq;
    const expected = this.#nextSeq;
    if (expected !== undefined && seq > expected) {
      const span = seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}–${seq - 1} are`;
      if (this.#lookahead === 0) return this.#fail(id, seq, 'missing', `${span} missing before this row`);
      const fault: ChainFault = { id, seq, problem: 'missing', detail: `${span} missing before this row` };
      const count = this.#count;
      this.#pending = {
        fault, count, remaining: this.#lookahead,
        classify: (next) => {
          const s = field(next, 'seq');
          if (typeof s !== 'number' || s < expected || s >= seq) return undefined;
          return { fault: { ...fault, problem: 'reordered', detail: `seq ${seq} appears before seq ${s}` }, count };
        },
      };
      return true;
    }
    if (prevId !== undefined && seq === prevSeq) {
      if (prevHash !== this.#prevPrevHash) {
        return this.#fail(id, seq, 'inserted', `repeats seq ${seq} of row ${prevId}`);
      }
      // A fork: this row and the previous one both follow the same row. The genuine one is
      // whichever the next row links to.
      const fault: ChainFault = { id, seq, problem: 'inserted', detail: `repeats seq ${seq} of row ${prevId}, which the chain continues from` };
      const count = this.#count;
      this.#pending = {
        fault, count, remaining: 1,
        classify: (next) => field(next, 'prev_hash') !== hash ? undefined : {
          fault: { id: prevId, seq, problem: 'inserted', detail: `repeats seq ${seq} of row ${id}, which the chain continues from` },
          count: count - 1,
        },
      };
      return true;
    }
    if (expected !== undefined && seq < expected) {
      return this.#fail(id, seq, 'reordered', prevId !== undefined ? `seq ${seq} appears after seq ${prevSeq}` : `seq ${seq} is before the start seq ${expected}`);
    }
    if (prevHash !== this.#head) {
      return this.#fail(id, seq, 'broken_link', prevId !== undefined
        ? `prev_hash is not the hash of row ${prevId} (seq ${prevSeq}): that row was rewritten or this one forged`
        : 'prev_hash is not the expected start hash');
    }

    this.#count++;
    this.#head = hash;
    this.#nextSeq = seq + 1;
    this.#prevId = id;
    this.#prevSeq = seq;
    this.#prevPrevHash = prevHash;
    return true;
  }
}

/**
 * Verifies an audit chain streamed in chain order (e.g. `ORDER BY seq`, or an export read
 * line by line). Stops reading at the first bad row (closing the iterator, so database
 * cursors are released). Rules: see {@link ChainVerifier}.
 */
export function verifyChain(rows: Iterable<AuditChainRow>, opts?: VerifyChainOptions): ChainVerification {
  const v = new ChainVerifier(opts);
  for (const row of rows) if (!v.push(row)) break;
  return v.result();
}

/** {@link verifyChain} for async sources (pg cursors, `readline` over an export file). */
export async function verifyChainAsync(
  rows: AsyncIterable<AuditChainRow> | Iterable<AuditChainRow>,
  opts?: VerifyChainOptions,
): Promise<ChainVerification> {
  const v = new ChainVerifier(opts);
  if (isSyncIterable(rows)) {
    // No await per row for in-memory sources.
    for (const row of rows) if (!v.push(row)) break;
  } else {
    for await (const row of rows) if (!v.push(row)) break;
  }
  return v.result();
}

/** Whether `x` is a plain (sync) iterable and not an async one. */
export function isSyncIterable<T>(x: AsyncIterable<T> | Iterable<T>): x is Iterable<T> {
  return typeof (x as AsyncIterable<T>)[Symbol.asyncIterator] !== 'function' && typeof (x as Iterable<T>)[Symbol.iterator] === 'function';
}
