/** Route table for search (MSG-3). */
import { route, type RouteDef } from '../../http/route';
import type { SearchQueries } from './search.queries';

export function searchRoutes(queries: SearchQueries): RouteDef[] {
  return [
    route({ endpoint: 'search', auth: 'session', action: 'search.query', handler: ({ actor, query }) => queries.search(actor, query) }),
  ];
}
