/** SQL for roles, departments, department membership and role grants. */
import type { Selectable } from 'kysely';
import { BUILTIN_ROLES, DEFAULT_ROLE_PERMISSIONS, type Permission } from '@conclave/protocol';
import type { DepartmentsTable, RoleGrantsTable } from '../../storage/schema';
import type { Trx } from '../../storage/tx';

export type DepartmentRow = Selectable<DepartmentsTable>;
export type RoleGrantRow = Selectable<RoleGrantsTable>;
export interface RoleRow { name: string; permissions: Permission[]; builtin: boolean }

/** Inserts the built-in roles for a new organisation. */
export async function seedRoles(trx: Trx, orgId: string, now: number): Promise<void> {
  await trx.insertInto('roles').values(BUILTIN_ROLES.map((name) => ({
    org_id: orgId, name, permissions: JSON.stringify(DEFAULT_ROLE_PERMISSIONS[name]), builtin: 1, created_at: now,
  }))).onConflict((oc) => oc.columns(['org_id', 'name']).doNothing()).execute();
}

export async function listRoles(db: Trx, orgId: string): Promise<RoleRow[]> {
  const rows = await db.selectFrom('roles').selectAll().where('org_id', '=', orgId).orderBy('builtin', 'desc').orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, permissions: JSON.parse(r.permissions) as Permission[], builtin: r.builtin === 1 }));
}

export async function findRole(db: Trx, orgId: string, name: string): Promise<RoleRow | undefined> {
  const r = await db.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  return r && { name: r.name, permissions: JSON.parse(r.permissions) as Permission[], builtin: r.builtin === 1 };
}

export async function insertRole(trx: Trx, orgId: string, name: string, permissions: Permission[], now: number): Promise<void> {
  await trx.insertInto('roles').values({ org_id: orgId, name, permissions: JSON.stringify(permissions), builtin: 0, created_at: now }).execute();
}

export async function setRolePermissions(trx: Trx, orgId: string, name: string, permissions: Permission[]): Promise<void> {
  await trx.updateTable('roles').set({ permissions: JSON.stringify([...new Set(permissions)]) }).where('org_id', '=', orgId).where('name', '=', name).execute();
}

export async function deleteRole(trx: Trx, orgId: string, name: string): Promise<void> {
  await trx.deleteFrom('roles').where('org_id', '=', orgId).where('name', '=', name).execute();
}

export async function roleHolders(db: Trx, orgId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('users').select(['role', (eb) => eb.fn.countAll<number>().as('n')]).where('org_id', '=', orgId).where('status', '=', 'active').groupBy('role').execute();
  return new Map(rows.map((r) => [r.role, Number(r.n)]));
}

export function listDepartments(db: Trx, orgId: string): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
}

export function findDepartment(db: Trx, orgId: string, id: string): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertDepartment(trx: Trx, row: DepartmentRow): Promise<void> {
  await trx.insertInto('departments').values(row).execute();
}

export async function updateDepartment(trx: Trx, id: string, patch: Partial<DepartmentRow>): Promise<void> {
  await trx.updateTable('departments').set(patch).where('id', '=', id).execute();
}

export async function deleteDepartment(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('departments').where('id', '=', id).execute();
}

export async function departmentMemberCounts(db: Trx, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('user_departments as ud').innerJoin('users as u', 'u.id', 'ud.user_id')
    .select(['ud.department_id', (eb) => eb.fn.countAll<number>().as('n')]).where('ud.department_id', 'in', ids).where('u.status', '=', 'active')
    .groupBy('ud.department_id').execute();
  return new Map(rows.map((r) => [r.department_id, Number(r.n)]));
}

export async function userDepartments(db: Trx, userIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!userIds.length) return out;
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db.selectFrom('user_departments').selectAll().where('user_id', 'in', userIds.slice(i, i + 500)).orderBy('department_id').execute();
    for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.department_id]);
  }
  return out;
}

export async function setUserDepartments(trx: Trx, userId: string, departmentIds: string[]): Promise<void> {
  await trx.deleteFrom('user_departments').where('user_id', '=', userId).execute();
  if (departmentIds.length) await trx.insertInto('user_departments').values([...new Set(departmentIds)].map((d) => ({ user_id: userId, department_id: d }))).execute();
}

export async function departmentUserIds(db: Trx, departmentIds: string[]): Promise<string[]> {
  if (!departmentIds.length) return [];
  const rows = await db.selectFrom('user_departments').select('user_id').distinct().where('department_id', 'in', departmentIds).execute();
  return rows.map((r) => r.user_id);
}

export async function insertGrant(trx: Trx, row: RoleGrantRow): Promise<void> {
  await trx.insertInto('role_grants').values(row).execute();
}

export function findGrant(db: Trx, orgId: string, id: string): Promise<RoleGrantRow | undefined> {
  return db.selectFrom('role_grants').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function pendingGrants(db: Trx, orgId: string): Promise<RoleGrantRow[]> {
  return db.selectFrom('role_grants').selectAll().where('org_id', '=', orgId).where('status', '=', 'pending').orderBy('requested_at').execute();
}

export async function decideGrant(trx: Trx, id: string, status: 'approved' | 'rejected', by: string, at: number): Promise<void> {
  await trx.updateTable('role_grants').set({ status, decided_by: by, decided_at: at }).where('id', '=', id).execute();
}
