/**
 * Data-subject request reads (GOV-3). The requester reads their own; officers (`dsar.decide`)
 * read all, and their listing is audited (who asked about whom is itself sensitive). The
 * export is generated here, on download, for the requester's own session.
 */
import { sha256Hex } from '@conclave/crypto';
import type { BinaryBody, QueryOf, ResponseOf } from '@conclave/protocol';
import type { Actor, UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import type { FileActions } from '../files/files.actions';
import { requirePermission } from '../identity/identity.policy';
import { assertDownloadable, type DsarActions } from './dsar.actions';
import { accessRequest } from './dsar.policy';
import { presentAlert, presentRequest } from './dsar.presenter';
import { loadDsarSettings } from './dsar.settings';
import * as store from './dsar.store';
import { buildSubjectExport } from './subject-export';

type Paged<N extends 'listDsarRequests' | 'listDsarAlerts'> = Omit<QueryOf<N>, 'limit'> & { limit?: number };

export class DsarQueries {
  constructor(private readonly svc: Services, private readonly actions: DsarActions, private readonly files: FileActions) {}

  async mine(actor: UserActor): Promise<ResponseOf<'listMyDsarRequests'>> {
    const now = this.svc.clock.now();
    return { requests: (await store.requestsOf(this.svc.database.db, actor.orgId, actor.userId)).map((r) => presentRequest(r, now)) };
  }

  /** Users need dsar.decide; the CLI's system actor (`conclave dsar list`) has local authority. */
  async list(actor: Actor, q: Paged<'listDsarRequests'>): Promise<ResponseOf<'listDsarRequests'>> {
    if (actor.kind !== 'system') requirePermission(actor, 'dsar.decide');
    const limit = q.limit ?? 100;
    const rows = await store.listRequests(this.svc.database.db, actor.orgId, { status: q.status, kind: q.kind, beforeId: q.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const filters = Object.fromEntries(Object.entries({ status: q.status, kind: q.kind, cursor: q.cursor }).filter(([, v]) => v !== undefined));
    await this.svc.runner.run(actor, 'dsar.list', { targetType: 'dsar_request', details: { filters, results: page.length } }, async () => undefined);
    const now = this.svc.clock.now();
    return { requests: page.map((r) => presentRequest(r, now)), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async get(actor: UserActor, id: string): Promise<ResponseOf<'getDsarRequest'>> {
    const row = await accessRequest(this.svc.database.db, actor, id, 'read');
    return { request: presentRequest(row, this.svc.clock.now()) };
  }

  async settings(actor: UserActor): Promise<ResponseOf<'getDsarSettings'>> {
    requirePermission(actor, 'dsar.decide');
    return { settings: await loadDsarSettings(this.svc.database.db, actor.orgId) };
  }

  async alerts(actor: UserActor, q: Paged<'listDsarAlerts'>): Promise<ResponseOf<'listDsarAlerts'>> {
    requirePermission(actor, 'dsar.decide');
    const limit = q.limit ?? 100;
    const rows = await store.listAlerts(this.svc.database.db, actor.orgId, { beforeId: q.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { alerts: page.map(presentAlert), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /**
   * The requester's export as a zip, built now with their own session's access (so nothing
   * from a conversation they cannot see) and never stored: nothing to leak at rest or to
   * clean up. The download window (exportTtlDays) is enforced instead.
   */
  async download(actor: UserActor, id: string): Promise<BinaryBody> {
    const row = await accessRequest(this.svc.database.db, actor, id, 'own');
    try {
      assertDownloadable(row, this.svc.clock.now());
    } catch (err) {
      await this.svc.runner.recordFailure(actor, 'dsar.export_download', err, { targetType: 'dsar_request', targetId: id });
      throw err;
    }
    const built = await buildSubjectExport(this.svc, this.files, actor, id);
    await this.actions.recordDownload(actor, id, built, sha256Hex(built.zip));
    return { contentType: 'application/zip', bytes: built.zip, fileName: `conclave-dsar-export-${id}.zip`, disposition: 'attachment' };
  }
}
