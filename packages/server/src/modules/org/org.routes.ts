/** Route table for organisation settings. */
import { route, type RouteDef } from '../../http/route';
import type { OrgActions } from './org.actions';

export function orgRoutes(actions: OrgActions): RouteDef[] {
  return [
    route({ endpoint: 'getOrgSettings', auth: 'session', action: 'org.read_settings', handler: ({ actor }) => actions.get(actor) }),
    route({ endpoint: 'updateOrgSettings', auth: 'session', action: 'org.update_settings', handler: ({ actor, body }) => actions.update(actor, body) }),
  ];
}
