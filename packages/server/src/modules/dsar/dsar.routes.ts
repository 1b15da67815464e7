/** Route table for data-subject requests (GOV-3). Deciding needs an MFA session: an approved erasure cannot be undone. */
import { route, type RouteDef } from '../../http/route';
import type { DsarActions } from './dsar.actions';
import type { DsarQueries } from './dsar.queries';

export function dsarRoutes(actions: DsarActions, queries: DsarQueries): RouteDef[] {
  return [
    route({ endpoint: 'openDsarRequest', auth: 'session', action: 'dsar.open', status: 201, handler: ({ actor, body }) => actions.open(actor, body) }),
    route({ endpoint: 'listMyDsarRequests', auth: 'session', action: 'dsar.list_mine', handler: ({ actor }) => queries.mine(actor) }),
    route({ endpoint: 'listDsarRequests', auth: 'session', action: 'dsar.list', handler: ({ actor, query }) => queries.list(actor, query) }),
    route({ endpoint: 'getDsarRequest', auth: 'session', action: 'dsar.read', handler: ({ actor, params }) => queries.get(actor, params.id) }),
    route({ endpoint: 'cancelDsarRequest', auth: 'session', action: 'dsar.cancel', handler: ({ actor, params, body }) => actions.cancel(actor, params.id, body?.reason) }),
    route({ endpoint: 'decideDsarRequest', auth: 'mfa', action: 'dsar.decide', handler: ({ actor, params, body }) => actions.decide(actor, params.id, body) }),
    route({ endpoint: 'downloadDsarExport', auth: 'session', action: 'dsar.export_download', handler: ({ actor, params }) => queries.download(actor, params.id) }),
    route({ endpoint: 'getDsarSettings', auth: 'session', action: 'dsar.settings_read', handler: ({ actor }) => queries.settings(actor) }),
    route({ endpoint: 'updateDsarSettings', auth: 'session', action: 'dsar.settings_update', handler: ({ actor, body }) => actions.updateSettings(actor, body) }),
    route({ endpoint: 'listDsarAlerts', auth: 'session', action: 'dsar.alerts', handler: ({ actor, query }) => queries.alerts(actor, query) }),
  ];
}
