/**
 * Confidentiality levels (ACL-2): an ordered list per organisation. A user sees a level when
 * their clearance ranks at or above it. A level missing from the list ranks above everything,
 * so a misconfiguration denies rather than leaks.
 */
import type { LevelPolicy, OrgSettings } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';

export function levelRank(settings: Pick<OrgSettings, 'levels'>, level: string): number {
  const i = settings.levels.indexOf(level);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** Whether someone with `clearance` may see content at `level`. */
export function clears(settings: Pick<OrgSettings, 'levels'>, clearance: string, level: string): boolean {
  const c = settings.levels.indexOf(clearance);
  return c >= 0 && c >= levelRank(settings, level);
}

const OPEN: LevelPolicy = { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, retentionDays: null, mfaRequired: false, e2eeRequired: false };

/** The policy of a level (levels without an explicit policy are unrestricted). */
export function levelPolicy(settings: Pick<OrgSettings, 'levelPolicies'>, level: string): LevelPolicy {
  return { ...OPEN, ...(settings.levelPolicies[level] ?? {}) };
}

type LevelReader = Pick<Actor, 'kind' | 'clearance' | 'mfaVerified'>;

/** Whether `actor`'s clearance reaches `level` (system actors see everything; no clearance sees nothing). */
export function actorClears(settings: Pick<OrgSettings, 'levels'>, actor: LevelReader, level: string): boolean {
  return actor.kind === 'system' || (!!actor.clearance && clears(settings, actor.clearance, level));
}

/**
 * Why `actor` may not read content at `level` (ACL-3), or null when they may: first clearance
 * (callers answer not_found), then the level's MFA rule (callers answer forbidden). One rule for
 * conversations, files and search results alike.
 */
export function levelDenial(settings: Pick<OrgSettings, 'levels' | 'levelPolicies'>, actor: LevelReader, level: string): 'clearance' | 'level_mfa' | null {
  if (actor.kind === 'system') return null;
  if (!actorClears(settings, actor, level)) return 'clearance';
  if (levelPolicy(settings, level).mfaRequired && !actor.mfaVerified) return 'level_mfa';
  return null;
}

/** Default policies for the default levels: confidential and secret are not forwarded or downloaded. */
export function defaultLevelPolicies(): Record<string, LevelPolicy> {
  return {
    public: { ...OPEN },
    internal: { ...OPEN },
    confidential: { ...OPEN, forwardingAllowed: false, downloadsAllowed: false },
    secret: { ...OPEN, forwardingAllowed: false, copyAllowed: false, downloadsAllowed: false, mfaRequired: true },
  };
}

/** Whether content at `level` is shown with the viewer's watermark (DLP-2): from `watermarkFromLevel` up. */
export function watermarked(settings: Pick<OrgSettings, 'levels' | 'watermarkFromLevel'>, level: string): boolean {
  return settings.watermarkFromLevel !== null && levelRank(settings, level) >= levelRank(settings, settings.watermarkFromLevel);
}
