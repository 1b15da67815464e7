/**
 * Data-subject request writes (GOV-3), each through runAction with its audit row (rule 3).
 * Audit rows carry metadata only — kind, decision, counts — never the note, the reasons or
 * any exported content.
 */
import type { BodyOf, DsarRequest, DsarSettings } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { conflict } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { eraseSubject, holdsOnCustodian } from '../governance/erasure';
import { requirePermission } from '../identity/identity.policy';
import { accessRequest } from './dsar.policy';
import { presentRequest } from './dsar.presenter';
import { DAY_MS, loadDsarSettings } from './dsar.settings';
import * as store from './dsar.store';
import type { SubjectExport } from './subject-export';

const TARGET = 'dsar_request';
/** Shown to the requester as the reason of an automatic approval. */
export const SELF_SERVICE_REASON = 'self-service export: identity verified by a sign-in with MFA';

export class DsarActions {
  constructor(private readonly svc: Services) {}

  /**
   * Opens a request about the caller. An export opened from an MFA-verified session is
   * approved and completed at once when the organisation allows self-service (the default):
   * the second factor is the identity check an officer would otherwise make.
   */
  async open(actor: UserActor, body: BodyOf<'openDsarRequest'>): Promise<{ request: DsarRequest }> {
    return this.svc.runner.run(actor, 'dsar.open', { targetType: TARGET, details: { kind: body.kind, withNote: !!body.note } }, async (ctx) => {
      const existing = await store.openRequestOf(ctx.trx, actor.orgId, actor.userId, body.kind);
      if (existing) throw conflict(`you already have an open ${body.kind} request; cancel it or wait for its decision`, { requestId: existing.id });
      const settings = await loadDsarSettings(ctx.trx, actor.orgId);
      const automatic = body.kind === 'export' && settings.exportApproval === 'self_service' && actor.mfaVerified;
      const row: store.RequestRow = {
        id: newId(ctx.now), org_id: actor.orgId, requester_id: actor.userId, kind: body.kind, status: automatic ? 'completed' : 'open',
        note: body.note?.trim() || null, opened_at: ctx.now, due_at: ctx.now + settings.deadlineDays * DAY_MS,
        decision: automatic ? 'approved' : null, decided_by: null, decided_at: automatic ? ctx.now : null, decision_reason: automatic ? SELF_SERVICE_REASON : null,
        automatic: automatic ? 1 : 0, completed_at: automatic ? ctx.now : null, cancelled_at: null, cancel_reason: null,
        export_expires_at: automatic ? ctx.now + settings.exportTtlDays * DAY_MS : null, downloads: 0, last_downloaded_at: null, erasure: null,
      };
      await store.insertRequest(ctx.trx, row);
      ctx.target(TARGET, row.id);
      ctx.detail({ dueAt: row.due_at, automatic });
      return { request: presentRequest(row, ctx.now) };
    });
  }

  /** The requester withdraws an open request. */
  async cancel(actor: UserActor, id: string, reason: string | undefined): Promise<{ request: DsarRequest }> {
    return this.svc.runner.run(actor, 'dsar.cancel', { targetType: TARGET, targetId: id }, async (ctx) => {
      const row = await accessRequest(ctx.trx, actor, id, 'own');
      ctx.detail({ kind: row.kind });
      if (row.status !== 'open') throw conflict(`the request is already ${row.status}`, { status: row.status });
      const patch = { status: 'cancelled', cancelled_at: ctx.now, cancel_reason: reason?.trim() || null };
      await store.updateRequest(ctx.trx, id, patch);
      return { request: presentRequest({ ...row, ...patch }, ctx.now) };
    });
  }

  /**
   * An officer approves or refuses an open request, with a reason the requester sees.
   * Approving an erasure erases the person inside this same transaction (so the decision and
   * the erasure commit or fail together) — unless a legal hold names them as custodian: then
   * the approval is refused with 409 naming the hold, and the request stays open.
   */
  async decide(actor: UserActor, id: string, body: BodyOf<'decideDsarRequest'>): Promise<{ request: DsarRequest }> {
    return this.svc.runner.run(actor, 'dsar.decide', { targetType: TARGET, targetId: id, details: { decision: body.decision } }, async (ctx) => {
      const row = await accessRequest(ctx.trx, actor, id, 'decide');
      ctx.detail({ kind: row.kind, requesterId: row.requester_id });
      if (row.status !== 'open') throw conflict(`the request was already ${row.status === 'cancelled' ? 'cancelled by the requester' : 'decided'} (${row.status})`, { status: row.status });
      const reason = body.reason.trim();
      const decided = { decided_by: actor.userId, decided_at: ctx.now, decision_reason: reason };
      let patch: Partial<store.RequestRow>;
      if (body.decision === 'refuse') {
        patch = { ...decided, status: 'refused', decision: 'refused' };
      } else if (row.kind === 'export') {
        const settings = await loadDsarSettings(ctx.trx, actor.orgId);
        patch = { ...decided, status: 'completed', decision: 'approved', completed_at: ctx.now, export_expires_at: ctx.now + settings.exportTtlDays * DAY_MS };
      } else {
        const holds = await holdsOnCustodian(this.svc, ctx.trx, actor.orgId, row.requester_id);
        if (holds.length) {
          throw conflict(`cannot erase this person: legal hold ${holds.join(', ')} names them as custodian; release the hold first, or refuse the request (e.g. reason "legal hold")`, { holds });
        }
        // Only the documented figures are kept on the request (the receipt holds the rest).
        const { receiptId, messagesErased, filesErased, keysDestroyed, heldItemsKept } = await eraseSubject(this.svc, ctx, row.requester_id);
        patch = { ...decided, status: 'completed', decision: 'approved', completed_at: ctx.now, erasure: JSON.stringify({ receiptId, messagesErased, filesErased, keysDestroyed, heldItemsKept }) };
        ctx.detail({ receiptId, messagesErased, filesErased, keysDestroyed, heldItemsKept });
      }
      await store.updateRequest(ctx.trx, id, patch);
      return { request: presentRequest({ ...row, ...patch }, ctx.now) };
    });
  }

  async updateSettings(actor: UserActor, body: BodyOf<'updateDsarSettings'>): Promise<{ settings: DsarSettings }> {
    return this.svc.runner.run(actor, 'dsar.settings_update', { targetType: 'dsar_settings', targetId: actor.orgId, details: { ...body } }, async (ctx) => {
      requirePermission(actor, 'dsar.decide');
      const cur = await loadDsarSettings(ctx.trx, actor.orgId);
      const next = { ...cur, ...body };
      await store.saveSettings(ctx.trx, {
        org_id: actor.orgId, deadline_days: next.deadlineDays, export_approval: next.exportApproval, export_ttl_days: next.exportTtlDays, updated_by: actor.userId, updated_at: ctx.now,
      });
      return { settings: { ...next, updatedAt: ctx.now, updatedBy: actor.userId } };
    });
  }

  /**
   * Records a download of the requester's export (audited with its counts and the zip's
   * SHA-256, so the log proves what was handed out without holding any of it).
   */
  async recordDownload(actor: UserActor, id: string, built: SubjectExport, zipSha256: string): Promise<void> {
    await this.svc.runner.run(actor, 'dsar.export_download', { targetType: TARGET, targetId: id }, async (ctx) => {
      const row = await accessRequest(ctx.trx, actor, id, 'own');
      assertDownloadable(row, ctx.now);
      ctx.detail({ bytes: built.zip.length, sha256: zipSha256, counts: built.manifest.counts, withheld: built.manifest.withheld });
      await store.updateRequest(ctx.trx, id, { downloads: Number(row.downloads) + 1, last_downloaded_at: ctx.now });
    });
  }
}

/** A download needs a completed export request inside its download window. */
export function assertDownloadable(row: store.RequestRow, now: number): void {
  if (row.kind !== 'export') throw conflict('this is an erasure request: there is nothing to download');
  if (row.status !== 'completed') throw conflict(`the export is not ready: the request is ${row.status}`, { status: row.status });
  if (row.export_expires_at !== null && now >= Number(row.export_expires_at)) {
    throw conflict(`the export expired on ${new Date(Number(row.export_expires_at)).toISOString()}; open a new export request`, { expiredAt: Number(row.export_expires_at) });
  }
}
