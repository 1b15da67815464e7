/** Access-control reads: capabilities (for every user), roles, departments, pending grants. */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import { requirePermission } from '../identity/identity.policy';
import { presentGrant } from '../identity/users.actions';
import { clears, levelPolicy } from './levels';
import { presentDepartment, presentRole } from './access.presenter';
import * as store from './access.store';

export class AccessQueries {
  constructor(private readonly svc: Services) {}

  /** Everything a UI needs to hide what the server would refuse (ACL-3). */
  async capabilities(actor: UserActor): Promise<ResponseOf<'capabilities'>> {
    const s = await getOrgSettings(this.svc.database.db, actor.orgId);
    return {
      permissions: [...actor.permissions].sort(),
      role: actor.role,
      clearance: actor.clearance,
      levels: s.levels.map((name) => ({ name, label: s.levelLabels?.[name] ?? name, policy: levelPolicy(s, name), visible: clears(s, actor.clearance, name) })),
      policies: { directoryVisibility: s.directoryVisibility, historyVisibleToNewMembers: s.historyVisibleToNewMembers, guestDmToNonMembers: s.guestDmToNonMembers },
    };
  }

  async roles(actor: UserActor): Promise<ResponseOf<'listRoles'>> {
    if (!actor.permissions.has('roles.manage')) requirePermission(actor, 'users.update');
    const db = this.svc.database.db;
    const holders = await store.roleHolders(db, actor.orgId);
    return { roles: (await store.listRoles(db, actor.orgId)).map((r) => presentRole(r, holders.get(r.name) ?? 0)) };
  }

  /** The department tree; guests get none (ACL-4: no directory). */
  async departments(actor: UserActor): Promise<ResponseOf<'listDepartments'>> {
    if (actor.role === 'guest') return { departments: [] };
    const db = this.svc.database.db;
    const rows = await store.listDepartments(db, actor.orgId);
    const counts = await store.departmentMemberCounts(db, rows.map((r) => r.id));
    return { departments: rows.map((d) => presentDepartment(d, counts.get(d.id) ?? 0)) };
  }

  async pendingGrants(actor: UserActor): Promise<ResponseOf<'listRoleGrants'>> {
    requirePermission(actor, 'users.update');
    return { grants: (await store.pendingGrants(this.svc.database.db, actor.orgId)).map(presentGrant) };
  }
}
