/**
 * Verifiable audit exports (AUD-3): JSON Lines — a signed manifest, then the rows exactly as
 * stored, in seq order. `conclave audit verify --export file --pubkey key.pem` (the
 * @conclave/crypto verifier) checks them without trusting the server. Format:
 * docs/AUDIT-FORMAT.md. Used by the API (bounded size) and the CLI (any size, streamed).
 */
import { canonicalJson, flatCanonicalJson, signManifest, type ExportManifest } from '@conclave/crypto';
import type { Actor } from '../../kernel/actor';
import { AppError, invalid } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import type { Services } from '../../services';
import * as store from './audit.store';
import { presentCheckpoint } from './audit.presenter';
import type { AuditKeys } from './signing-key';

/** What to export: a seq range or a time range (neither: everything). */
export interface ExportRange {
  fromSeq?: number;
  toSeq?: number;
  from?: number;
  to?: number;
}

/**
 * Turns a requested range into a seq range that exists, or throws a 4xx naming the field:
 * an empty log, a range past the head, a time range without rows, or (with `maxRows`) a
 * range larger than one API export may hold.
 */
export async function resolveExportRange(db: Trx, orgId: string, r: ExportRange, maxRows?: number): Promise<{ fromSeq: number; toSeq: number }> {
  const head = await store.auditHead(db, orgId);
  if (!head) throw new AppError('not_found', 'the audit log is empty: nothing to export', undefined, 'empty_log');
  let fromSeq = r.fromSeq ?? 1;
  let toSeq = r.toSeq ?? head.seq;
  if (r.from !== undefined || r.to !== undefined) {
    const range = await store.seqRangeForTimes(db, orgId, r.from, r.to);
    if (!range) throw invalid(r.from !== undefined ? 'body.from' : 'body.to', 'no audit rows in that time range');
    ({ min: fromSeq, max: toSeq } = range);
  }
  if (fromSeq > head.seq) throw invalid('body.fromSeq', `beyond the last row: the audit log has ${head.seq} rows`);
  if (toSeq > head.seq) throw invalid('body.toSeq', `beyond the last row: the audit log has ${head.seq} rows`);
  if (fromSeq > toSeq) throw invalid('body.fromSeq', 'must not be after toSeq');
  const rows = toSeq - fromSeq + 1;
  if (maxRows !== undefined && rows > maxRows) {
    throw new AppError('validation_failed', `body: the range holds ${rows} rows; one API export holds at most ${maxRows} — split the range, or use \`conclave audit export\``, {
      issues: [{ path: 'body.toSeq', message: `at most ${maxRows} rows per export` }], maxRows, rows,
    });
  }
  return { fromSeq, toSeq };
}

/**
 * Writes an export of rows fromSeq..toSeq: the signed manifest line, then one line per row.
 * Rows up to toSeq are immutable, so reading them outside a transaction is consistent.
 */
export async function writeAuditExport(
  svc: Services, keys: AuditKeys, orgId: string, range: { fromSeq: number; toSeq: number }, exportedBy: Actor,
  write: (line: string) => void | Promise<void>,
): Promise<ExportManifest> {
  const db = svc.database.db;
  const first = await store.auditRowAt(db, orgId, range.fromSeq);
  const last = await store.auditRowAt(db, orgId, range.toSeq);
  if (!first || !last) throw new AppError('conflict', 'the audit log does not hold that range (rows are missing: run `conclave audit verify`)', undefined, 'range_missing');
  const key = await keys.current(orgId);
  const manifest = signManifest(key.privateKeyPem, key.publicKeyPem, {
    org: orgId, fromSeq: range.fromSeq, toSeq: range.toSeq, startPrevHash: first.prev_hash, headHash: last.hash,
    exportedAt: svc.clock.now(), exportedBy: { actorType: exportedBy.kind, actorId: exportedBy.userId },
    checkpoints: (await store.checkpointsInRange(db, orgId, range.fromSeq, range.toSeq)).map(presentCheckpoint),
  });
  await write(canonicalJson(manifest));
  for await (const row of store.iterateAuditRows(db, orgId, range.fromSeq, range.toSeq)) {
    await write(flatCanonicalJson(row) ?? canonicalJson(row));
  }
  return manifest;
}

/** File name for an export: `conclave-audit-<org>-<from>-<to>.jsonl`. */
export function exportFileName(orgId: string, range: { fromSeq: number; toSeq: number }): string {
  return `conclave-audit-${orgId}-${range.fromSeq}-${range.toSeq}.jsonl`;
}
