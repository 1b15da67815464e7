/**
 * Audit reads (AUD-3, MON-1). Searching and tracing the log are sensitive reads and are
 * themselves audited (`audit.search`, `audit.trace`, with the filters — never results).
 */
import type { QueryOf, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import { requirePermission } from '../identity/identity.policy';
import { presentAlert, presentAuditRow, presentCheckpoint, presentKey } from './audit.presenter';
import * as store from './audit.store';
import type { AuditKeys } from './signing-key';

type Parsed<N extends 'searchAudit' | 'traceAudit' | 'listAuditCheckpoints' | 'listAlerts'> = Omit<QueryOf<N>, 'from' | 'to' | 'limit'> & { from?: number; to?: number; limit?: number };

export class AuditQueries {
  constructor(private readonly svc: Services, private readonly keys: AuditKeys) {}

  async search(actor: UserActor, q: Parsed<'searchAudit'>): Promise<ResponseOf<'searchAudit'>> {
    requirePermission(actor, 'audit.read');
    const limit = q.limit ?? 100;
    const prefix = q.action?.endsWith('.*');
    const rows = await store.searchAudit(this.svc.database.db, actor.orgId, {
      actorId: q.actor, actorType: q.actorType, action: prefix ? q.action!.slice(0, -1) : q.action, actionPrefix: prefix,
      targetId: q.target, outcome: q.outcome, from: q.from, to: q.to, beforeSeq: q.cursor ? Number(q.cursor) : undefined, limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const filters = Object.fromEntries(Object.entries({ actor: q.actor, actorType: q.actorType, action: q.action, target: q.target, outcome: q.outcome, from: q.from, to: q.to, cursor: q.cursor }).filter(([, v]) => v !== undefined));
    await this.auditRead(actor, 'audit.search', null, { filters, results: page.length });
    return { records: page.map(presentAuditRow), nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
  }

  /** Every operation on record `id`: rows targeting it, done by it, or naming it in their details. */
  async trace(actor: UserActor, id: string, q: Parsed<'traceAudit'>): Promise<ResponseOf<'traceAudit'>> {
    requirePermission(actor, 'audit.read');
    const limit = q.limit ?? 100;
    const db = this.svc.database.db;
    const seqs = await store.traceSeqs(db, actor.orgId, id, q.cursor ? Number(q.cursor) : undefined, limit + 1);
    const page = seqs.slice(0, limit);
    const rows = await store.rowsBySeq(db, actor.orgId, page);
    await this.auditRead(actor, 'audit.trace', id, { results: rows.length, ...(q.cursor ? { cursor: q.cursor } : {}) });
    return { records: rows.map(presentAuditRow), nextCursor: seqs.length > limit ? String(page[page.length - 1]) : null };
  }

  async checkpoints(actor: UserActor, q: Parsed<'listAuditCheckpoints'>): Promise<ResponseOf<'listAuditCheckpoints'>> {
    requirePermission(actor, 'audit.read');
    const limit = q.limit ?? 100;
    const db = this.svc.database.db;
    const rows = await store.listCheckpoints(db, actor.orgId, q.cursor ? Number(q.cursor) : undefined, limit + 1);
    const page = rows.slice(0, limit);
    const head = await store.auditHead(db, actor.orgId);
    return {
      checkpoints: page.map(presentCheckpoint), head: { count: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64) },
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.count) : null,
    };
  }

  /** The public audit keys with fingerprints (the key is created on first use, so there always is one). */
  async keyList(actor: UserActor): Promise<ResponseOf<'listAuditKeys'>> {
    requirePermission(actor, 'audit.read');
    const current = await this.keys.current(actor.orgId);
    return { keys: (await this.keys.list()).map((k) => presentKey(k, k.id === current.id)) };
  }

  async alerts(actor: UserActor, q: Parsed<'listAlerts'>): Promise<ResponseOf<'listAlerts'>> {
    requirePermission(actor, 'alerts.manage');
    const limit = q.limit ?? 100;
    const db = this.svc.database.db;
    const rows = await store.listAlerts(db, actor.orgId, { status: q.status, rule: q.rule, beforeId: q.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const head = await store.auditHead(db, actor.orgId);
    return {
      alerts: page.map(presentAlert), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      scannedThrough: await store.alertCursor(db, actor.orgId), head: head?.seq ?? 0,
    };
  }

  /** One alert and the audit rows that triggered it. */
  async alert(actor: UserActor, id: string): Promise<ResponseOf<'getAlert'>> {
    requirePermission(actor, 'alerts.manage');
    const db = this.svc.database.db;
    const row = await store.findAlert(db, actor.orgId, id);
    if (!row) throw notFound('alert');
    const alert = presentAlert(row);
    return { alert, records: (await store.rowsBySeq(db, actor.orgId, alert.rowSeqs)).map(presentAuditRow) };
  }

  /** Records a successful sensitive read (rule: reads of audit data are themselves audited). */
  private async auditRead(actor: UserActor, action: string, targetId: string | null, details: Record<string, unknown>): Promise<void> {
    await this.svc.runner.run(actor, action, { targetType: targetId ? 'record' : 'audit_log', targetId, details }, async () => undefined);
  }
}
