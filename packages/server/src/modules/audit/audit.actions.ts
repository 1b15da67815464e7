/** Audit writes (AUD-3, MON-1): exports (audited), alert acknowledgement, raising alerts. Each through runAction. */
import type { Alert, BodyOf, ResponseOf } from '@conclave/protocol';
import { systemActor, type Actor, type UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { requirePermission } from '../identity/identity.policy';
import type { AlertDraft } from './alerts/rules';
import type { AlertWebhook } from './alerts/webhook';
import { presentAlert } from './audit.presenter';
import * as store from './audit.store';
import { exportFileName, resolveExportRange, writeAuditExport, type ExportRange } from './export';
import type { AuditKeys } from './signing-key';

export class AuditActions {
  constructor(private readonly svc: Services, private readonly keys: AuditKeys, private readonly webhook: AlertWebhook) {}

  /**
   * POST /audit/exports: the range is fixed and audited first (`audit.export`, with its rows
   * and size), then the rows — all older than the export's own audit row — are written.
   */
  async exportAudit(actor: UserActor, body: BodyOf<'exportAudit'> | undefined): Promise<ResponseOf<'exportAudit'>> {
    const range = await this.auditExport(actor, body ?? {}, this.svc.config.auditExportMaxRows, 'api');
    const lines: string[] = [];
    const manifest = await writeAuditExport(this.svc, this.keys, actor.orgId, range, actor, (l) => { lines.push(l); });
    return { manifest: manifest as ResponseOf<'exportAudit'>['manifest'], jsonl: `${lines.join('\n')}\n`, filename: exportFileName(actor.orgId, range) };
  }

  /**
   * Checks permission (users need audit.export; the CLI's system actor has local authority),
   * resolves the range and writes the `audit.export` row. Returns the seq range to export.
   */
  async auditExport(actor: Actor, requested: ExportRange, maxRows: number | undefined, via: 'api' | 'cli'): Promise<{ fromSeq: number; toSeq: number }> {
    return this.svc.runner.run(actor, 'audit.export', { targetType: 'audit_log', details: { ...requested, via } }, async (ctx) => {
      if (actor.kind !== 'system') requirePermission(actor, 'audit.export');
      const range = await resolveExportRange(ctx.trx, actor.orgId, requested, maxRows);
      ctx.detail({ fromSeq: range.fromSeq, toSeq: range.toSeq, rows: range.toSeq - range.fromSeq + 1 });
      return range;
    });
  }

  /** Writes a whole export through `write` (CLI: any size, streamed to a file). */
  async exportTo(actor: Actor, requested: ExportRange, write: (line: string) => void | Promise<void>) {
    const range = await this.auditExport(actor, requested, undefined, 'cli');
    return writeAuditExport(this.svc, this.keys, actor.orgId, range, actor, write);
  }

  async acknowledgeAlert(actor: UserActor, id: string, note: string | undefined): Promise<ResponseOf<'acknowledgeAlert'>> {
    const row = await this.svc.runner.run(actor, 'alerts.acknowledge', { targetType: 'alert', targetId: id }, async (ctx) => {
      requirePermission(actor, 'alerts.manage');
      const alert = await store.findAlert(ctx.trx, actor.orgId, id);
      if (!alert) throw notFound('alert');
      if (alert.status === 'acknowledged') throw new AppError('conflict', 'the alert was already acknowledged');
      ctx.detail({ rule: alert.rule, withNote: note !== undefined && note !== '' });
      await store.acknowledgeAlert(ctx.trx, id, actor.userId, ctx.now, note || null);
      return (await store.findAlert(ctx.trx, actor.orgId, id))!;
    });
    return { alert: presentAlert(row) };
  }

  /**
   * Raises a drafted alert as the system actor (`alerts.raise`), tells every holder of
   * alerts.manage (event `alert.created`) and, after commit, the webhook if configured.
   * Returns null when the same alert already exists (another node raised it).
   */
  async raiseAlert(orgId: string, draft: AlertDraft): Promise<Alert | null> {
    const actor = systemActor(orgId, 'alerts');
    return this.svc.runner.run(actor, 'alerts.raise', { targetType: 'alert', details: { rule: draft.rule, severity: draft.severity } }, async (ctx) => {
      const trigger = draft.rows[draft.rows.length - 1]!;
      if (await store.alertExists(ctx.trx, orgId, draft.rule, draft.dedupKey)) {
        ctx.detail({ duplicate: true });
        return null;
      }
      const row: store.AlertRow = {
        id: newId(ctx.now), org_id: orgId, rule: draft.rule, severity: draft.severity, subject: draft.subject, dedup_key: draft.dedupKey,
        summary: draft.summary, details: JSON.stringify(draft.details), row_ids: JSON.stringify(draft.rows.map((r) => r.id)),
        row_seqs: JSON.stringify(draft.rows.map((r) => Number(r.seq))), trigger_seq: Number(trigger.seq), trigger_at: Number(trigger.at),
        created_at: ctx.now, status: 'open', acknowledged_by: null, acknowledged_at: null, note: null,
      };
      await store.insertAlert(ctx.trx, row);
      ctx.target('alert', row.id);
      ctx.detail({ triggerSeq: row.trigger_seq, rows: draft.rows.length });
      const alert = presentAlert(row);
      const recipients = await store.activeHoldersOf(ctx.trx, orgId, 'alerts.manage');
      if (recipients.length) await ctx.emit(recipients, { type: 'alert.created', data: { alert } });
      if (this.webhook.enabled) ctx.afterCommit(() => { void this.webhook.send(orgId, alert); });
      return alert;
    });
  }
}
