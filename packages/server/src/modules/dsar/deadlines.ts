/**
 * Deadline alerts for data-subject requests (GOV-3): an open request due within
 * DSAR_DUE_SOON_DAYS raises a `due_soon` alert, one past its deadline an `overdue` alert.
 * Each is raised once per request (unique row per request and kind), so a scan every few
 * minutes — on any number of nodes — never repeats one. Run by jobs/dsar-deadlines.ts.
 * Officers read them at GET /api/v1/dsar/alerts; each is an audited `dsar.deadline_alert`.
 */
import { DSAR_DUE_SOON_DAYS } from '@conclave/protocol';
import { systemActor } from '../../kernel/actor';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { DAY_MS } from './dsar.settings';
import * as store from './dsar.store';

const BATCH = 1000;

export class DsarDeadlines {
  constructor(private readonly svc: Services) {}

  /** Scans every organisation with open requests; returns the number of alerts raised. */
  async tick(): Promise<number> {
    const db = this.svc.database.db;
    let raised = 0;
    for (const orgId of await store.orgsWithOpenRequests(db)) {
      const now = this.svc.clock.now();
      for (const r of await store.openDueBy(db, orgId, now + DSAR_DUE_SOON_DAYS * DAY_MS, BATCH)) {
        // Overdue supersedes due-soon: a request first seen past its deadline raises only that.
        const kind = now >= Number(r.due_at) ? 'overdue' : 'due_soon';
        if (await store.alertExists(db, r.id, kind)) continue;
        if (await this.raise(orgId, r.id, kind)) raised++;
      }
    }
    return raised;
  }

  private raise(orgId: string, requestId: string, kind: 'due_soon' | 'overdue'): Promise<boolean> {
    const actor = systemActor(orgId, 'dsar-deadlines');
    return this.svc.runner.run(actor, 'dsar.deadline_alert', { targetType: 'dsar_request', targetId: requestId, details: { kind } }, async (ctx) => {
      const r = await store.findRequest(ctx.trx, orgId, requestId);
      // Another node raised it, or the request was closed since the scan read it.
      if (!r || r.status !== 'open' || (await store.alertExists(ctx.trx, requestId, kind))) {
        ctx.detail({ duplicate: true });
        return false;
      }
      const id = newId(ctx.now);
      await store.insertAlert(ctx.trx, { id, org_id: orgId, request_id: requestId, kind, due_at: r.due_at, created_at: ctx.now });
      ctx.detail({ alertId: id, requestKind: r.kind, dueAt: Number(r.due_at) });
      ctx.afterCommit(() => this.svc.log.warn({ requestId, kind, dueAt: Number(r.due_at) }, `data-subject request ${kind === 'overdue' ? 'is overdue' : 'is due soon'}`));
      return true;
    });
  }
}
