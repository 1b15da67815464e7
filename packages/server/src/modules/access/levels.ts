/**
 * Confidentiality levels (ACL-2): an ordered list per organisation. A user sees a level when
 * their clearance ranks at or above it. A level missing from the list ranks above everything,
 * so a misconfiguration denies rather than leaks.
 */
import type { LevelPolicy, OrgSettings } from '@conclave/protocol';

export function levelRank(settings: Pick<OrgSettings, 'levels'>, level: string): number {
  const i = settings.levels.indexOf(level);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** Whether someone with `clearance` may see content at `level`. */
export function clears(settings: Pick<OrgSettings, 'levels'>, clearance: string, level: string): boolean {
  const c = settings.levels.indexOf(clearance);
  return c >= 0 && c >= levelRank(settings, level);
}

const OPEN: LevelPolicy = { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, retentionDays: null, mfaRequired: false };

/** The policy of a level (levels without an explicit policy are unrestricted). */
export function levelPolicy(settings: Pick<OrgSettings, 'levelPolicies'>, level: string): LevelPolicy {
  return { ...OPEN, ...(settings.levelPolicies[level] ?? {}) };
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
