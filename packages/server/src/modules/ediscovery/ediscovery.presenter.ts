/** eDiscovery rows → wire objects (GOV-5). Keywords are shown to officers while they exist. */
import type { EdiscoveryExport } from '@conclave/protocol';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import { openKeywords } from './ediscovery.keywords';
import { parseCriteria, type ExportRow } from './ediscovery.store';

/** Live statuses turn into `expired` as soon as their time passes (the sweep persists it later). */
export function effectiveStatus(row: ExportRow, now: number): EdiscoveryExport['status'] {
  const live = row.status === 'pending_approval' || row.status === 'ready';
  return (live && Number(row.expires_at) < now ? 'expired' : row.status) as EdiscoveryExport['status'];
}

export async function presentExport(db: Trx, keys: KeyService, row: ExportRow, now: number): Promise<EdiscoveryExport> {
  const c = parseCriteria(row);
  const sensitive = JSON.parse(row.sensitive_levels) as string[];
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: row.id, matter: row.matter, status: effectiveStatus(row, now),
    criteria: { ...c, keywords: (await openKeywords(db, keys, row))?.keywords ?? (row.keyword_count ? null : []), keywordCount: Number(row.keyword_count) },
    sensitiveLevels: sensitive, needsApproval: sensitive.length > 0,
    requestedBy: row.requested_by, requestedAt: Number(row.requested_at),
    decidedBy: row.decided_by, decidedAt: num(row.decided_at), refusalReason: row.refusal_reason,
    downloadedBy: row.downloaded_by, downloadedAt: num(row.downloaded_at), expiresAt: Number(row.expires_at),
    messageCount: num(row.message_count), fileCount: num(row.file_count), manifestSha256: row.manifest_sha256,
  };
}
