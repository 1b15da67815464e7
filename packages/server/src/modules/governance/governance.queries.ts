/** Governance reads (GOV-1, GOV-2): policies, effective retention, holds, runs, receipts. Compliance only. */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import { outboundDestinations } from '../../kernel/outbound';
import type { Services } from '../../services';
import * as convStore from '../conversations/conversations.store';
import { requirePermission } from '../identity/identity.policy';
import { getOrgSettings } from '../org/org.store';
import { presentHold, presentPolicy, presentRun, receiptCounts } from './governance.presenter';
import * as store from './governance.store';
import { resolveRetention } from './retention.rules';
import type { RetentionRunner } from './retention.runner';

export class GovernanceQueries {
  constructor(private readonly svc: Services, private readonly runner: RetentionRunner) {}

  async policies(actor: UserActor): Promise<ResponseOf<'listRetentionPolicies'>> {
    requirePermission(actor, 'retention.manage');
    const db = this.svc.database.db;
    const minimums = await store.listMinimums(db, actor.orgId);
    return {
      policies: (await store.listPolicies(db, actor.orgId)).map(presentPolicy),
      minimums: [...minimums].map(([level, m]) => ({ level, minDays: m.minDays, updatedAt: m.updatedAt })),
    };
  }

  async effective(actor: UserActor, conversationId: string): Promise<ResponseOf<'effectiveRetention'>> {
    requirePermission(actor, 'retention.manage');
    const db = this.svc.database.db;
    const conv = await convStore.findConversation(db, actor.orgId, conversationId);
    if (!conv) throw notFound('conversation');
    const inputs = { policies: await store.listPolicies(db, actor.orgId), minimums: await store.listMinimums(db, actor.orgId), settings: await getOrgSettings(db, actor.orgId) };
    return { retention: resolveRetention(conv, inputs) };
  }

  async preview(actor: UserActor): Promise<ResponseOf<'previewRetention'>> {
    requirePermission(actor, 'retention.manage');
    return { counts: (await this.runner.preview(actor.orgId)).counts, at: this.svc.clock.now() };
  }

  async runs(actor: UserActor): Promise<ResponseOf<'listRetentionRuns'>> {
    requirePermission(actor, 'retention.manage');
    return { runs: (await store.listRuns(this.svc.database.db, actor.orgId)).map(presentRun) };
  }

  async run(actor: UserActor, id: string): Promise<ResponseOf<'getRetentionRun'>> {
    requirePermission(actor, 'retention.manage');
    const row = await store.findRun(this.svc.database.db, actor.orgId, id);
    if (!row) throw notFound('retention run');
    return { run: presentRun(row) };
  }

  /** Holds are visible to compliance officers only (GOV-1): nobody else learns who is held. */
  async holds(actor: UserActor): Promise<ResponseOf<'listLegalHolds'>> {
    requirePermission(actor, 'legal_hold.manage');
    return { holds: (await store.listHolds(this.svc.database.db, actor.orgId, false)).map(presentHold) };
  }

  async receipts(actor: UserActor): Promise<ResponseOf<'listDeletionReceipts'>> {
    this.requireReceiptReader(actor);
    const rows = await store.listReceipts(this.svc.database.db, actor.orgId);
    return { receipts: rows.map((r) => ({ id: r.id, kind: r.kind, createdAt: Number(r.created_at), hash: r.hash, counts: receiptCounts(r) })) };
  }

  async receipt(actor: UserActor, id: string): Promise<ResponseOf<'getDeletionReceipt'>> {
    this.requireReceiptReader(actor);
    const row = await store.findReceipt(this.svc.database.db, actor.orgId, id);
    if (!row) throw notFound('deletion receipt');
    return { receipt: JSON.parse(row.body) as Record<string, unknown>, hash: row.hash, signature: row.signature, keyFingerprint: row.key_fingerprint };
  }

  /** Data residency (GOV-4): what this deployment may connect to, from its configuration. */
  async outbound(actor: UserActor): Promise<ResponseOf<'listOutbound'>> {
    if (!['org.update_settings', 'audit.read', 'retention.manage'].some((p) => actor.permissions.has(p as never))) {
      throw forbidden('you need org.update_settings, audit.read or retention.manage', 'missing_permission:org.update_settings');
    }
    return { destinations: outboundDestinations(this.svc.config), blockSetting: 'CONCLAVE_OUTBOUND_BLOCK' };
  }

  /** Receipts are proof for auditors as much as for compliance officers. */
  private requireReceiptReader(actor: UserActor): void {
    if (!actor.permissions.has('retention.manage') && !actor.permissions.has('audit.read')) throw forbidden('you need the retention.manage or audit.read permission', 'missing_permission:retention.manage');
  }
}
