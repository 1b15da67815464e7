/** Pieces shared by the access-control tabs: types, the department tree, role order, the loading state. */
import type { Department, Role, RoleGrant } from '@conclave/sdk';
import { useI18n } from '../../i18n/context';
import { Spinner } from '../../ui/kit';
import { BUILTIN_ROLES } from '../roles';

export type { Department, Role, RoleGrant };

export function Loading() {
  const { t } = useI18n();
  return <Spinner label={t('common.loading')} />;
}

/** Built-in roles in their documented order, custom roles after them. */
export function roleRank(name: string): number {
  const i = (BUILTIN_ROLES as readonly string[]).indexOf(name);
  return i < 0 ? 100 : i;
}

export function sortRoles<R extends { name: string }>(roles: R[]): R[] {
  return [...roles].sort((a, b) => roleRank(a.name) - roleRank(b.name) || a.name.localeCompare(b.name));
}

/** Roles whose permissions never change (the server refuses): the owner keeps everything, guests stay minimal (ACL-4). */
export const FIXED_ROLES: readonly string[] = ['owner', 'guest'];

export interface TreeRow { dept: Department; depth: number }

/** The department tree, depth first, siblings by name; orphans (unknown parent) at the top level. */
export function flattenTree(depts: Department[]): TreeRow[] {
  const ids = new Set(depts.map((d) => d.id));
  const children = new Map<string | null, Department[]>();
  for (const d of depts) {
    const parent = d.parentId && ids.has(d.parentId) ? d.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const out: TreeRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const d of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ dept: d, depth });
      walk(d.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** `id` and every department below it: none of them may become its parent (no cycles). */
export function subtreeIds(depts: Department[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew;) {
    grew = false;
    for (const d of depts) if (d.parentId && out.has(d.parentId) && !out.has(d.id)) { out.add(d.id); grew = true; }
  }
  return out;
}
