/**
 * The rules engine (MON-1): reads each organisation's audit stream after its cursor, runs
 * every rule on each new row and raises the alerts they draft. Runs as a job (see
 * jobs/security-alerts.ts). Several nodes may scan at once: alerts are deduplicated by
 * (rule, dedup key) and the cursor only moves forward.
 */
import type { AlertRule } from '@conclave/protocol';
import type { Services } from '../../../services';
import * as store from '../audit.store';
import { ALERT_RULE_DEFS, type AlertDraft, type AlertRuleDef, type RuleContext } from './rules';

const BATCH = 500;

/** Raises one drafted alert (an audited action; see AuditActions.raiseAlert). */
export type RaiseAlert = (orgId: string, draft: AlertDraft) => Promise<unknown>;

export class AlertEngine {
  constructor(private readonly svc: Services, private readonly raise: RaiseAlert, private readonly rules: AlertRuleDef[] = ALERT_RULE_DEFS) {}

  /** Scans every organisation up to its current head; returns the number of alerts drafted. */
  async tick(): Promise<number> {
    let n = 0;
    for (const orgId of await store.orgIds(this.svc.database.db)) n += await this.scan(orgId);
    return n;
  }

  /** Scans one organisation's rows after its cursor, in batches, until the head. */
  async scan(orgId: string): Promise<number> {
    const db = this.svc.database.db;
    const ctx = this.context(orgId);
    let drafted = 0;
    for (;;) {
      const cursor = await store.alertCursor(db, orgId);
      const rows = await store.rowsAfter(db, orgId, cursor, BATCH);
      if (rows.length === 0) return drafted;
      for (const row of rows) {
        for (const rule of this.rules) {
          if (!rule.relevant(row)) continue;
          const draft = await rule.evaluate(row, ctx);
          if (draft) {
            await this.raise(orgId, draft);
            drafted++;
          }
        }
      }
      await store.advanceAlertCursor(db, orgId, Number(rows[rows.length - 1]!.seq));
      if (rows.length < BATCH) return drafted;
    }
  }

  private context(orgId: string): RuleContext {
    const db = this.svc.database.db;
    return {
      config: this.svc.config.alerts,
      window: (f) => store.windowRows(db, orgId, { limit: 1000, ...f }),
      lastAlert: (rule: AlertRule, subject: string) => store.lastAlertFor(db, orgId, rule, subject),
    };
  }
}
