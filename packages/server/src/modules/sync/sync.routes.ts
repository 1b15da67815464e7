/** Route table for sync. The WebSocket lives in ws/, on the same data. */
import { route, type RouteDef } from '../../http/route';
import type { SyncQueries } from './sync.queries';

export function syncRoutes(queries: SyncQueries): RouteDef[] {
  return [
    route({ endpoint: 'sync', auth: 'session', action: 'sync.read', handler: ({ actor, query }) => queries.events(actor.orgId, actor.userId, query.since, query.limit ?? 500, actor.mfaVerified) }),
  ];
}
