/**
 * The two-person rule's setting (GOV-5): which levels need a second officer's approval.
 * Default: the organisation's top two levels. Only holders of `org.update_settings` change it —
 * separation of duties: the compliance officers the rule binds cannot loosen it themselves.
 */
import type { OrgSettings } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { invalid } from '../../kernel/errors';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { requirePermission } from '../identity/identity.policy';
import { getOrgSettings } from '../org/org.store';
import { defaultSensitiveLevels } from './ediscovery.policy';
import * as store from './ediscovery.store';

export interface SensitiveSetting { sensitiveLevels: string[]; isDefault: boolean; updatedBy: string | null; updatedAt: number | null }

/** The organisation's sensitive levels (levels since removed from the org's list are dropped). */
export async function sensitiveSetting(db: Trx, orgId: string, settings: OrgSettings): Promise<SensitiveSetting> {
  const row = await store.findSettings(db, orgId);
  if (!row) return { sensitiveLevels: defaultSensitiveLevels(settings), isDefault: true, updatedBy: null, updatedAt: null };
  const listed = JSON.parse(row.sensitive_levels) as string[];
  return { sensitiveLevels: settings.levels.filter((l) => listed.includes(l)), isDefault: false, updatedBy: row.updated_by, updatedAt: Number(row.updated_at) };
}

export class EdiscoverySettingsService {
  constructor(private readonly svc: Services) {}

  async get(actor: UserActor): Promise<{ settings: SensitiveSetting }> {
    if (!actor.permissions.has('org.update_settings')) requirePermission(actor, 'ediscovery.export');
    const db = this.svc.database.db;
    return { settings: await sensitiveSetting(db, actor.orgId, await getOrgSettings(db, actor.orgId)) };
  }

  async update(actor: UserActor, body: { sensitiveLevels: string[] }): Promise<{ settings: SensitiveSetting }> {
    return this.svc.runner.run(actor, 'ediscovery.settings_update', { targetType: 'org', targetId: actor.orgId }, async (ctx) => {
      requirePermission(actor, 'org.update_settings');
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      body.sensitiveLevels.forEach((l, i) => {
        if (!settings.levels.includes(l)) throw invalid(`body.sensitiveLevels.${i}`, `unknown level "${l}"; levels are ${settings.levels.join(', ')}`);
      });
      const before = await sensitiveSetting(ctx.trx, actor.orgId, settings);
      const levels = settings.levels.filter((l) => body.sensitiveLevels.includes(l));
      await store.saveSettings(ctx.trx, { org_id: actor.orgId, sensitive_levels: JSON.stringify(levels), updated_by: actor.userId, updated_at: ctx.now });
      ctx.detail({ sensitiveLevels: levels, previous: before.sensitiveLevels });
      return { settings: { sensitiveLevels: levels, isDefault: false, updatedBy: actor.userId, updatedAt: ctx.now } };
    });
  }
}
