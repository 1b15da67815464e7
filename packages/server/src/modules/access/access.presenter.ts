/** Rows → wire objects for roles and departments. */
import type { Department, Role } from '@conclave/protocol';
import type { DepartmentRow, RoleRow } from './access.store';

export function presentRole(r: RoleRow, holders: number): Role {
  return { name: r.name, permissions: [...r.permissions], builtin: r.builtin, holders };
}

export function presentDepartment(d: DepartmentRow, memberCount: number): Department {
  return { id: d.id, name: d.name, parentId: d.parent_id, managerId: d.manager_id, externalIsolation: d.external_isolation === 1, memberCount };
}
