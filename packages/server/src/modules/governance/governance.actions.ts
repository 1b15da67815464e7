/**
 * Governance writes (GOV-1, GOV-2), each through runAction: retention policies and legal
 * minimums, legal holds, starting a retention run. Compliance permissions only; admins have
 * none of them by default (separation of duties).
 */
import { RETENTION_KINDS, type BodyOf, type ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import * as convStore from '../conversations/conversations.store';
import * as identity from '../identity/identity.store';
import { requirePermission } from '../identity/identity.policy';
import { getOrgSettings } from '../org/org.store';
import { presentHold, presentPolicy, presentRun } from './governance.presenter';
import * as store from './governance.store';
import type { RetentionRunner } from './retention.runner';

export class GovernanceActions {
  constructor(private readonly svc: Services, private readonly runner: RetentionRunner) {}

  /**
   * Sets the policy of one scope. A level or conversation policy below the level's legal
   * minimum is refused (400); a broad one (org, kind) is accepted and raised to each level's
   * minimum where it applies, which the answer's warnings spell out.
   */
  async setPolicy(actor: UserActor, body: BodyOf<'setRetentionPolicy'>): Promise<ResponseOf<'setRetentionPolicy'>> {
    const target = body.target ?? '';
    const days = body.deleteAfterDays;
    const { row, warnings } = await this.svc.runner.run(actor, 'governance.retention_policy_set', { targetType: 'retention_policy', details: { scope: body.scope, target, deleteAfterDays: days } }, async (ctx) => {
      requirePermission(actor, 'retention.manage');
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const minimums = await store.listMinimums(ctx.trx, actor.orgId);
      const warnings: string[] = [];
      let level: string | null = null;
      if (body.scope === 'org' && target !== '') throw invalid('target', 'must be empty for an organisation-wide policy');
      if (body.scope === 'kind' && !(RETENTION_KINDS as readonly string[]).includes(target)) throw invalid('target', `must be a conversation kind: ${RETENTION_KINDS.join(', ')}`);
      if (body.scope === 'level') {
        if (!settings.levels.includes(target)) throw invalid('target', `must be a confidentiality level: ${settings.levels.join(', ')}`);
        level = target;
      }
      if (body.scope === 'conversation') {
        const conv = await convStore.findConversation(ctx.trx, actor.orgId, target);
        if (!conv) throw invalid('target', 'must be the id of a conversation of this organisation');
        level = conv.level;
      }
      if (days !== null) {
        if (level !== null) {
          const min = minimums.get(level)?.minDays;
          if (min !== undefined && days < min) throw invalid('deleteAfterDays', `${days} days is shorter than the legal minimum of ${min} days for level "${level}"`);
        } else {
          for (const [lvl, m] of minimums) if (days < m.minDays) warnings.push(`content at level "${lvl}" is kept for its legal minimum of ${m.minDays} days instead`);
        }
      }
      const existing = await store.findPolicyByScope(ctx.trx, actor.orgId, body.scope, target);
      const row: store.PolicyRow = {
        id: existing?.id ?? newId(ctx.now), org_id: actor.orgId, scope: body.scope, target, delete_after_days: days,
        created_by: existing?.created_by ?? actor.userId, created_at: existing?.created_at ?? ctx.now, updated_at: ctx.now,
      };
      await store.upsertPolicy(ctx.trx, row);
      ctx.target('retention_policy', row.id);
      ctx.detail({ replaced: !!existing, previousDays: existing ? existing.delete_after_days : undefined, warnings: warnings.length });
      return { row, warnings };
    });
    return { policy: presentPolicy(row), warnings };
  }

  async deletePolicy(actor: UserActor, id: string): Promise<ResponseOf<'deleteRetentionPolicy'>> {
    await this.svc.runner.run(actor, 'governance.retention_policy_delete', { targetType: 'retention_policy', targetId: id }, async (ctx) => {
      requirePermission(actor, 'retention.manage');
      const row = await store.findPolicy(ctx.trx, actor.orgId, id);
      if (!row) throw notFound('retention policy');
      ctx.detail({ scope: row.scope, target: row.target, deleteAfterDays: row.delete_after_days });
      await store.deletePolicy(ctx.trx, id);
    });
    return { ok: true };
  }

  /** A legal minimum cannot be set above a level or conversation policy that already deletes sooner: fix the policy first. */
  async setMinimum(actor: UserActor, level: string, minDays: number): Promise<ResponseOf<'setRetentionMinimum'>> {
    await this.svc.runner.run(actor, 'governance.retention_minimum_set', { targetType: 'level', targetId: level, details: { minDays } }, async (ctx) => {
      requirePermission(actor, 'retention.manage');
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      if (!settings.levels.includes(level)) throw invalid('level', `must be a confidentiality level: ${settings.levels.join(', ')}`);
      for (const p of await store.listPolicies(ctx.trx, actor.orgId)) {
        if (p.delete_after_days === null || Number(p.delete_after_days) >= minDays) continue;
        const applies = (p.scope === 'level' && p.target === level)
          || (p.scope === 'conversation' && (await convStore.findConversation(ctx.trx, actor.orgId, p.target))?.level === level);
        if (applies) throw new AppError('conflict', `the ${p.scope} policy ${p.id} deletes after ${p.delete_after_days} days, sooner than ${minDays}: change it first`, { policyId: p.id });
      }
      await store.setMinimum(ctx.trx, actor.orgId, level, minDays, ctx.now);
    });
    return { minimum: { level, minDays, updatedAt: this.svc.clock.now() } };
  }

  async deleteMinimum(actor: UserActor, level: string): Promise<ResponseOf<'deleteRetentionMinimum'>> {
    await this.svc.runner.run(actor, 'governance.retention_minimum_delete', { targetType: 'level', targetId: level }, async (ctx) => {
      requirePermission(actor, 'retention.manage');
      if (!(await store.deleteMinimum(ctx.trx, actor.orgId, level))) throw notFound('legal minimum');
    });
    return { ok: true };
  }

  async startRun(actor: UserActor): Promise<ResponseOf<'startRetentionRun'>> {
    return { run: presentRun(await this.runner.start(actor, 'manual')) };
  }

  async createHold(actor: UserActor, body: BodyOf<'createLegalHold'>): Promise<ResponseOf<'createLegalHold'>> {
    const row = await this.svc.runner.run(actor, 'governance.hold_create', { targetType: 'legal_hold', details: { kind: body.kind } }, async (ctx) => {
      requirePermission(actor, 'legal_hold.manage');
      if (body.custodianId && !(await identity.findUserById(ctx.trx, actor.orgId, body.custodianId))) throw invalid('custodianId', 'must be the id of a user of this organisation');
      if (body.conversationId && !(await convStore.findConversation(ctx.trx, actor.orgId, body.conversationId))) throw invalid('conversationId', 'must be the id of a conversation of this organisation');
      const row: store.HoldRow = {
        id: newId(ctx.now), org_id: actor.orgId, name: body.name, kind: body.kind, custodian_id: body.custodianId ?? null,
        conversation_id: body.conversationId ?? null, query: body.query ? JSON.stringify(body.query) : null, reason: body.reason,
        created_by: actor.userId, created_at: ctx.now, released_by: null, released_at: null, release_reason: null,
      };
      await store.insertHold(ctx.trx, row);
      ctx.target('legal_hold', row.id);
      ctx.detail({ custodianId: row.custodian_id, conversationId: row.conversation_id });
      return row;
    });
    return { hold: presentHold(row) };
  }

  async releaseHold(actor: UserActor, id: string, reason: string): Promise<ResponseOf<'releaseLegalHold'>> {
    const row = await this.svc.runner.run(actor, 'governance.hold_release', { targetType: 'legal_hold', targetId: id }, async (ctx) => {
      requirePermission(actor, 'legal_hold.manage');
      const hold = await store.findHold(ctx.trx, actor.orgId, id);
      if (!hold) throw notFound('legal hold');
      if (hold.released_at !== null) throw new AppError('conflict', 'the legal hold was already released');
      await store.releaseHold(ctx.trx, id, actor.userId, ctx.now, reason);
      return (await store.findHold(ctx.trx, actor.orgId, id))!;
    });
    return { hold: presentHold(row) };
  }
}
