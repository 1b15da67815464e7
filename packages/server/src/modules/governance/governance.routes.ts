/** Route table for data governance (GOV-1, GOV-2). */
import { route, type RouteDef } from '../../http/route';
import type { GovernanceActions } from './governance.actions';
import type { GovernanceQueries } from './governance.queries';

export function governanceRoutes(actions: GovernanceActions, queries: GovernanceQueries): RouteDef[] {
  return [
    route({ endpoint: 'listRetentionPolicies', auth: 'session', action: 'governance.retention_policies', handler: ({ actor }) => queries.policies(actor) }),
    route({ endpoint: 'setRetentionPolicy', auth: 'session', action: 'governance.retention_policy_set', handler: ({ actor, body }) => actions.setPolicy(actor, body) }),
    route({ endpoint: 'deleteRetentionPolicy', auth: 'session', action: 'governance.retention_policy_delete', handler: ({ actor, params }) => actions.deletePolicy(actor, params.id) }),
    route({ endpoint: 'setRetentionMinimum', auth: 'session', action: 'governance.retention_minimum_set', handler: ({ actor, params, body }) => actions.setMinimum(actor, params.level, body.minDays) }),
    route({ endpoint: 'deleteRetentionMinimum', auth: 'session', action: 'governance.retention_minimum_delete', handler: ({ actor, params }) => actions.deleteMinimum(actor, params.level) }),
    route({ endpoint: 'effectiveRetention', auth: 'session', action: 'governance.retention_effective', handler: ({ actor, params }) => queries.effective(actor, params.conversationId) }),
    route({ endpoint: 'previewRetention', auth: 'session', action: 'governance.retention_preview', handler: ({ actor }) => queries.preview(actor) }),
    route({ endpoint: 'startRetentionRun', auth: 'session', action: 'governance.retention_start', status: 201, handler: ({ actor }) => actions.startRun(actor) }),
    route({ endpoint: 'listRetentionRuns', auth: 'session', action: 'governance.retention_runs', handler: ({ actor }) => queries.runs(actor) }),
    route({ endpoint: 'getRetentionRun', auth: 'session', action: 'governance.retention_run_read', handler: ({ actor, params }) => queries.run(actor, params.id) }),
    route({ endpoint: 'listLegalHolds', auth: 'session', action: 'governance.holds', handler: ({ actor }) => queries.holds(actor) }),
    route({ endpoint: 'createLegalHold', auth: 'session', action: 'governance.hold_create', status: 201, handler: ({ actor, body }) => actions.createHold(actor, body) }),
    route({ endpoint: 'releaseLegalHold', auth: 'session', action: 'governance.hold_release', handler: ({ actor, params, body }) => actions.releaseHold(actor, params.id, body.reason) }),
    route({ endpoint: 'listDeletionReceipts', auth: 'session', action: 'governance.receipts', handler: ({ actor }) => queries.receipts(actor) }),
    route({ endpoint: 'getDeletionReceipt', auth: 'session', action: 'governance.receipt_read', handler: ({ actor, params }) => queries.receipt(actor, params.id) }),
    route({ endpoint: 'listOutbound', auth: 'session', action: 'governance.outbound', handler: ({ actor }) => queries.outbound(actor) }),
  ];
}
