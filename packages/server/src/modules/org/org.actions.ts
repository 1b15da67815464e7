/** Organisation settings (admin): MFA per role, password policy, session TTL, message size. */
import type { BodyOf, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import { requirePermission } from '../identity/identity.policy';
import { getOrgSettings, saveOrgSettings } from './org.store';
import type { OrgSettings } from '@conclave/protocol';
import { invalid } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import { listRoles } from '../access/access.store';

export class OrgActions {
  constructor(private readonly svc: Services) {}

  async get(actor: UserActor): Promise<ResponseOf<'getOrgSettings'>> {
    requirePermission(actor, 'org.update_settings');
    return { settings: await getOrgSettings(this.svc.database.db, actor.orgId) };
  }

  async update(actor: UserActor, body: BodyOf<'updateOrgSettings'>): Promise<ResponseOf<'updateOrgSettings'>> {
    const settings = await this.svc.runner.run(actor, 'org.update_settings', { targetType: 'org', targetId: actor.orgId, details: { fields: Object.keys(body) } }, async (ctx) => {
      requirePermission(actor, 'org.update_settings');
      const current = await getOrgSettings(ctx.trx, actor.orgId);
      const next: OrgSettings = { ...current, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) };
      await this.validate(ctx.trx, actor.orgId, current, next);
      await saveOrgSettings(ctx, actor.orgId, next);
      return next;
    });
    return { settings };
  }

  /** Levels stay consistent: unique, the default among them, and none removed while in use (ACL-2). */
  private async validate(db: Trx, orgId: string, current: OrgSettings, next: OrgSettings): Promise<void> {
    if (new Set(next.levels).size !== next.levels.length) throw invalid('levels', 'level names must be unique');
    if (!next.levels.includes(next.defaultLevel)) throw invalid('defaultLevel', `"${next.defaultLevel}" is not one of the levels`);
    const unknownPolicy = Object.keys(next.levelPolicies).filter((l) => !next.levels.includes(l));
    if (unknownPolicy.length && JSON.stringify(next.levelPolicies) !== JSON.stringify(current.levelPolicies)) throw invalid('levelPolicies', `unknown levels: ${unknownPolicy.join(', ')}`);
    if (next.watermarkFromLevel !== null && !next.levels.includes(next.watermarkFromLevel)) throw invalid('watermarkFromLevel', `"${next.watermarkFromLevel}" is not one of the levels`);
    const unknownDlp = Object.keys(next.dlp.levelActions).filter((l) => !next.levels.includes(l));
    if (unknownDlp.length && JSON.stringify(next.dlp) !== JSON.stringify(current.dlp)) throw invalid('dlp.levelActions', `unknown levels: ${unknownDlp.join(', ')}`);
    const removed = current.levels.filter((l) => !next.levels.includes(l));
    if (removed.length) {
      const users = await db.selectFrom('users').select('id').where('org_id', '=', orgId).where('clearance', 'in', removed).limit(1).execute();
      const convs = await db.selectFrom('conversations').select('id').where('org_id', '=', orgId).where('level', 'in', removed).limit(1).execute();
      if (users.length || convs.length) throw invalid('levels', `levels still in use cannot be removed: ${removed.join(', ')}`);
    }
    const roles = new Set((await listRoles(db, orgId)).map((r) => r.name));
    const unknownRoles = next.mfaRequiredRoles.filter((r) => !roles.has(r));
    if (unknownRoles.length) throw invalid('mfaRequiredRoles', `unknown roles: ${unknownRoles.join(', ')}`);
  }
}
