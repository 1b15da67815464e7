/** Access-control administration (ACL-1..5, GOV-6): capabilities, roles, departments, grants, confidentiality levels, presets. */
import * as z from 'zod';
import { Id, cleanText } from './common';
import { Capabilities, Department, LevelName, OrgRoleSchema, OrgSettings, PermissionSchema, Role, RoleGrant } from './models';
import { PRESETS } from './roles';
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;
const IdParams = z.object({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

export const adminEndpoints = {
  capabilities: ep({ method: 'GET', path: '/api/v1/me/capabilities', summary: 'What you may do: permissions, clearance, level policies, org policies (ACL-3).', response: Capabilities }),

  listRoles: ep({ method: 'GET', path: '/api/v1/admin/roles', summary: 'Roles and their permissions.', response: z.object({ roles: z.array(Role) }) }),
  createRole: ep({
    method: 'POST', path: '/api/v1/admin/roles', summary: 'Define a custom role.',
    body: z.object({ name: OrgRoleSchema, permissions: z.array(PermissionSchema).max(64) }).strict(), response: z.object({ role: Role }),
  }),
  updateRole: ep({
    method: 'PATCH', path: '/api/v1/admin/roles/:name', summary: 'Change a role\'s permissions (owner and guest are fixed).',
    params: z.object({ name: OrgRoleSchema }), body: z.object({ permissions: z.array(PermissionSchema).max(64) }).strict(), response: z.object({ role: Role }),
  }),
  deleteRole: ep({ method: 'DELETE', path: '/api/v1/admin/roles/:name', summary: 'Delete an unused custom role.', params: z.object({ name: OrgRoleSchema }), response: Ok }),

  listRoleGrants: ep({ method: 'GET', path: '/api/v1/admin/role-grants', summary: 'Privileged role grants waiting for a second admin.', response: z.object({ grants: z.array(RoleGrant) }) }),
  approveRoleGrant: ep({ method: 'POST', path: '/api/v1/admin/role-grants/:id/approve', summary: 'Approve a pending grant (not your own request).', params: IdParams, body: z.object({}).strict().optional(), response: z.object({ grant: RoleGrant }) }),
  rejectRoleGrant: ep({ method: 'POST', path: '/api/v1/admin/role-grants/:id/reject', summary: 'Reject a pending grant.', params: IdParams, body: z.object({}).strict().optional(), response: z.object({ grant: RoleGrant }) }),

  listDepartments: ep({ method: 'GET', path: '/api/v1/departments', summary: 'The department tree (not for guests).', response: z.object({ departments: z.array(Department) }) }),
  createDepartment: ep({
    method: 'POST', path: '/api/v1/admin/departments', summary: 'Create a department.',
    body: z.object({ name: cleanText(120, 1), parentId: Id.nullable().optional(), managerId: Id.nullable().optional(), externalIsolation: z.boolean().optional() }).strict(),
    response: z.object({ department: Department }),
  }),
  updateDepartment: ep({
    method: 'PATCH', path: '/api/v1/admin/departments/:id', summary: 'Rename, move (no cycles), set manager or external isolation.', params: IdParams,
    body: z.object({ name: cleanText(120, 1).optional(), parentId: Id.nullable().optional(), managerId: Id.nullable().optional(), externalIsolation: z.boolean().optional() }).strict(),
    response: z.object({ department: Department }),
  }),
  deleteDepartment: ep({ method: 'DELETE', path: '/api/v1/admin/departments/:id', summary: 'Delete an empty department without sub-departments.', params: IdParams, response: Ok }),

  updateLevels: ep({
    method: 'PUT', path: '/api/v1/admin/levels',
    summary: 'Replace the ordered confidentiality level list (ACL-2): add, relabel, reorder, remove unused levels (409 names a level still in use).',
    body: z.object({
      /** Lowest first. Names are permanent identifiers; labels are what people see. */
      levels: z.array(z.object({ name: LevelName, label: cleanText(40).optional() }).strict()).min(1).max(10),
      defaultLevel: LevelName.optional(),
    }).strict(),
    response: z.object({ settings: OrgSettings }),
  }),

  applyPreset: ep({
    method: 'POST', path: '/api/v1/admin/org/preset', summary: 'Apply an industry preset (docs/PRESETS.md).',
    body: z.object({ preset: z.enum(PRESETS) }).strict(), response: z.object({ settings: OrgSettings, roles: z.array(Role) }),
  }),
} as const;
