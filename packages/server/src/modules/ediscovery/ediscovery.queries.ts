/**
 * eDiscovery reads (GOV-5): every holder of `ediscovery.export` sees the organisation's
 * requests (a second officer must find them to approve), minus those covering levels above
 * their clearance, which look missing (rule 2). Without the permission: forbidden.
 */
import type { EdiscoveryExport, EdiscoveryStatus } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import type { EdiscoveryActions } from './ediscovery.actions';
import { assertVisible, canSee, requireExporter } from './ediscovery.policy';
import { effectiveStatus, presentExport } from './ediscovery.presenter';
import * as store from './ediscovery.store';

export class EdiscoveryQueries {
  constructor(private readonly svc: Services, private readonly actions: EdiscoveryActions) {}

  async list(actor: UserActor, q: { status?: EdiscoveryStatus }): Promise<{ exports: EdiscoveryExport[] }> {
    requireExporter(actor);
    await this.actions.expireDue(actor.orgId);
    const db = this.svc.database.db;
    const settings = await getOrgSettings(db, actor.orgId);
    const now = this.svc.clock.now();
    const rows = (await store.listExports(db, actor.orgId)).filter((r) => canSee(settings, actor, r) && (!q.status || effectiveStatus(r, now) === q.status));
    return { exports: await Promise.all(rows.map((r) => presentExport(db, this.svc.keys, r, now))) };
  }

  async get(actor: UserActor, id: string): Promise<{ export: EdiscoveryExport }> {
    requireExporter(actor);
    const db = this.svc.database.db;
    const settings = await getOrgSettings(db, actor.orgId);
    const row = assertVisible(settings, actor, await store.findExport(db, actor.orgId, id));
    return { export: await presentExport(db, this.svc.keys, row, this.svc.clock.now()) };
  }
}
