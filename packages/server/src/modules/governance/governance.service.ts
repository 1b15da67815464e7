/**
 * The governance module as the composition root sees it (GOV-1, GOV-2): the retention runner
 * (used by routes, the scheduled job and the CLI), actions, queries, and the wiring erasure
 * needs (called by data-subject requests).
 */
import type { RetentionRun } from '@conclave/protocol';
import type { Services } from '../../services';
import { presentRun } from './governance.presenter';
import { findRun } from './governance.store';
import type { AuditKeys } from '../audit/signing-key';
import type { FileActions } from '../files/files.actions';
import { registerErasureDeps } from './erasure';
import { GovernanceActions } from './governance.actions';
import { GovernanceQueries } from './governance.queries';
import { governanceRoutes } from './governance.routes';
import { RetentionRunner } from './retention.runner';

export class GovernanceService {
  readonly retention: RetentionRunner;
  readonly actions: GovernanceActions;
  readonly queries: GovernanceQueries;

  constructor(private readonly svc: Services, deps: { auditKeys: AuditKeys; files: FileActions }) {
    this.retention = new RetentionRunner(svc, deps);
    this.actions = new GovernanceActions(svc, this.retention);
    this.queries = new GovernanceQueries(svc, this.retention);
    registerErasureDeps(svc, deps);
  }

  /** A run as the API shows it (CLI, tests). */
  async runById(orgId: string, id: string): Promise<RetentionRun | undefined> {
    const row = await findRun(this.svc.database.db, orgId, id);
    return row && presentRun(row);
  }

  routes() {
    return governanceRoutes(this.actions, this.queries);
  }
}
