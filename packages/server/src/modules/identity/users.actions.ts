/**
 * User administration (ACL-1, ACL-2, ACL-5, IAM-3): create, change role/clearance/departments,
 * offboard and reactivate. Every change through runAction; privileged grants are audited and,
 * with dual control on, wait for a second admin.
 */
import { OVERSIGHT_PERMISSIONS, type BodyOf, type ResponseOf, type RoleGrant } from '@conclave/protocol';
import { isUser, type Actor, type UserActor } from '../../kernel/actor';
import type { ActionContext } from '../../kernel/action';
import { AppError, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import * as access from '../access/access.store';
import { clears } from '../access/levels';
import * as conv from '../conversations/conversations.store';
import { removeMembership, assertAdmissible } from '../conversations/membership';
import { mlsUserOffboarded } from '../mls/mls.external';
import { checkPasswordPolicy, generateOneTimePassword, hashPassword } from './passwords';
import { assertCanManageUser, assertNotLastOwner, requirePermission } from './identity.policy';
import { presentOneUser } from './identity.presenter';
import * as store from './identity.store';
import { openProfiles, profileOf, sealProfile } from './profile';
import type { SessionsRevoked } from './identity.actions';

export class UserAdminActions {
  constructor(private readonly svc: Services, private readonly onRevoked: SessionsRevoked) {}

  /** Creates a user (admin, CLI or bootstrap). Without a password a one-time password is generated. */
  async createUser(actor: Actor, body: BodyOf<'createUser'>, opts: { mustChange?: boolean } = {}): Promise<ResponseOf<'createUser'>> {
    const settings = await getOrgSettings(this.svc.database.db, actor.orgId);
    const generated = body.password === undefined;
    const password = body.password ?? generateOneTimePassword();
    if (!generated) checkPasswordPolicy(password, settings.passwordPolicy, body.email);
    const passwordHash = await hashPassword(password);
    const role = body.role ?? 'member';
    const row = await this.svc.runner.run(actor, 'users.create', { targetType: 'user', details: { role, clearance: body.clearance } }, async (ctx) => {
      if (actor.kind !== 'system') requirePermission(actor, 'users.create');
      await this.requireRole(ctx, role);
      if (isUser(actor)) assertCanManageUser(actor, { id: '', role: 'member' } as store.UserRow, role);
      const clearance = body.clearance ?? settings.defaultLevel;
      this.requireLevel(settings.levels, clearance);
      if (body.clearance && isUser(actor)) requirePermission(actor, 'users.set_clearance');
      if (await store.findUserByEmail(ctx.trx, actor.orgId, body.email)) throw new AppError('conflict', 'a user with this email already exists', { field: 'email' });
      const user: store.UserRow = {
        id: newId(ctx.now), org_id: actor.orgId, email: body.email, name: body.name, role, status: 'active', clearance,
        password_hash: passwordHash, must_change_password: generated || opts.mustChange ? 1 : 0,
        totp_secret_enc: null, totp_key_id: null, totp_enabled: 0, totp_last_step: 0, failed_logins: 0, locked_until: 0,
        created_at: ctx.now, updated_at: ctx.now, deactivated_at: null, profile_enc: null, profile_key_id: null,
      };
      if (body.phone || body.address) Object.assign(user, await sealProfile(ctx.trx, this.svc.keys, user, { phone: body.phone ?? null, address: body.address ?? null }, ctx.now));
      await store.insertUser(ctx.trx, user);
      if (body.departmentIds?.length) await this.setDepartments(ctx, user.id, body.departmentIds);
      ctx.target('user', user.id);
      return user;
    });
    return { user: await presentOneUser(this.svc.database.db, row, this.svc.presence, this.svc.keys), oneTimePassword: generated ? password : null };
  }

  /**
   * Name, role, clearance, departments. Lowering a clearance removes the user from every
   * conversation above it at once (ACL-2). A privileged role grant is flagged in the audit
   * row and, with dual control, becomes a pending grant instead.
   */
  async updateUser(actor: UserActor, id: string, body: BodyOf<'updateUser'>): Promise<ResponseOf<'updateUser'>> {
    let pending: RoleGrant | null = null;
    const row = await this.svc.runner.run(actor, 'users.update', { targetType: 'user', targetId: id, details: { fields: Object.keys(body), role: body.role, clearance: body.clearance } }, async (ctx) => {
      requirePermission(actor, 'users.update');
      const user = await this.requireUserIn(ctx, id);
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      const patch: Partial<store.UserRow> = { updated_at: ctx.now };
      if (body.name) patch.name = body.name;
      if (body.role && body.role !== user.role) {
        const role = await this.requireRole(ctx, body.role);
        assertCanManageUser(actor, user, body.role);
        const privileged = body.role === 'owner' || body.role === 'admin' || role.permissions.some((p) => OVERSIGHT_PERMISSIONS.includes(p));
        ctx.detail({ fromRole: user.role, privilegedGrant: privileged });
        if (privileged && settings.dualControlRoleGrants) {
          const grant = { id: newId(ctx.now), org_id: actor.orgId, user_id: id, role: body.role, requested_by: actor.userId, requested_at: ctx.now, status: 'pending', decided_by: null, decided_at: null };
          await access.insertGrant(ctx.trx, grant);
          ctx.detail({ pendingGrant: grant.id });
          pending = presentGrant(grant);
        } else {
          patch.role = body.role;
        }
      } else {
        assertCanManageUser(actor, user);
      }
      if (body.clearance && body.clearance !== user.clearance) {
        requirePermission(actor, 'users.set_clearance');
        this.requireLevel(settings.levels, body.clearance);
        patch.clearance = body.clearance;
      }
      if (body.phone !== undefined || body.address !== undefined) {
        // Personal data (DLP-4): re-sealed whole; the audit row names the fields, never values.
        const current = profileOf(await openProfiles(ctx.trx, this.svc.keys, [user]), user.id);
        const next = { phone: body.phone === undefined ? current.phone : body.phone, address: body.address === undefined ? current.address : body.address };
        Object.assign(patch, await sealProfile(ctx.trx, this.svc.keys, user, next, ctx.now));
      }
      await store.updateUser(ctx.trx, id, patch);
      if (user.role === 'owner' && patch.role) assertNotLastOwner(await store.countActiveWithRole(ctx.trx, actor.orgId, 'owner'));
      if (patch.clearance) {
        let removed = 0;
        for (const c of await conv.membershipsOf(ctx.trx, id)) {
          if (!clears(settings, patch.clearance, c.level)) { await removeMembership(ctx, c, id); removed++; }
        }
        ctx.detail({ fromClearance: user.clearance, removedFrom: removed });
      }
      if (body.departmentIds) await this.setDepartments(ctx, id, body.departmentIds);
      return { ...user, ...patch };
    });
    return { user: await presentOneUser(this.svc.database.db, row, this.svc.presence, this.svc.keys), pendingGrant: pending };
  }

  /**
   * Offboarding (ACL-5, IAM-3), one action: deactivate, revoke every session (sockets close on
   * every node after commit), leave every conversation, and hand conversations they alone owned
   * to `transferTo` or their department manager. Their messages stay, subject to retention.
   */
  async deactivateUser(actor: Actor, id: string, transferTo?: string): Promise<ResponseOf<'deactivateUser'>> {
    let revoked: string[] = [];
    const transferred: Array<{ conversationId: string; newOwnerId: string }> = [];
    let removedFrom = 0;
    const row = await this.svc.runner.run(actor, 'users.deactivate', { targetType: 'user', targetId: id, details: { transferTo } }, async (ctx) => {
      if (actor.kind !== 'system') requirePermission(actor, 'users.deactivate');
      const user = await this.requireUserIn(ctx, id);
      if (user.id === actor.userId) throw new AppError('conflict', 'you cannot deactivate yourself');
      if (isUser(actor)) assertCanManageUser(actor, user);
      if (user.status === 'deactivated') throw new AppError('conflict', 'the user is already deactivated');
      const heirId = transferTo ?? (await this.managerOf(ctx, id));
      const heir = heirId ? await store.findUserById(ctx.trx, actor.orgId, heirId) : undefined;
      if (transferTo && (!heir || heir.status !== 'active' || heir.id === id)) throw notFound('user to transfer to', 'bad_designee');
      await store.updateUser(ctx.trx, id, { status: 'deactivated', deactivated_at: ctx.now, updated_at: ctx.now });
      if (user.role === 'owner') assertNotLastOwner(await store.countActiveWithRole(ctx.trx, actor.orgId, 'owner'));
      revoked = await store.revokeUserSessions(ctx.trx, id, ctx.now, 'deactivated');
      await mlsUserOffboarded(ctx, id);
      const settings = await getOrgSettings(ctx.trx, actor.orgId);
      for (const c of await conv.membershipsOf(ctx.trx, id)) {
        const soleOwner = c.my_role === 'owner' && c.kind !== 'dm' && !(await conv.listMembers(ctx.trx, c.id)).some((m) => m.role === 'owner' && m.user_id !== id);
        let usedHeir: string | null = null;
        if (soleOwner && heir && heir.status === 'active' && clears(settings, heir.clearance, c.level)) {
          if (!(await conv.findMember(ctx.trx, c.id, heir.id))) {
            await assertAdmissible(ctx, c, settings, [heir]).then(async () => {
              await conv.insertMembers(ctx.trx, [{ conversation_id: c.id, user_id: heir.id, role: 'member', joined_at: ctx.now, last_read_position: Number(c.last_position), history_from: 0 }]);
              await ctx.emit(await conv.memberIds(ctx.trx, c.id), { type: 'member.added', conversationId: c.id, data: { userId: heir.id, role: 'member', joinedAt: ctx.now, lastReadPosition: Number(c.last_position) } });
            }, () => undefined);
          }
          if (await conv.findMember(ctx.trx, c.id, heir.id)) usedHeir = heir.id;
        }
        const newOwner = await removeMembership(ctx, c, id, usedHeir);
        if (newOwner) transferred.push({ conversationId: c.id, newOwnerId: newOwner });
        removedFrom++;
      }
      ctx.detail({ revokedSessions: revoked.length, removedFrom, transferred: transferred.length, heir: heir?.id ?? null });
      return { ...user, status: 'deactivated', deactivated_at: ctx.now };
    });
    this.onRevoked(id, 'all', 'deactivated');
    return { user: await presentOneUser(this.svc.database.db, row, this.svc.presence, this.svc.keys), revokedSessions: revoked.length, removedFrom, transferred };
  }

  /** Reactivation restores the account only: no sessions, no memberships. */
  async reactivateUser(actor: Actor, id: string): Promise<ResponseOf<'reactivateUser'>> {
    const row = await this.svc.runner.run(actor, 'users.reactivate', { targetType: 'user', targetId: id }, async (ctx) => {
      if (actor.kind !== 'system') requirePermission(actor, 'users.deactivate');
      const user = await this.requireUserIn(ctx, id);
      if (isUser(actor)) assertCanManageUser(actor, user);
      if (user.status === 'active') throw new AppError('conflict', 'the user is already active');
      await store.updateUser(ctx.trx, id, { status: 'active', deactivated_at: null, failed_logins: 0, locked_until: 0, updated_at: ctx.now });
      return { ...user, status: 'active', deactivated_at: null };
    });
    return { user: await presentOneUser(this.svc.database.db, row, this.svc.presence, this.svc.keys) };
  }

  private async requireRole(ctx: ActionContext, name: string) {
    const role = await access.findRole(ctx.trx, ctx.actor.orgId, name);
    if (!role) throw invalid('role', `unknown role "${name}"`);
    return role;
  }

  private requireLevel(levels: string[], level: string): void {
    if (!levels.includes(level)) throw invalid('clearance', `unknown level "${level}"; levels are ${levels.join(', ')}`);
  }

  private async setDepartments(ctx: ActionContext, userId: string, ids: string[]): Promise<void> {
    for (const d of ids) if (!(await access.findDepartment(ctx.trx, ctx.actor.orgId, d))) throw notFound('department');
    await access.setUserDepartments(ctx.trx, userId, ids);
  }

  /** The manager of the user's first department that has one (excluding the user). */
  private async managerOf(ctx: ActionContext, userId: string): Promise<string | null> {
    const depts = (await access.userDepartments(ctx.trx, [userId])).get(userId) ?? [];
    for (const d of depts) {
      const row = await access.findDepartment(ctx.trx, ctx.actor.orgId, d);
      if (row?.manager_id && row.manager_id !== userId) return row.manager_id;
    }
    return null;
  }

  private async requireUserIn(ctx: ActionContext, id: string): Promise<store.UserRow> {
    const u = await store.findUserById(ctx.trx, ctx.actor.orgId, id);
    if (!u) throw notFound('user');
    return u;
  }
}

export function presentGrant(g: access.RoleGrantRow): RoleGrant {
  return {
    id: g.id, userId: g.user_id, role: g.role, requestedBy: g.requested_by, requestedAt: g.requested_at,
    status: g.status as RoleGrant['status'], decidedBy: g.decided_by, decidedAt: g.decided_at,
  };
}
