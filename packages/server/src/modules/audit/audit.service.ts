/**
 * The audit module as the composition root sees it: signing key, checkpoints, exports, the
 * rules engine and its webhook, built once in app.ts and used by routes, jobs and the CLI.
 */
import { outboundAllowed } from '../../kernel/outbound';
import type { Services } from '../../services';
import { AlertEngine } from './alerts/engine';
import { AlertWebhook } from './alerts/webhook';
import { AuditActions } from './audit.actions';
import { AuditQueries } from './audit.queries';
import { auditRoutes } from './audit.routes';
import { AuditCheckpoints } from './checkpoints';
import { AuditKeys } from './signing-key';
import { verifyDatabaseAudit } from './verify-database';

export class AuditService {
  readonly keys: AuditKeys;
  readonly checkpoints: AuditCheckpoints;
  readonly actions: AuditActions;
  readonly queries: AuditQueries;
  readonly alerts: AlertEngine;
  readonly webhook: AlertWebhook;

  constructor(private readonly svc: Services) {
    this.keys = new AuditKeys(svc);
    this.checkpoints = new AuditCheckpoints(svc, this.keys);
    this.webhook = new AlertWebhook({ url: svc.config.alerts.webhookUrl, secret: svc.config.alerts.webhookSecret, blocked: !outboundAllowed(svc.config, 'alert_webhook') }, svc.log);
    this.actions = new AuditActions(svc, this.keys, this.webhook);
    this.queries = new AuditQueries(svc, this.keys);
    this.alerts = new AlertEngine(svc, (orgId, draft) => this.actions.raiseAlert(orgId, draft));
  }

  routes() {
    return auditRoutes(this.actions, this.queries);
  }

  /** Verifies this deployment's stored trail (see verifyDatabaseAudit). */
  verify(publicKeys?: string[]) {
    return verifyDatabaseAudit(this.svc.database.db, { publicKeys });
  }
}
