/**
 * Reading one piece of an export file and verifying it (shared by the worker threads and the
 * main thread of the parallel verifier). Package-internal.
 */
import fs from 'node:fs';
import { decodeExportBytes, verifySegment, type SegmentSummary } from './audit-segment';

/** One piece to verify: bytes [start, end) of `file`, whole lines; `final` when end is EOF. */
export interface SegmentTask {
  index: number;
  file: string;
  start: number;
  end: number;
  final: boolean;
  /** Seqs whose row id and hash the joiner needs (checkpoint counts). */
  want: number[];
}

/** Reads the task's byte range from `fd` and verifies it. */
export function readSegment(fd: number, task: SegmentTask): SegmentSummary {
  const length = task.end - task.start;
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, task.start + got);
    if (n === 0) break; // the file shrank under us: the joiner sees the missing rows
    got += n;
  }
  return verifySegment(decodeExportBytes(buf, 0, got), task.final, new Set(task.want));
}
