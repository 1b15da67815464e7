/** Access-control administration (ACL-1..4, GOV-6): roles, departments, grant approvals, confidentiality levels, presets. */
import type { BodyOf, Permission, Preset, ResponseOf } from '@conclave/protocol';
import type { Actor, UserActor } from '../../kernel/actor';
import type { ActionContext } from '../../kernel/action';
import { AppError, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { getOrgSettings, saveOrgSettings } from '../org/org.store';
import { assertCanManageUser, requirePermission } from '../identity/identity.policy';
import { findUserById, updateUser } from '../identity/identity.store';
import { presentGrant } from '../identity/users.actions';
import { presentDepartment, presentRole } from './access.presenter';
import { PRESET_BUNDLES } from './presets';
import { updateLevels } from './levels.actions';
import * as store from './access.store';

/** Roles whose permissions are fixed: owner keeps everything, guest stays minimal (ACL-4). */
const FIXED_ROLES = new Set(['owner', 'guest']);

export class AccessActions {
  constructor(private readonly svc: Services) {}

  async createRole(actor: UserActor, body: BodyOf<'createRole'>): Promise<ResponseOf<'createRole'>> {
    const role = await this.svc.runner.run(actor, 'roles.create', { targetType: 'role', targetId: body.name, details: { permissions: body.permissions } }, async (ctx) => {
      requirePermission(actor, 'roles.manage');
      if (await store.findRole(ctx.trx, actor.orgId, body.name)) throw new AppError('conflict', `role "${body.name}" already exists`, { reason: 'role_exists', role: body.name });
      this.noSelfEscalation(actor, body.permissions);
      await store.insertRole(ctx.trx, actor.orgId, body.name, [...new Set(body.permissions)], ctx.now);
      return (await store.findRole(ctx.trx, actor.orgId, body.name))!;
    });
    return { role: presentRole(role, 0) };
  }

  async updateRole(actor: UserActor, name: string, body: BodyOf<'updateRole'>): Promise<ResponseOf<'updateRole'>> {
    const role = await this.svc.runner.run(actor, 'roles.update', { targetType: 'role', targetId: name, details: { permissions: body.permissions } }, async (ctx) => {
      requirePermission(actor, 'roles.manage');
      const existing = await store.findRole(ctx.trx, actor.orgId, name);
      if (!existing) throw notFound('role');
      if (FIXED_ROLES.has(name)) throw new AppError('conflict', `the ${name} role cannot be changed`, { reason: 'fixed_role', role: name });
      if (name === actor.role) throw new AppError('forbidden', 'you cannot change the permissions of your own role', { reason: 'self_role_change' }, 'self_role_change');
      this.noSelfEscalation(actor, body.permissions);
      await store.setRolePermissions(ctx.trx, actor.orgId, name, body.permissions);
      return (await store.findRole(ctx.trx, actor.orgId, name))!;
    });
    const holders = await store.roleHolders(this.svc.database.db, actor.orgId);
    return { role: presentRole(role, holders.get(name) ?? 0) };
  }

  async deleteRole(actor: UserActor, name: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'roles.delete', { targetType: 'role', targetId: name }, async (ctx) => {
      requirePermission(actor, 'roles.manage');
      const role = await store.findRole(ctx.trx, actor.orgId, name);
      if (!role) throw notFound('role');
      if (role.builtin) throw new AppError('conflict', 'built-in roles cannot be deleted', { reason: 'builtin_role', role: name });
      const holders = (await store.roleHolders(ctx.trx, actor.orgId)).get(name) ?? 0;
      if (holders) throw new AppError('conflict', 'the role still has holders; move them to another role first', { reason: 'role_in_use', role: name, holders });
      await store.deleteRole(ctx.trx, actor.orgId, name);
    });
    return { ok: true };
  }

  /** A second admin approves a pending privileged grant (separation of duties). */
  async decideGrant(actor: UserActor, id: string, approve: boolean): Promise<ResponseOf<'approveRoleGrant'>> {
    const grant = await this.svc.runner.run(actor, approve ? 'roles.grant_approve' : 'roles.grant_reject', { targetType: 'role_grant', targetId: id }, async (ctx) => {
      requirePermission(actor, 'users.update');
      const g = await store.findGrant(ctx.trx, actor.orgId, id);
      if (!g) throw notFound('role grant');
      if (g.status !== 'pending') throw new AppError('conflict', `the grant was already ${g.status}`, { reason: 'grant_decided', status: g.status });
      if (g.requested_by === actor.userId) throw new AppError('forbidden', 'a second admin must decide on your request', { reason: 'same_admin' }, 'same_admin');
      if (g.user_id === actor.userId) throw new AppError('forbidden', 'you cannot decide on a grant to yourself', { reason: 'self_grant' }, 'self_grant');
      const user = await findUserById(ctx.trx, actor.orgId, g.user_id);
      if (!user) throw notFound('user');
      ctx.detail({ userId: g.user_id, role: g.role, requestedBy: g.requested_by });
      if (approve) {
        assertCanManageUser(actor, user, g.role);
        await updateUser(ctx.trx, g.user_id, { role: g.role, updated_at: ctx.now });
      }
      await store.decideGrant(ctx.trx, id, approve ? 'approved' : 'rejected', actor.userId, ctx.now);
      return (await store.findGrant(ctx.trx, actor.orgId, id))!;
    });
    return { grant: presentGrant(grant) };
  }

  async createDepartment(actor: UserActor, body: BodyOf<'createDepartment'>): Promise<ResponseOf<'createDepartment'>> {
    const row = await this.svc.runner.run(actor, 'departments.create', { targetType: 'department' }, async (ctx) => {
      requirePermission(actor, 'departments.manage');
      if (body.parentId) await this.requireDepartment(ctx, body.parentId);
      if (body.managerId) await this.requireActiveUser(ctx, body.managerId);
      const d: store.DepartmentRow = {
        id: newId(ctx.now), org_id: actor.orgId, name: body.name, parent_id: body.parentId ?? null, manager_id: body.managerId ?? null,
        external_isolation: body.externalIsolation ? 1 : 0, created_at: ctx.now,
      };
      await store.insertDepartment(ctx.trx, d);
      ctx.target('department', d.id);
      return d;
    });
    return { department: presentDepartment(row, 0) };
  }

  /** Moving a department under itself or one of its descendants is refused (no cycles). */
  async updateDepartment(actor: UserActor, id: string, body: BodyOf<'updateDepartment'>): Promise<ResponseOf<'updateDepartment'>> {
    const row = await this.svc.runner.run(actor, 'departments.update', { targetType: 'department', targetId: id, details: { fields: Object.keys(body) } }, async (ctx) => {
      requirePermission(actor, 'departments.manage');
      const d = await this.requireDepartment(ctx, id);
      const patch: Partial<store.DepartmentRow> = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.managerId !== undefined) {
        if (body.managerId) await this.requireActiveUser(ctx, body.managerId);
        patch.manager_id = body.managerId;
      }
      if (body.externalIsolation !== undefined) patch.external_isolation = body.externalIsolation ? 1 : 0;
      if (body.parentId !== undefined) {
        if (body.parentId) {
          await this.requireDepartment(ctx, body.parentId);
          const parents = new Map((await store.listDepartments(ctx.trx, actor.orgId)).map((x) => [x.id, x.parent_id]));
          for (let cur: string | null | undefined = body.parentId, hops = 0; cur && hops < 1000; cur = parents.get(cur), hops++) {
            if (cur === id) throw invalid('parentId', 'a department cannot be moved under itself or one of its sub-departments');
          }
        }
        patch.parent_id = body.parentId;
      }
      await store.updateDepartment(ctx.trx, id, patch);
      return { ...d, ...patch };
    });
    const counts = await store.departmentMemberCounts(this.svc.database.db, [id]);
    return { department: presentDepartment(row, counts.get(id) ?? 0) };
  }

  async deleteDepartment(actor: UserActor, id: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'departments.delete', { targetType: 'department', targetId: id }, async (ctx) => {
      requirePermission(actor, 'departments.manage');
      await this.requireDepartment(ctx, id);
      const children = (await store.listDepartments(ctx.trx, actor.orgId)).filter((d) => d.parent_id === id).length;
      if (children) throw new AppError('conflict', 'the department has sub-departments', { reason: 'department_has_children', subDepartments: children });
      const members = (await store.departmentUserIds(ctx.trx, [id])).length;
      if (members) throw new AppError('conflict', 'the department still has members', { reason: 'department_has_members', members });
      await store.deleteDepartment(ctx.trx, id);
    });
    return { ok: true };
  }

  /** Replaces the ordered confidentiality level list (ACL-2); levels.actions.ts has the rules. */
  updateLevels(actor: UserActor, body: BodyOf<'updateLevels'>): Promise<ResponseOf<'updateLevels'>> {
    return updateLevels(this.svc, actor, body);
  }

  /** Applies an industry preset (GOV-6) as one audited change. */
  async applyPreset(actor: Actor, preset: Preset): Promise<ResponseOf<'applyPreset'>> {
    const bundle = PRESET_BUNDLES[preset];
    const settings = await this.svc.runner.run(actor, 'org.apply_preset', { targetType: 'org', targetId: actor.orgId, details: { preset } }, async (ctx) => {
      if (actor.kind !== 'system') requirePermission(actor, 'org.update_settings');
      const current = await getOrgSettings(ctx.trx, actor.orgId);
      const next = { ...current, ...bundle.settings, preset };
      await saveOrgSettings(ctx, actor.orgId, next);
      for (const role of await store.listRoles(ctx.trx, actor.orgId)) {
        if (role.name === 'owner') continue;
        const kept = role.permissions.filter((p) => !bundle.revoke.includes(p));
        if (kept.length !== role.permissions.length) await store.setRolePermissions(ctx.trx, actor.orgId, role.name, kept);
      }
      if (bundle.isolateAllDepartments) await ctx.trx.updateTable('departments').set({ external_isolation: 1 }).where('org_id', '=', actor.orgId).execute();
      return next;
    });
    const holders = await store.roleHolders(this.svc.database.db, actor.orgId);
    return { settings, roles: (await store.listRoles(this.svc.database.db, actor.orgId)).map((r) => presentRole(r, holders.get(r.name) ?? 0)) };
  }

  /** Nobody hands out a permission they do not hold themselves. */
  private noSelfEscalation(actor: UserActor, permissions: Permission[]): void {
    const missing = permissions.filter((p) => !actor.permissions.has(p));
    if (missing.length && actor.role !== 'owner') {
      throw new AppError('forbidden', `you cannot grant permissions you do not hold: ${missing.join(', ')}`, { reason: 'escalation', permissions: missing }, 'escalation');
    }
  }

  private async requireDepartment(ctx: ActionContext, id: string): Promise<store.DepartmentRow> {
    const d = await store.findDepartment(ctx.trx, ctx.actor.orgId, id);
    if (!d) throw notFound('department');
    return d;
  }

  private async requireActiveUser(ctx: ActionContext, id: string): Promise<void> {
    const u = await findUserById(ctx.trx, ctx.actor.orgId, id);
    if (!u || u.status !== 'active') throw notFound('user');
  }
}
