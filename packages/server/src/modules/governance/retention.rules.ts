/**
 * Which retention applies to a conversation (GOV-1). Contradicting policies resolve by
 * specificity — conversation, then level, then kind, then org, then the level's default from
 * the access-control level policies — and the winner is raised to the level's legal minimum.
 * A more specific "keep forever" beats a broader deletion. The explanation says all of this
 * for the conversation at hand.
 */
import type { EffectiveRetention, OrgSettings } from '@conclave/protocol';
import { levelPolicy } from '../access/levels';
import type { PolicyRow } from './governance.store';

export interface RetentionInputs {
  policies: PolicyRow[];
  minimums: Map<string, { minDays: number }>;
  settings: Pick<OrgSettings, 'levelPolicies'>;
}

type Candidate = EffectiveRetention['candidates'][number];

export function resolveRetention(conv: { id: string; kind: string; level: string }, inputs: RetentionInputs): EffectiveRetention {
  const find = (scope: string, target: string) => inputs.policies.find((p) => p.scope === scope && p.target === target);
  const found: Array<Omit<Candidate, 'outcome'>> = [];
  const add = (source: Candidate['source'], target: string, p: PolicyRow | undefined) => {
    if (p) found.push({ source, target, policyId: p.id, deleteAfterDays: p.delete_after_days === null ? null : Number(p.delete_after_days) });
  };
  add('conversation', conv.id, find('conversation', conv.id));
  add('level', conv.level, find('level', conv.level));
  add('kind', conv.kind, find('kind', conv.kind));
  add('org', '', find('org', ''));
  const levelDefault = levelPolicy(inputs.settings, conv.level).retentionDays;
  if (levelDefault !== null && levelDefault !== undefined) found.push({ source: 'level_default', target: conv.level, policyId: null, deleteAfterDays: levelDefault });

  const winner = found[0];
  const candidates: Candidate[] = found.map((c, i) => ({ ...c, outcome: i === 0 ? 'applies' : 'overridden' }));
  const minimum = inputs.minimums.get(conv.level)?.minDays ?? null;
  let days = winner ? winner.deleteAfterDays : null;
  let raised = false;
  if (days !== null && minimum !== null && days < minimum) {
    days = minimum;
    raised = true;
  }
  return {
    conversationId: conv.id, kind: conv.kind, level: conv.level, deleteAfterDays: days, minimumDays: minimum, raisedToMinimum: raised, candidates,
    explanation: explain(winner, days, minimum, raised, found.length),
  };
}

function explain(winner: Omit<Candidate, 'outcome'> | undefined, days: number | null, minimum: number | null, raised: boolean, count: number): string {
  if (!winner) return 'No retention policy covers this conversation: its content is kept until someone deletes it.';
  const what = winner.source === 'level_default' ? `the default of level "${winner.target}"` : winner.source === 'org' ? 'the organisation-wide policy' : `the ${winner.source} policy (${winner.target})`;
  const rule = winner.deleteAfterDays === null ? 'keep forever' : `delete after ${winner.deleteAfterDays} days`;
  let text = `${what} applies: ${rule}.`;
  if (count > 1) text += ` It is the most specific of ${count} matching rules (conversation > level > kind > organisation > level default); the others are overridden.`;
  if (raised) text += ` It is raised to the level's legal minimum of ${minimum} days.`;
  else if (minimum !== null) text += ` The level's legal minimum is ${minimum} days.`;
  if (days !== null) text += ' Legal holds still keep anything they cover.';
  return text;
}
