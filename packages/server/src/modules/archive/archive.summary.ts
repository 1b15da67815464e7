/**
 * A metadata-only summary of the compliance archive (GOV-5) for `conclave archive status`:
 * whether it is on, for which levels, the current key's fingerprint and quorum, and counts.
 * Nothing sealed is read; the CLI acts with local (system) authority, like `conclave status`.
 */
import type { Trx } from '../../storage/tx';
import { getOrgSettings } from '../org/org.store';
import { effectiveStatus, fingerprint } from './archive.presenter';
import * as store from './archive.store';

/** What `conclave archive status --json` prints. */
export interface ArchiveSummary {
  enabled: boolean;
  levels: string[];
  archiveKey: { id: string; fingerprint: string; threshold: number; shareCount: number; createdAt: number } | null;
  retiredKeys: number;
  activeOfficerKeys: number;
  archivedMessages: number;
  requests: Record<string, number>;
}

export async function archiveSummary(db: Trx, orgId: string, now: number): Promise<ArchiveSummary> {
  const settings = await getOrgSettings(db, orgId);
  const levels = await store.archivedLevels(db, orgId);
  const key = await store.currentArchiveKey(db, orgId);
  const requests: Record<string, number> = {};
  for (const r of await store.listRequests(db, orgId, 100_000)) {
    const s = effectiveStatus(r, now);
    requests[s] = (requests[s] ?? 0) + 1;
  }
  return {
    enabled: levels.size > 0 && !!key,
    levels: settings.levels.filter((l) => levels.has(l)),
    archiveKey: key ? { id: key.id, fingerprint: fingerprint(key.public_key), threshold: Number(key.threshold), shareCount: Number(key.share_count), createdAt: Number(key.created_at) } : null,
    retiredKeys: (await store.retiredArchiveKeys(db, orgId)).length,
    activeOfficerKeys: Number((await db.selectFrom('archive_officer_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('revoked_at', 'is', null).executeTakeFirst())?.n ?? 0),
    archivedMessages: Number((await db.selectFrom('archive_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirst())?.n ?? 0),
    requests,
  };
}
