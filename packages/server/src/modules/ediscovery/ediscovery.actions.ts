/**
 * eDiscovery writes (GOV-5), each through runAction with metadata-only audit rows:
 * `ediscovery.request`, `ediscovery.approve`, `ediscovery.refuse`, `ediscovery.expire`, and the
 * production + download `compliance.export` (details.rows = messages, read by the bulk_export
 * alert rule). Keywords are never audited in clear: only their count and salted digest.
 */
import type { BinaryBody, EdiscoveryExport } from '@conclave/protocol';
import { systemActor, type UserActor } from '../../kernel/actor';
import { AppError, conflict } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import type { AuditKeys } from '../audit/signing-key';
import type { FileActions } from '../files/files.actions';
import { getOrgSettings } from '../org/org.store';
import type { SearchIndex } from '../search/search.index';
import { resolveCriteria, type CriteriaInput } from './ediscovery.criteria';
import { eraseKeywords, openKeywords, sealKeywords } from './ediscovery.keywords';
import { buildPackage } from './ediscovery.package';
import { assertCanDecide, assertCanDownload, assertLevelMfa, assertVisible, downloadBlocker, requireExporter } from './ediscovery.policy';
import { presentExport } from './ediscovery.presenter';
import { selectMessages } from './ediscovery.select';
import { sensitiveSetting } from './ediscovery.settings';
import * as store from './ediscovery.store';

/** How long a request waits for a decision, and a ready export for its download. */
export const EXPORT_TTL_MS = 7 * 86_400_000;

export interface EdiscoveryDeps { search: SearchIndex; files: FileActions; auditKeys: AuditKeys }

export class EdiscoveryActions {
  constructor(private readonly svc: Services, private readonly deps: EdiscoveryDeps) {}

  async create(actor: UserActor, body: CriteriaInput & { matter: string }): Promise<{ export: EdiscoveryExport }> {
    await this.expireDue(actor.orgId);
    const row = await this.svc.runner.run(actor, 'ediscovery.request', { targetType: 'ediscovery_export' }, async (ctx) => {
      requireExporter(actor);
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const c = await resolveCriteria(ctx.trx, actor, settings, body, ctx.now);
      assertLevelMfa(settings, actor, c.levels);
      const { sensitiveLevels } = await sensitiveSetting(ctx.trx, actor.orgId, settings);
      const touched = c.levels.filter((l) => sensitiveLevels.includes(l));
      const id = newId(ctx.now);
      const sealed = await sealKeywords(ctx.trx, this.svc.keys, id, c.keywords, ctx.now);
      const row: store.ExportRow = {
        id, org_id: actor.orgId, matter: body.matter,
        criteria: JSON.stringify({ custodians: c.custodians, conversationIds: c.conversationIds, from: c.from, to: c.to, levels: c.levels }),
        keyword_count: c.keywords.length, keywords_digest: sealed.digest, keywords_enc: sealed.sealed, key_id: sealed.keyId,
        sensitive_levels: JSON.stringify(touched), status: touched.length ? 'pending_approval' : 'ready',
        requested_by: actor.userId, requested_at: ctx.now, decided_by: null, decided_at: null, refusal_reason: null,
        downloaded_by: null, downloaded_at: null, expires_at: ctx.now + EXPORT_TTL_MS, message_count: null, file_count: null, manifest_sha256: null,
      };
      await store.insertExport(ctx.trx, row);
      ctx.target('ediscovery_export', id);
      ctx.detail({
        custodians: c.custodians, conversationIds: c.conversationIds, from: c.from, to: c.to, levels: c.levels,
        keywordCount: c.keywords.length, keywordsDigest: sealed.digest, needsApproval: touched.length > 0, sensitiveLevels: touched,
      });
      return row;
    });
    return { export: await presentExport(this.svc.database.db, this.svc.keys, row, this.svc.clock.now()) };
  }

  /** The second officer's approval (two-person rule). */
  async approve(actor: UserActor, id: string): Promise<{ export: EdiscoveryExport }> {
    return this.decide(actor, id, 'ediscovery.approve', null);
  }

  /** A refusal with a reason, by another officer — or the requester withdrawing the request. */
  async refuse(actor: UserActor, id: string, reason: string): Promise<{ export: EdiscoveryExport }> {
    return this.decide(actor, id, 'ediscovery.refuse', reason);
  }

  private async decide(actor: UserActor, id: string, action: 'ediscovery.approve' | 'ediscovery.refuse', reason: string | null): Promise<{ export: EdiscoveryExport }> {
    const row = await this.svc.runner.run(actor, action, { targetType: 'ediscovery_export', targetId: id }, async (ctx) => {
      requireExporter(actor);
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const row = assertVisible(settings, actor, await store.findExport(ctx.trx, actor.orgId, id));
      ctx.detail({ requestedBy: row.requested_by, sensitiveLevels: JSON.parse(row.sensitive_levels) as string[], ...(reason !== null ? { withdrawn: row.requested_by === actor.userId } : {}) });
      if (reason === null) assertCanDecide(actor, row);
      if (row.status !== 'pending_approval') throw conflict(`this export is ${row.status === 'ready' ? 'not waiting for approval' : row.status}`, { status: row.status });
      if (Number(row.expires_at) < ctx.now) throw conflict('this export request has expired; request a new export', { status: 'expired' });
      if (reason === null) assertLevelMfa(settings, actor, store.parseCriteria(row).levels);
      const patch: Partial<store.ExportRow> = reason === null
        ? { status: 'ready', decided_by: actor.userId, decided_at: ctx.now, expires_at: ctx.now + EXPORT_TTL_MS }
        : { status: 'refused', decided_by: actor.userId, decided_at: ctx.now, refusal_reason: reason };
      if (!(await store.transition(ctx.trx, id, 'pending_approval', patch))) throw conflict('this export was decided meanwhile');
      if (reason !== null) await eraseKeywords(ctx.trx, this.svc.keys, [row], ctx.now);
      return { ...row, ...patch, ...(reason !== null ? { keywords_enc: null } : {}) } as store.ExportRow;
    });
    return { export: await presentExport(this.svc.database.db, this.svc.keys, row, this.svc.clock.now()) };
  }

  /**
   * Produces the package and hands it over, once. The selection and zip are built first (reads
   * only); then one transaction claims the export (ready → downloaded), erases its keywords and
   * writes the `compliance.export` audit row with the counts and the manifest's SHA-256. A
   * concurrent second download loses the claim and gets a conflict; its package is discarded.
   */
  async download(actor: UserActor, id: string): Promise<BinaryBody> {
    const db = this.svc.database.db;
    const target = { targetType: 'ediscovery_export', targetId: id };
    let pkg: Awaited<ReturnType<typeof buildPackage>>;
    let row: store.ExportRow;
    try {
      requireExporter(actor);
      const settings = await getOrgSettings(db, actor.orgId);
      row = assertVisible(settings, actor, await store.findExport(db, actor.orgId, id));
      assertCanDownload(actor, row);
      const blocked = downloadBlocker(row, this.svc.clock.now());
      if (blocked) throw blocked;
      const criteria = store.parseCriteria(row);
      assertLevelMfa(settings, actor, criteria.levels);
      const kw = await openKeywords(db, this.svc.keys, row);
      if (!kw) throw new AppError('conflict', 'the export\'s criteria are no longer available; request a new export', undefined, 'keywords_erased');
      const resolved = { ...criteria, keywords: kw.keywords };
      const selection = await selectMessages(db, this.svc.keys, this.deps.search, actor.orgId, resolved);
      pkg = await buildPackage({ db, keys: this.svc.keys, files: this.deps.files, auditKeys: this.deps.auditKeys }, {
        row, criteria: resolved, salt: kw.salt, keywordsDigest: row.keywords_digest, selection, settings, producedBy: actor.userId, now: this.svc.clock.now(),
      });
    } catch (err) {
      // Failures before the claim are audited under the same action name (rule 3).
      if (!(err instanceof AppError && (err as AppError & { audited?: boolean }).audited)) await this.svc.runner.recordFailure(actor, 'compliance.export', err, target);
      throw err;
    }
    const produced = pkg;
    const claimed = row;
    await this.svc.runner.run(actor, 'compliance.export', target, async (ctx) => {
      ctx.detail({
        kind: 'ediscovery', rows: produced.counts.messages, messages: produced.counts.messages, files: produced.counts.files, bytes: produced.counts.bytes,
        manifestSha256: produced.manifestSha256, keywordsDigest: claimed.keywords_digest, requestedBy: claimed.requested_by, approvedBy: claimed.decided_by,
        levels: store.parseCriteria(claimed).levels, auditHeadSeq: (produced.manifest.auditHead as { seq: number }).seq,
      });
      const ok = await store.transition(ctx.trx, id, 'ready', {
        status: 'downloaded', downloaded_by: actor.userId, downloaded_at: ctx.now,
        message_count: produced.counts.messages, file_count: produced.counts.files, manifest_sha256: produced.manifestSha256,
      });
      if (!ok) throw conflict('this export was already downloaded (each package is delivered once); request a new export', { status: 'downloaded' });
      await eraseKeywords(ctx.trx, this.svc.keys, [claimed], ctx.now);
    });
    return { contentType: 'application/zip', bytes: produced.zip, fileName: `conclave-ediscovery-${id}.zip`, disposition: 'attachment' };
  }

  /**
   * Marks live exports past their time as expired and crypto-shreds their keywords, as one
   * audited system action (`ediscovery.expire`). Run lazily before creating and listing.
   */
  async expireDue(orgId: string): Promise<number> {
    const now = this.svc.clock.now();
    if (!(await store.dueForExpiry(this.svc.database.db, orgId, now)).length) return 0;
    return this.svc.runner.run(systemActor(orgId, 'ediscovery'), 'ediscovery.expire', { targetType: 'ediscovery_export' }, async (ctx) => {
      const due = await store.dueForExpiry(ctx.trx, orgId, ctx.now);
      const expired: store.ExportRow[] = [];
      for (const r of due) if (await store.transition(ctx.trx, r.id, r.status, { status: 'expired' })) expired.push(r);
      await eraseKeywords(ctx.trx, this.svc.keys, expired, ctx.now);
      ctx.detail({ exportIds: expired.map((r) => r.id), count: expired.length });
      return expired.length;
    });
  }
}
