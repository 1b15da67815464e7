/** Route table for the audit trail and security alerts (AUD-1..3, MON-1). */
import { route, type RouteDef } from '../../http/route';
import type { AuditActions } from './audit.actions';
import type { AuditQueries } from './audit.queries';

export function auditRoutes(actions: AuditActions, queries: AuditQueries): RouteDef[] {
  return [
    route({ endpoint: 'searchAudit', auth: 'session', action: 'audit.search', handler: ({ actor, query }) => queries.search(actor, query) }),
    route({ endpoint: 'traceAudit', auth: 'session', action: 'audit.trace', handler: ({ actor, params, query }) => queries.trace(actor, params.id, query) }),
    route({ endpoint: 'listAuditCheckpoints', auth: 'session', action: 'audit.checkpoints', handler: ({ actor, query }) => queries.checkpoints(actor, query) }),
    route({ endpoint: 'listAuditKeys', auth: 'session', action: 'audit.keys', handler: ({ actor }) => queries.keyList(actor) }),
    route({ endpoint: 'exportAudit', auth: 'session', action: 'audit.export', status: 201, handler: ({ actor, body }) => actions.exportAudit(actor, body) }),
    route({ endpoint: 'listAlerts', auth: 'session', action: 'alerts.list', handler: ({ actor, query }) => queries.alerts(actor, query) }),
    route({ endpoint: 'getAlert', auth: 'session', action: 'alerts.read', handler: ({ actor, params }) => queries.alert(actor, params.id) }),
    route({ endpoint: 'acknowledgeAlert', auth: 'session', action: 'alerts.acknowledge', handler: ({ actor, params, body }) => actions.acknowledgeAlert(actor, params.id, body?.note) }),
  ];
}
