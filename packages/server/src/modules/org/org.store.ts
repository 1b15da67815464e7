/** Organisation rows and settings. Only this file touches the orgs table. */
import { DEFAULT_LEVELS, type OrgSettings } from '@conclave/protocol';
import { defaultLevelPolicies } from '../access/levels';
import { defaultDlpSettings } from '../dlp/dlp.policy';
import type { ActionContext } from '../../kernel/action';
import type { Trx } from '../../storage/tx';

/** Settings every new organisation starts with (documented in docs/CONFIGURATION.md). */
export function defaultOrgSettings(name: string): OrgSettings {
  return {
    name,
    mfaRequiredRoles: [],
    // NIST SP 800-63B: length over composition rules.
    passwordPolicy: { minLength: 12, requireMixedCase: false, requireDigit: false, requireSymbol: false },
    sessionTtlHours: 24 * 7,
    maxMessageBytes: 40_000,
    editHistoryVisibleTo: 'author_and_admins',
    levels: [...DEFAULT_LEVELS],
    levelPolicies: defaultLevelPolicies(),
    defaultLevel: 'internal',
    directoryVisibility: 'all',
    historyVisibleToNewMembers: true,
    guestDmToNonMembers: false,
    dualControlRoleGrants: false,
    preset: null,
    fileMaxBytes: 100 * 1024 * 1024,
    fileMaxBytesByLevel: {},
    fileBlockedExtensions: [],
    watermarkFromLevel: 'confidential',
    dlp: defaultDlpSettings(),
    maskPersonalData: 'external',
  };
}

export async function insertOrg(trx: Trx, id: string, settings: OrgSettings, now: number): Promise<void> {
  await trx.insertInto('orgs').values({ id, name: settings.name, settings: JSON.stringify(settings), created_at: now }).execute();
}

/** The first (and, for now, only) organisation of the deployment, or undefined before bootstrap. */
export async function findDefaultOrg(db: Trx): Promise<{ id: string; settings: OrgSettings } | undefined> {
  const row = await db.selectFrom('orgs').select(['id', 'settings', 'name']).orderBy('created_at').limit(1).executeTakeFirst();
  return row ? { id: row.id, settings: parseSettings(row.name, row.settings) } : undefined;
}

/**
 * Settings are read on most requests (levels, policies), so they are cached per node for one
 * second; a write on this node clears the cache at once, other nodes follow within a second.
 */
const CACHE_MS = 1_000;
const cache = new Map<string, { at: number; settings: OrgSettings }>();
/**
 * Bumped by every write and forget: a read that was under way meanwhile (e.g. a background job's,
 * slow under load) may have read the old row and must not put it back into the cache, where it
 * would shadow the new settings for a second.
 */
const generations = new Map<string, number>();

export async function getOrgSettings(db: Trx, orgId: string): Promise<OrgSettings> {
  const hit = cache.get(orgId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const generation = generations.get(orgId) ?? 0;
  const row = await db.selectFrom('orgs').select(['name', 'settings']).where('id', '=', orgId).executeTakeFirstOrThrow();
  const settings = parseSettings(row.name, row.settings);
  if ((generations.get(orgId) ?? 0) === generation) cache.set(orgId, { at: Date.now(), settings });
  return settings;
}

/**
 * Writes the settings inside the caller's action. The cache is dropped now and again once the
 * transaction has committed: a read between the two sees the old committed row and may cache it,
 * and without the second drop this node would serve those old settings for up to a second after
 * the change was acknowledged.
 */
export async function saveOrgSettings(ctx: Pick<ActionContext, 'trx' | 'afterCommit'>, orgId: string, settings: OrgSettings): Promise<void> {
  forgetOrgSettings(orgId);
  await ctx.trx.updateTable('orgs').set({ name: settings.name, settings: JSON.stringify(settings) }).where('id', '=', orgId).execute();
  ctx.afterCommit(() => forgetOrgSettings(orgId));
}

/** Drops cached settings (after a transaction that changed them commits or rolls back). */
export function forgetOrgSettings(orgId: string): void {
  generations.set(orgId, (generations.get(orgId) ?? 0) + 1);
  cache.delete(orgId);
}

function parseSettings(name: string, json: string): OrgSettings {
  // Settings added by later versions get their defaults when an older row lacks them.
  return { ...defaultOrgSettings(name), ...(JSON.parse(json) as Partial<OrgSettings>), name };
}
