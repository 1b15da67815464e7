/**
 * Worker thread of the parallel export verifier (audit-export-file.ts): reads the byte range it
 * is given from the export file itself (no copy through the parent) and answers with the
 * piece's {@link SegmentSummary}. Imports only the chain code, so it starts quickly.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { readSegment, type SegmentTask } from './audit-segment-read';
import { NOT_CLEAN, type SegmentSummary } from './audit-segment';

const port = parentPort;
if (!port) throw new Error('audit-segment-worker must run in a worker thread');

const fds = new Map<string, number>();
port.on('message', (task: SegmentTask) => {
  let summary: SegmentSummary;
  try {
    let fd = fds.get(task.file);
    if (fd === undefined) {
      fd = fs.openSync(task.file, 'r');
      fds.set(task.file, fd);
    }
    summary = readSegment(fd, task);
  } catch {
    // Unreadable now (moved, shrunk, I/O error): not a clean piece, so the parent falls back to
    // the sequential pass, which reports the problem properly.
    summary = { ...NOT_CLEAN };
  }
  port.postMessage({ index: task.index, summary });
});
port.postMessage({ ready: true });
