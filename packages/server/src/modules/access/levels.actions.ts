/**
 * Editing the ordered confidentiality level list (ACL-2): PUT /api/v1/admin/levels. One audited
 * action replaces the list — add, relabel, reorder, remove — so that a reorder and the removal
 * it makes possible are one change in the audit log, not several half-states.
 *
 * Names are permanent identifiers (stored on conversations, files, clearances, policies);
 * labels are what people see and may change at any time. A level is removed only when nothing
 * refers to it any more (409 `conflict` naming it, with details.usage); the default level and
 * the watermark threshold are refused the same way, so a removal never silently moves data or
 * people to another level.
 */
import type { BodyOf, LevelPolicy, OrgSettings, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { conflict, invalid } from '../../kernel/errors';
import type { Services } from '../../services';
import { getOrgSettings, saveOrgSettings } from '../org/org.store';
import { requirePermission } from '../identity/identity.policy';
import { levelPolicy } from './levels';
import { levelUsage, unused, type LevelUsage } from './levels.store';

/** "3 conversations, 2 clearances": the non-zero counts of a usage, for the error message. */
function usageText(u: LevelUsage): string {
  const parts: [number, string][] = [
    [u.conversations, 'conversations'], [u.clearances, 'user clearances'], [u.files, 'files'],
    [u.retentionPolicies, 'retention policies'], [u.retentionMinimums, 'legal minimums'], [u.archiveLevels, 'compliance archive settings'],
  ];
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ');
}

/**
 * The policy a new level starts with: a copy of the nearest existing level below it (above it,
 * when it is the new lowest), so that adding a level never opens content an admin meant to
 * close; the admin tunes it afterwards in the level policy table.
 */
function inheritedPolicy(current: OrgSettings, names: string[], i: number): LevelPolicy {
  const existed = (n: string | undefined) => n !== undefined && current.levels.includes(n);
  for (let j = i - 1; j >= 0; j--) if (existed(names[j])) return levelPolicy(current, names[j]!);
  for (let j = i + 1; j < names.length; j++) if (existed(names[j])) return levelPolicy(current, names[j]!);
  return levelPolicy(current, ''); // no neighbour existed: the open default
}

/** Keeps only the entries of `record` whose key is a level of `names`. */
function onlyLevels<T>(record: Record<string, T>, names: string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => names.includes(k)));
}

/** Replaces the level list (org.update_settings); see the file comment for the rules. */
export async function updateLevels(svc: Services, actor: UserActor, body: BodyOf<'updateLevels'>): Promise<ResponseOf<'updateLevels'>> {
  const names = body.levels.map((l) => l.name);
  const settings = await svc.runner.run(actor, 'org.update_levels', { targetType: 'org', targetId: actor.orgId, details: { levels: names } }, async (ctx) => {
    requirePermission(actor, 'org.update_settings');
    const current = await getOrgSettings(ctx.trx, actor.orgId);

    const dupName = names.find((n, i) => names.indexOf(n) !== i);
    if (dupName) throw invalid('levels', `level names must be unique: "${dupName}" appears twice`);
    // What people see must tell levels apart too: a label may not repeat another level's label or name.
    const shown = body.levels.map((l) => (l.label?.trim() || l.name).toLocaleLowerCase());
    const dupShown = body.levels.find((_, i) => shown.indexOf(shown[i]!) !== i);
    if (dupShown) throw invalid('levels', `level labels must be unique: "${dupShown.label?.trim() || dupShown.name}" is used twice`);

    const defaultLevel = body.defaultLevel ?? current.defaultLevel;
    if (!names.includes(defaultLevel)) {
      if (body.defaultLevel) throw invalid('defaultLevel', `"${defaultLevel}" is not one of the levels`);
      throw conflict(`level "${defaultLevel}" is the default level; choose another default before removing it`, { reason: 'default_level', level: defaultLevel });
    }
    const removed = current.levels.filter((l) => !names.includes(l));
    if (current.watermarkFromLevel && removed.includes(current.watermarkFromLevel)) {
      throw conflict(`watermarks start at level "${current.watermarkFromLevel}" (organisation settings); choose another level there before removing it`,
        { reason: 'watermark_level', level: current.watermarkFromLevel });
    }
    const usage = await levelUsage(ctx.trx, actor.orgId, removed);
    const inUse = removed.filter((l) => !unused(usage.get(l)!));
    if (inUse.length) {
      const first = inUse[0]!;
      throw conflict(`level "${first}" is still in use (${usageText(usage.get(first)!)}); move them to another level before removing it`, {
        reason: 'level_in_use', level: first, usage: usage.get(first), inUse: inUse.map((level) => ({ level, ...usage.get(level)! })),
      });
    }

    const levelPolicies: Record<string, LevelPolicy> = {};
    names.forEach((name, i) => { levelPolicies[name] = current.levels.includes(name) ? levelPolicy(current, name) : inheritedPolicy(current, names, i); });
    const levelLabels = Object.fromEntries(body.levels.filter((l) => l.label?.trim() && l.label.trim() !== l.name).map((l) => [l.name, l.label!.trim()]));
    const next: OrgSettings = {
      ...current, levels: names, levelPolicies, levelLabels, defaultLevel,
      // Settings keyed by a removed level go with it (the level is unused, so they govern nothing).
      fileMaxBytesByLevel: onlyLevels(current.fileMaxBytesByLevel, names),
      dlp: { ...current.dlp, levelActions: onlyLevels(current.dlp.levelActions, names) },
    };
    const before = current.levelLabels ?? {};
    ctx.detail({
      previous: current.levels,
      added: names.filter((l) => !current.levels.includes(l)),
      removed,
      reordered: current.levels.filter((l) => names.includes(l)).join() !== names.filter((l) => current.levels.includes(l)).join(),
      relabelled: names.filter((l) => current.levels.includes(l) && (before[l] ?? '') !== (levelLabels[l] ?? '')),
      ...(defaultLevel !== current.defaultLevel ? { defaultLevel, previousDefault: current.defaultLevel } : {}),
    });
    await saveOrgSettings(ctx, actor.orgId, next);
    return next;
  });
  return { settings };
}
