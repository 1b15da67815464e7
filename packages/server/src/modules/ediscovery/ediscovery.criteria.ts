/**
 * Checks and resolves a request's criteria (GOV-5) against the organisation: levels exist and
 * are cleared, custodians and conversations exist, keywords have searchable words, and the
 * range is not absurd. Every refusal names the request field (rule 4).
 */
import type { OrgSettings } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, invalid } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import { actorClears, levelRank } from '../access/levels';
import { parseQuery } from '../search/search.tokens';
import type { StoredCriteria } from './ediscovery.store';

/** The criteria as a request gives them (after schema validation). */
export interface CriteriaInput { custodians: string[]; conversationIds: string[]; from: number; to: number; keywords: string[]; levels?: string[] }

/** Criteria ready to store and run: levels resolved, keywords normalised. */
export interface ResolvedCriteria extends StoredCriteria { keywords: string[] }

/** A start more than a day ahead cannot match anything yet: a mistake, not a request. */
const FUTURE_SLACK_MS = 86_400_000;

export async function resolveCriteria(db: Trx, actor: UserActor, settings: OrgSettings, c: CriteriaInput, now: number): Promise<ResolvedCriteria> {
  if (c.from > now + FUTURE_SLACK_MS) throw invalid('body.from', 'is in the future: there is nothing to export yet');
  const custodians = [...new Set(c.custodians)];
  const conversationIds = [...new Set(c.conversationIds)];

  if (custodians.length) {
    const found = new Set((await db.selectFrom('users').select('id').where('org_id', '=', actor.orgId).where('id', 'in', custodians).execute()).map((r) => r.id));
    const i = c.custodians.findIndex((id) => !found.has(id));
    if (i >= 0) throw invalid(`body.custodians.${i}`, `unknown user ${c.custodians[i]}`);
  }

  const convLevels = new Map<string, string>();
  if (conversationIds.length) {
    const rows = await db.selectFrom('conversations').select(['id', 'level']).where('org_id', '=', actor.orgId).where('id', 'in', conversationIds).execute();
    // Above the officer's clearance looks exactly like missing (rule 2).
    for (const r of rows) if (actorClears(settings, actor, r.level)) convLevels.set(r.id, r.level);
    const i = c.conversationIds.findIndex((id) => !convLevels.has(id));
    if (i >= 0) throw invalid(`body.conversationIds.${i}`, `unknown conversation ${c.conversationIds[i]}`);
  }

  let levels: string[];
  if (c.levels) {
    c.levels.forEach((l, i) => {
      if (!settings.levels.includes(l)) throw invalid(`body.levels.${i}`, `unknown level "${l}"; levels are ${settings.levels.join(', ')}`);
      if (!actorClears(settings, actor, l)) throw new AppError('forbidden', `body.levels.${i}: your clearance does not reach level "${l}"`, undefined, 'clearance');
    });
    levels = [...new Set(c.levels)];
  } else if (conversationIds.length) {
    levels = [...new Set(convLevels.values())];
  } else {
    levels = settings.levels.filter((l) => actorClears(settings, actor, l));
  }
  levels.sort((a, b) => levelRank(settings, a) - levelRank(settings, b));
  if (!levels.length) throw invalid('body.levels', 'your clearance reaches no level');

  const keywords: string[] = [];
  c.keywords.forEach((k, i) => {
    const q = parseQuery(k);
    if (!q.tokens.length || q.hasFile) throw invalid(`body.keywords.${i}`, 'has no searchable words (letters, digits or CJK characters; has:file is not a keyword)');
    const norm = k.trim();
    if (!keywords.includes(norm)) keywords.push(norm);
  });

  return { custodians, conversationIds, from: c.from, to: c.to, levels, keywords };
}
