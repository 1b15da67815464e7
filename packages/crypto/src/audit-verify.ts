import { GENESIS_HASH, type AuditChainRow } from './audit-chain';
import { ChainVerifier, isSyncIterable, JOIN_SEGMENT, PUSH_HASHED, type VerifiedRun, type ChainFault, type ChainProblem, type VerifyChainOptions } from './chain-verifier';
import { parseCheckpoint, verifyCheckpoint, type AuditCheckpoint } from './checkpoint';
import { CryptoError } from './errors';

/**
 * Everything the audit verifier can find wrong. The chain problems come from
 * {@link ChainVerifier}; on top of them:
 * - `truncated`: a signed checkpoint (or an export's signed manifest) covers rows that are
 *   not there — rows were cut off the end;
 * - `bad_signature`: a checkpoint or manifest signature does not verify under the trusted
 *   public key(s) — forged, altered, or signed by another key;
 * - `malformed`: an export line is not JSON or the manifest is not one (garbled or cut file).
 */
export type AuditProblem = ChainProblem | 'truncated' | 'bad_signature' | 'malformed';

/** The first place where the audit trail stops being trustworthy. */
export interface AuditFault {
  problem: AuditProblem;
  /** Id of the row named (`''` when there is none, e.g. a garbled line or the manifest). */
  id: string;
  /** Seq of that row, or the seq expected at that point (`0` for the manifest). */
  seq: number;
  /** One secret-free sentence: what is wrong, with seqs, row ids and times. */
  detail: string;
  /** 1-based line in an export file, when verifying one. */
  line?: number;
}

/** Result of {@link AuditVerifier}. */
export interface AuditVerification {
  ok: boolean;
  /** Rows that verified (before the first fault, or all). */
  rows: number;
  /** Seq of the last verified row (0 if none). */
  lastSeq: number;
  /** Hash of the last verified row (the start hash if none). */
  headHash: string;
  /** Signed checkpoints checked against a row of the chain, and how many were given. */
  checkpoints: { verified: number; total: number; latest: { count: number; at: number } | null };
  firstBad?: AuditFault;
}

/** Options for {@link AuditVerifier}. */
export interface AuditVerifyOptions extends VerifyChainOptions {
  /** Trusted Ed25519 public keys (SPKI PEM). Checkpoint signatures must verify under one. */
  publicKeys: readonly string[];
  /**
   * Checkpoints to check, in any order and of any shape (they are untrusted input). Each one
   * must carry a valid signature, and the row with seq `count` must have hash `headHash`.
   */
  checkpoints?: Iterable<unknown>;
  /** Only checkpoints of this organisation are used (those of others are ignored). */
  org?: string;
  /**
   * A signed statement of where the rows end (an export manifest): fewer rows is
   * `truncated`, more is `inserted`, a different last hash is `altered`.
   */
  end?: { seq: number; headHash: string; what: string };
}

interface PendingCheckpoint {
  cp: AuditCheckpoint | undefined;
  raw: unknown;
  count: number;
  valid: boolean;
}

const when = (at: number): string => (Number.isSafeInteger(at) && at >= 0 && at < 8.64e15 ? new Date(at).toISOString() : String(at));

/**
 * Verifies an audit trail incrementally: the hash chain ({@link ChainVerifier}), every
 * signed checkpoint against the row it names, and the end of the trail against the last
 * checkpoint (or manifest). Feed rows in seq order with {@link AuditVerifier.push}, then
 * call {@link AuditVerifier.result}. O(checkpoints) memory; rows are never kept.
 */
export class AuditVerifier {
  readonly #chain: ChainVerifier;
  readonly #checkpoints: PendingCheckpoint[];
  readonly #end: AuditVerifyOptions['end'];
  readonly #startSeq: number;
  #next = 0;
  #verified = 0;
  #lastSeq: number;
  // The last verified row (id undefined before any), as fields rather than an object per row.
  #lastRowId: string | undefined;
  #lastRowLine: number | undefined;
  #pendingRow: { id: string; line?: number } | undefined;
  #fault: AuditFault | undefined;
  #latest: { count: number; at: number } | null = null;

  /** @throws CryptoError `bad_input` on malformed options (never on malformed checkpoints). */
  constructor(opts: AuditVerifyOptions) {
    if (!Array.isArray(opts.publicKeys) || opts.publicKeys.some((k) => typeof k !== 'string')) {
      throw new CryptoError('bad_input', 'publicKeys must be an array of PEM strings');
    }
    this.#chain = new ChainVerifier(opts);
    this.#startSeq = opts.startSeq ?? 1;
    this.#lastSeq = this.#startSeq - 1;
    this.#end = opts.end;
    const list: PendingCheckpoint[] = [];
    for (const raw of opts.checkpoints ?? []) {
      const cp = parseCheckpoint(raw);
      if (cp && opts.org !== undefined && cp.org !== opts.org) continue;
      const count = cp?.count ?? Number((raw as { count?: unknown } | null)?.count ?? 0);
      list.push({ cp, raw, count: Number.isFinite(count) ? count : 0, valid: cp !== undefined && verifyCheckpoint(opts.publicKeys, cp) });
    }
    // Checkpoints before the verified range cannot be checked against a row: skip them,
    // except one exactly at the start, which must name the start hash.
    const startPrev = opts.startPrevHash ?? GENESIS_HASH;
    this.#checkpoints = list.filter((c) => c.count >= this.#startSeq - 1).sort((a, b) => a.count - b.count);
    while (this.#checkpoints[0] && this.#checkpoints[0].count === this.#startSeq - 1) {
      const c = this.#checkpoints.shift()!;
      if (!this.#checkCheckpoint(c, { id: '', seq: c.count, hash: c.count === 0 ? GENESIS_HASH : startPrev })) break;
    }
  }

  /** Rows verified so far. */
  get rows(): number {
    return this.#verified;
  }

  /** Seq of the last verified row (start seq − 1 before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Stops verification with `fault` (e.g. a garbled export line) — unless a fault earlier in
   * the stream is already known (a pending missing/reordered row), which then wins.
   */
  abort(fault: AuditFault): AuditVerification {
    if (!this.#fault && !this.#chain.result().ok) this.#takeChainFault(undefined, '');
    this.#fail(fault);
    return this.result();
  }

  /**
   * Checks the next row (`line`: its line in an export file, for the report). Returns false
   * once a fault is found — stop feeding rows.
   */
  push(row: unknown, line?: number): boolean {
    return this.#push(row, undefined, line);
  }

  /** Package-internal: {@link push} of a row whose storedRowHash is known (see PUSH_HASHED). */
  [PUSH_HASHED](row: unknown, computed: string, line?: number): boolean {
    return this.#push(row, computed, line);
  }

  /**
   * Package-internal (see JOIN_SEGMENT in chain-verifier.ts): takes a run of rows verified on
   * their own, then checks the signed checkpoints that fall inside it with `at` (row id and
   * hash by seq). False when the run does not join cleanly, goes past the signed end, or a
   * checkpoint fails — the caller then re-verifies row by row for the exact fault.
   */
  [JOIN_SEGMENT](run: VerifiedRun, at: Readonly<Record<number, { id: string; hash: string }>>): boolean {
    if (this.#fault || this.#pendingRow !== undefined) return false;
    if (this.#end && run.lastSeq > this.#end.seq) return false;
    if (!this.#chain[JOIN_SEGMENT](run)) return false;
    this.#verified = this.#chain.count;
    this.#lastSeq = run.lastSeq;
    this.#lastRowId = run.lastId;
    this.#lastRowLine = undefined;
    while (this.#checkpoints[0] && this.#checkpoints[0].count <= run.lastSeq) {
      const c = this.#checkpoints.shift()!;
      const row = at[c.count];
      if (!row) return false;
      if (!this.#checkCheckpoint(c, { id: row.id, seq: c.count, hash: row.hash })) return false;
    }
    return true;
  }

  /** Seqs of the signed checkpoints still to be checked (what a run must report the hash of). */
  get checkpointSeqs(): number[] {
    return this.#checkpoints.map((c) => c.count);
  }

  #push(row: unknown, computed: string | undefined, line: number | undefined): boolean {
    if (this.#fault) return false;
    const before = this.#chain.count;
    const id = typeof (row as { id?: unknown } | null)?.id === 'string' ? (row as { id: string }).id : '';
    if (this.#end && this.#lastSeq >= this.#end.seq && this.#pendingRow === undefined) {
      const seq = Number((row as { seq?: unknown } | null)?.seq ?? 0);
      this.#fail({ problem: 'inserted', id, seq, detail: `row is beyond the end of the signed range (${this.#end.what} ends at seq ${this.#end.seq})`, line });
      return false;
    }
    const going = computed === undefined ? this.#chain.push(row) : this.#chain[PUSH_HASHED](row, computed);
    if (this.#chain.count > before) {
      const r = row as AuditChainRow;
      this.#verified = this.#chain.count;
      this.#lastSeq = r.seq;
      this.#lastRowId = r.id;
      this.#lastRowLine = line;
      this.#pendingRow = undefined;
      while (this.#checkpoints[0] && this.#checkpoints[0].count <= r.seq) {
        const c = this.#checkpoints.shift()!;
        if (c.count < r.seq) continue; // unreachable: counts are consecutive seqs
        if (!this.#checkCheckpoint(c, { id: r.id, seq: r.seq, hash: r.hash, line })) return false;
      }
    } else if (going) {
      this.#pendingRow ??= { id, line };
    }
    if (!going) this.#takeChainFault(line, id);
    return going && !this.#fault;
  }

  /** The verdict for the rows pushed so far (call after the last row). */
  result(): AuditVerification {
    if (!this.#fault) {
      const chain = this.#chain.result();
      if (!chain.ok) this.#takeChainFault(undefined, '');
    }
    if (!this.#fault) {
      const c = this.#checkpoints[0];
      if (c) {
        const at = c.cp ? ` signed at ${when(c.cp.at)}` : '';
        const tail = { id: this.#lastRowId ?? '', seq: this.#lastSeq + 1, line: this.#lastRowLine };
        this.#fail(c.valid
          ? { problem: 'truncated', ...tail, detail: `the checkpoint${at} covers ${c.count} rows but the chain ends at seq ${this.#lastSeq}: seqs ${this.#lastSeq + 1}–${c.count} were cut off` }
          : { problem: 'bad_signature', ...tail, detail: `a checkpoint for count ${c.count}${at} is beyond the chain and its signature is not valid under the trusted key(s)` });
      } else if (this.#end && this.#lastSeq < this.#end.seq) {
        this.#fail({ problem: 'truncated', id: this.#lastRowId ?? '', seq: this.#lastSeq + 1, line: this.#lastRowLine, detail: `${this.#end.what} ends at seq ${this.#end.seq} but the rows end at seq ${this.#lastSeq}: seqs ${this.#lastSeq + 1}–${this.#end.seq} are missing` });
      } else if (this.#end && this.#chain.headHash !== this.#end.headHash) {
        this.#fail({ problem: 'altered', id: this.#lastRowId ?? '', seq: this.#lastSeq, line: this.#lastRowLine, detail: `the last row's hash differs from the head hash in ${this.#end.what}: rows in the range were rewritten` });
      }
    }
    const base = {
      rows: this.#verified, lastSeq: this.#lastSeq, headHash: this.#chain.headHash,
      checkpoints: { verified: this.#next, total: this.#next + this.#checkpoints.length, latest: this.#latest },
    };
    return this.#fault ? { ok: false, ...base, firstBad: this.#fault } : { ok: true, ...base };
  }

  #checkCheckpoint(c: PendingCheckpoint, row: { id: string; seq: number; hash: string; line?: number }): boolean {
    const at = c.cp ? ` signed at ${when(c.cp.at)}` : '';
    if (!c.valid) {
      this.#fail({ problem: 'bad_signature', id: row.id, seq: row.seq, line: row.line, detail: `the checkpoint for count ${c.count}${at} does not carry a valid signature by the trusted key(s): forged or altered` });
      return false;
    }
    if (c.cp!.headHash !== row.hash) {
      this.#fail({ problem: 'altered', id: row.id, seq: row.seq, line: row.line, detail: `the chain up to seq ${row.seq} differs from the checkpoint${at}: rows up to here were rewritten with recomputed hashes` });
      return false;
    }
    this.#next++;
    if (!this.#latest || c.cp!.at >= this.#latest.at) this.#latest = { count: c.cp!.count, at: c.cp!.at };
    return true;
  }

  #takeChainFault(line: number | undefined, currentId: string): void {
    const r = this.#chain.result();
    if (r.ok || this.#fault) return;
    const f: ChainFault = r.firstBad;
    this.#verified = r.count;
    const lineOf = f.id === this.#pendingRow?.id ? this.#pendingRow.line
      : f.id === currentId ? line
        : this.#lastRowId !== undefined && f.id === this.#lastRowId ? this.#lastRowLine : line;
    this.#fail({ problem: f.problem, id: f.id, seq: f.seq, detail: f.detail, line: lineOf });
  }

  #fail(f: AuditFault): void {
    if (f.line === undefined) delete f.line;
    this.#fault ??= f;
  }
}

/**
 * Verifies rows streamed in seq order (a database cursor, an export's rows) together with
 * signed checkpoints. See {@link AuditVerifier}.
 */
export async function verifyAuditTrail(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
  opts: AuditVerifyOptions,
): Promise<AuditVerification> {
  const v = new AuditVerifier(opts);
  if (isSyncIterable(rows)) {
    // No await per row for in-memory sources.
    for (const row of rows) if (!v.push(row)) break;
  } else {
    for await (const row of rows) if (!v.push(row)) break;
  }
  return v.result();
}
