/** The organisation's request settings (GOV-3), with defaults when none were saved. */
import type { DsarSettings } from '@conclave/protocol';
import type { Trx } from '../../storage/tx';
import * as store from './dsar.store';

/** GDPR's one month; CCPA allows 45 days, PIPL asks for "timely": 30 fits all three. */
export const DEFAULT_DSAR_SETTINGS: DsarSettings = { deadlineDays: 30, exportApproval: 'self_service', exportTtlDays: 7, updatedAt: null, updatedBy: null };

export const DAY_MS = 24 * 60 * 60 * 1000;

export async function loadDsarSettings(db: Trx, orgId: string): Promise<DsarSettings> {
  const row = await store.findSettings(db, orgId);
  if (!row) return DEFAULT_DSAR_SETTINGS;
  return {
    deadlineDays: row.deadline_days, exportApproval: row.export_approval as DsarSettings['exportApproval'], exportTtlDays: row.export_ttl_days,
    updatedAt: Number(row.updated_at), updatedBy: row.updated_by,
  };
}
