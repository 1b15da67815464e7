/**
 * Verifying an audit export file on every core (AUD-2/AUD-3, issue 5: "target ≥ 200k rows/s").
 *
 * Hashing the rows is the whole cost of verification, and each row's hash depends only on the
 * row itself (its `prev_hash` is one of its columns). So the file is cut at line boundaries into
 * pieces of a few MiB; worker threads — and this thread, so that nothing waits for the workers
 * to start — verify the pieces with the ordinary rules (audit-segment.ts), and the pieces are
 * joined here in file order: each must continue the previous one (seq and `prev_hash`), the
 * signed checkpoints inside it must match its rows, and the manifest's signed end must be met.
 *
 * The result of a clean file is exactly what {@link verifyAuditExportStream} returns. Whenever
 * anything is not clean — a bad row, a garbled line, a piece that does not join, a checkpoint
 * that does not match, a worker that fails — the parallel attempt is dropped and the whole file
 * is verified sequentially, which names the first bad row and its line as it always did. Only
 * a file that is valid can therefore take the fast path, and it cannot change a verdict.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeExportBytes, forEachLine, type SegmentSummary } from './audit-segment';
import { readSegment, type SegmentTask } from './audit-segment-read';
import { JOIN_SEGMENT } from './chain-verifier';
import { ExportVerifier, verifyAuditExportStream, type ExportVerification, type VerifyExportOptions } from './audit-export';

/** Options for {@link verifyAuditExportFile}. */
export interface VerifyExportFileOptions extends VerifyExportOptions {
  /**
   * Threads to verify with, this one included. Default: the cores that are idle now (the cores
   * available minus the 1-minute load average, rounded), at least 1 and at most 8: on a busy
   * machine extra threads only add their start-up cost. 1 verifies sequentially.
   */
  threads?: number;
  /** Size of the pieces the file is cut into (bytes, default 4 MiB; at least 64 KiB). */
  pieceBytes?: number;
}

const DEFAULT_PIECE = 4 << 20;

/**
 * Verifies an audit export file (manifest line, then rows) like {@link verifyAuditExportStream}
 * over the file's bytes, using several threads for large files. Same result, same faults.
 *
 * @throws CryptoError `bad_input` without trusted public keys; the file's own errors (ENOENT, …)
 *   as thrown by node:fs.
 */
export async function verifyAuditExportFile(file: string, opts: VerifyExportFileOptions): Promise<ExportVerification> {
  const threads = Math.max(1, Math.min(8, Math.floor(opts.threads ?? Math.round(os.availableParallelism() - os.loadavg()[0]!))));
  const pieceBytes = Math.max(64 << 10, Math.floor(opts.pieceBytes ?? DEFAULT_PIECE));
  new ExportVerifier(opts); // refuses bad options (no trusted key) before any file is opened
  const size = fs.statSync(file).size;
  if (threads >= 2 && size >= 2 * pieceBytes) {
    const fast = await verifyInPieces(file, size, opts, threads, pieceBytes).catch(() => undefined);
    if (fast) return fast;
  }
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    return await verifyAuditExportStream(stream, opts);
  } finally {
    stream.destroy();
  }
}

/**
 * The parallel attempt: the verdict of a clean file, or undefined to fall back. Package-internal
 * (exported for its tests, which check that valid files do take this path).
 */
export async function verifyInPieces(
  file: string, size: number, opts: VerifyExportOptions, threads: number, pieceBytes: number,
): Promise<ExportVerification | undefined> {
  const fd = fs.openSync(file, 'r');
  const workers: Worker[] = [];
  try {
    // The manifest line, verified here first: it says where the rows start and what is signed.
    const manifestEnd = nextLineStart(fd, 0, size);
    const v = new ExportVerifier(opts);
    if (!forEachLine(readText(fd, 0, manifestEnd), false, (line) => v.line(line)).going) return undefined;
    const rows = v.rowVerifier;
    if (!rows) return undefined;
    const want = rows.checkpointSeqs;

    const tasks: SegmentTask[] = [];
    for (let start = manifestEnd; start < size;) {
      const end = start + pieceBytes >= size ? size : nextLineStart(fd, start + pieceBytes, size);
      tasks.push({ index: tasks.length, file, start, end, final: end === size, want });
      start = end;
    }

    const summaries: Array<SegmentSummary | undefined> = [];
    let joined = 0;
    let failed = false;
    const join = (index: number, s: SegmentSummary): void => {
      summaries[index] = s;
      while (!failed && joined < tasks.length && summaries[joined]) {
        const piece = summaries[joined]!;
        summaries[joined] = undefined;
        joined++;
        if (!piece.ok || (piece.rows > 0 && !rows[JOIN_SEGMENT](piece, piece.at))) failed = true;
      }
    };

    let next = 0;
    const requeued: SegmentTask[] = [];
    const take = (): SegmentTask | undefined => requeued.pop() ?? (next < tasks.length ? tasks[next++] : undefined);
    let wake: (() => void) | undefined;
    const poke = (): void => { const w = wake; wake = undefined; w?.(); };

    for (let i = 1; i < threads && i < tasks.length; i++) {
      const w = spawnWorker();
      if (!w) break;
      workers.push(w);
      let current: SegmentTask | undefined;
      const feed = (): void => {
        current = failed ? undefined : take();
        if (current) w.postMessage(current);
      };
      w.on('message', (m: { ready?: true; index?: number; summary?: SegmentSummary }) => {
        if (!m.ready) { current = undefined; join(m.index!, m.summary!); }
        feed();
        poke();
      });
      const lost = (): void => {
        // This worker is gone (failed to start, or crashed): its piece goes back to the queue.
        if (current) requeued.push(current);
        current = undefined;
        poke();
      };
      w.on('error', lost);
      w.on('exit', lost);
    }
    // This thread verifies pieces too, letting worker answers in between, until every piece is
    // joined; when the queue is empty it waits for the workers' answers (or their lost pieces).
    while (!failed && joined < tasks.length) {
      const t = take();
      if (t) {
        join(t.index, readSegment(fd, t));
        await new Promise((r) => setImmediate(r));
      } else {
        await new Promise<void>((r) => { wake = r; });
      }
    }
    if (failed || joined !== tasks.length) return undefined;
    // A fault found only at the end (truncation, a different head): the sequential pass names
    // it with its line.
    const result = v.result();
    return result.ok ? result : undefined;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.closeSync(fd);
  }
}

/** Byte offset just after the first `\n` at or after `from` (or `size`). */
function nextLineStart(fd: number, from: number, size: number): number {
  const window = Buffer.allocUnsafe(64 << 10);
  for (let pos = from; pos < size;) {
    const n = fs.readSync(fd, window, 0, window.length, pos);
    if (n === 0) break;
    const nl = window.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
    pos += n;
  }
  return size;
}

function readText(fd: number, start: number, end: number): string {
  const buf = Buffer.allocUnsafe(end - start);
  const n = fs.readSync(fd, buf, 0, buf.length, start);
  return decodeExportBytes(buf, 0, n);
}

/**
 * A verifier worker, or undefined when threads are not available here. Running from TypeScript
 * sources (tsx, vitest), the worker registers tsx itself: a worker thread does not inherit the
 * parent's module hooks.
 */
function spawnWorker(): Worker | undefined {
  try {
    const self = import.meta.url;
    if (!self.endsWith('.ts')) return new Worker(new URL('./audit-segment-worker.js', self));
    const entry = new URL('./audit-segment-worker.ts', self).href;
    const tsx = pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href;
    return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
  } catch {
    return undefined;
  }
}
