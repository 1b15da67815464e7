/**
 * The data-subject request module (GOV-3) as the composition root sees it: actions, queries,
 * the deadline scanner and the routes, built once in app.ts.
 */
import type { Services } from '../../services';
import type { FileActions } from '../files/files.actions';
import { DsarActions } from './dsar.actions';
import { DsarQueries } from './dsar.queries';
import { dsarRoutes } from './dsar.routes';
import { DsarDeadlines } from './deadlines';

export class DsarService {
  readonly actions: DsarActions;
  readonly queries: DsarQueries;
  readonly deadlines: DsarDeadlines;

  /** `files` reads uploaded content for exports (the blob store stays owned by the files module). */
  constructor(svc: Services, files: FileActions) {
    this.actions = new DsarActions(svc);
    this.queries = new DsarQueries(svc, this.actions, files);
    this.deadlines = new DsarDeadlines(svc);
  }

  routes() {
    return dsarRoutes(this.actions, this.queries);
  }
}
