/**
 * eDiscovery (GOV-5): route table and the module's wiring for the composition root
 * (`...ediscoveryRoutes(svc, audit.keys, content)` in app.ts).
 */
import { route, type RouteDef } from '../../http/route';
import type { Services } from '../../services';
import type { AuditKeys } from '../audit/signing-key';
import type { ContentModules } from '../files/content.module';
import { EdiscoveryActions } from './ediscovery.actions';
import { EdiscoveryQueries } from './ediscovery.queries';
import { EdiscoverySettingsService } from './ediscovery.settings';

export function ediscoveryRoutes(svc: Services, auditKeys: AuditKeys, content: Pick<ContentModules, 'search' | 'files'>): RouteDef[] {
  const actions = new EdiscoveryActions(svc, { search: content.search, files: content.files, auditKeys });
  const queries = new EdiscoveryQueries(svc, actions);
  const settings = new EdiscoverySettingsService(svc);
  return [
    route({ endpoint: 'createEdiscoveryExport', auth: 'session', action: 'ediscovery.request', status: 201, handler: ({ actor, body }) => actions.create(actor, body) }),
    route({ endpoint: 'listEdiscoveryExports', auth: 'session', action: 'ediscovery.list', handler: ({ actor, query }) => queries.list(actor, query) }),
    route({ endpoint: 'getEdiscoveryExport', auth: 'session', action: 'ediscovery.read', auditSuccess: { targetType: 'ediscovery_export' }, handler: ({ actor, params }) => queries.get(actor, params.id) }),
    route({ endpoint: 'approveEdiscoveryExport', auth: 'session', action: 'ediscovery.approve', handler: ({ actor, params }) => actions.approve(actor, params.id) }),
    route({ endpoint: 'refuseEdiscoveryExport', auth: 'session', action: 'ediscovery.refuse', handler: ({ actor, params, body }) => actions.refuse(actor, params.id, body.reason) }),
    route({ endpoint: 'downloadEdiscoveryExport', auth: 'session', action: 'compliance.export', handler: ({ actor, params }) => actions.download(actor, params.id) }),
    route({ endpoint: 'getEdiscoverySettings', auth: 'session', action: 'ediscovery.settings_read', handler: ({ actor }) => settings.get(actor) }),
    route({ endpoint: 'updateEdiscoverySettings', auth: 'session', action: 'ediscovery.settings_update', handler: ({ actor, body }) => settings.update(actor, body) }),
  ];
}
