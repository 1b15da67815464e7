/** Route table for access-control administration. */
import { route, type RouteDef } from '../../http/route';
import type { AccessActions } from './access.actions';
import type { AccessQueries } from './access.queries';

export function accessRoutes(actions: AccessActions, queries: AccessQueries): RouteDef[] {
  return [
    route({ endpoint: 'capabilities', auth: 'session', action: 'me.capabilities', handler: ({ actor }) => queries.capabilities(actor) }),
    route({ endpoint: 'listRoles', auth: 'session', action: 'roles.list', handler: ({ actor }) => queries.roles(actor) }),
    route({ endpoint: 'createRole', auth: 'session', action: 'roles.create', status: 201, handler: ({ actor, body }) => actions.createRole(actor, body) }),
    route({ endpoint: 'updateRole', auth: 'session', action: 'roles.update', handler: ({ actor, params, body }) => actions.updateRole(actor, params.name, body) }),
    route({ endpoint: 'deleteRole', auth: 'session', action: 'roles.delete', handler: ({ actor, params }) => actions.deleteRole(actor, params.name) }),
    route({ endpoint: 'listRoleGrants', auth: 'session', action: 'roles.list_grants', handler: ({ actor }) => queries.pendingGrants(actor) }),
    route({ endpoint: 'approveRoleGrant', auth: 'session', action: 'roles.grant_approve', handler: ({ actor, params }) => actions.decideGrant(actor, params.id, true) }),
    route({ endpoint: 'rejectRoleGrant', auth: 'session', action: 'roles.grant_reject', handler: ({ actor, params }) => actions.decideGrant(actor, params.id, false) }),
    route({ endpoint: 'listDepartments', auth: 'session', action: 'departments.list', handler: ({ actor }) => queries.departments(actor) }),
    route({ endpoint: 'createDepartment', auth: 'session', action: 'departments.create', status: 201, handler: ({ actor, body }) => actions.createDepartment(actor, body) }),
    route({ endpoint: 'updateDepartment', auth: 'session', action: 'departments.update', handler: ({ actor, params, body }) => actions.updateDepartment(actor, params.id, body) }),
    route({ endpoint: 'deleteDepartment', auth: 'session', action: 'departments.delete', handler: ({ actor, params }) => actions.deleteDepartment(actor, params.id) }),
    route({ endpoint: 'updateLevels', auth: 'session', action: 'org.update_levels', handler: ({ actor, body }) => actions.updateLevels(actor, body) }),
    route({ endpoint: 'applyPreset', auth: 'session', action: 'org.apply_preset', handler: ({ actor, body }) => actions.applyPreset(actor, body.preset) }),
  ];
}
