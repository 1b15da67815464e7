/**
 * Who may do what with eDiscovery exports (GOV-5), as pure functions over the actor, the org
 * settings and the export. Compliance work bypasses conversation membership by design, but
 * never clearance (ACL-2) nor a level's MFA rule (ACL-3): an officer exports only levels they
 * clear, and sees only requests whose levels they clear (others look missing, rule 2).
 */
import type { OrgSettings } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, forbidden, notFound } from '../../kernel/errors';
import { requirePermission } from '../identity/identity.policy';
import { actorClears, levelDenial } from '../access/levels';
import { parseCriteria, type ExportRow } from './ediscovery.store';

/** Throws forbidden unless the actor holds `ediscovery.export`. */
export function requireExporter(actor: UserActor): void {
  requirePermission(actor, 'ediscovery.export');
}

/**
 * The default two-person rule: the organisation's top two levels (with the default levels,
 * confidential and secret — exactly those where members may not download files).
 */
export function defaultSensitiveLevels(settings: Pick<OrgSettings, 'levels'>): string[] {
  return settings.levels.slice(-2);
}

/** Whether the actor may see this request at all: every level it covers must be cleared. */
export function canSee(settings: OrgSettings, actor: UserActor, row: ExportRow): boolean {
  return parseCriteria(row).levels.every((l) => actorClears(settings, actor, l));
}

/** The export, if visible; denied and missing look the same (rule 2). */
export function assertVisible(settings: OrgSettings, actor: UserActor, row: ExportRow | undefined): ExportRow {
  if (!row) throw notFound('export');
  if (!canSee(settings, actor, row)) throw notFound('export', 'clearance');
  return row;
}

/** A level whose policy needs an MFA session (ACL-3) needs one to export it too. */
export function assertLevelMfa(settings: OrgSettings, actor: UserActor, levels: string[]): void {
  const level = levels.find((l) => levelDenial(settings, actor, l) === 'level_mfa');
  if (level) throw new AppError('forbidden', `exporting level "${level}" needs a session signed in with MFA`, undefined, 'level_mfa');
}

/** The two-person rule: the second officer is never the requester. */
export function assertCanDecide(actor: UserActor, row: ExportRow): void {
  if (row.requested_by === actor.userId) throw forbidden('the requester cannot approve their own export: a second compliance officer must', 'self_approval');
}

/** Only the requester or the approver receive the package. */
export function assertCanDownload(actor: UserActor, row: ExportRow): void {
  if (row.requested_by !== actor.userId && row.decided_by !== actor.userId) {
    throw forbidden('only the requester or the approving officer can download this export', 'not_requester');
  }
}

/** Why an export in `status` cannot be downloaded, or null when it can. */
export function downloadBlocker(row: ExportRow, now: number): AppError | null {
  if (row.status === 'ready' && Number(row.expires_at) >= now) return null;
  const why: Record<string, string> = {
    pending_approval: 'this export is waiting for a second compliance officer\'s approval',
    refused: 'this export was refused',
    downloaded: 'this export was already downloaded (each package is delivered once); request a new export',
    expired: 'this export has expired; request a new export',
    ready: 'this export has expired; request a new export',
  };
  return new AppError('conflict', why[row.status] ?? `this export is ${row.status}`, { status: row.status === 'ready' ? 'expired' : row.status });
}
