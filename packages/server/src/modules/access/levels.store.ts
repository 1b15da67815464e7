/**
 * Where a confidentiality level is in use (ACL-2), so that an admin cannot remove one that
 * still labels data or people. Read-only counts over the tables that store a level name; the
 * owning modules' stores have no "by level" query, and a removal must see them all in the one
 * transaction that changes the list (the same reads org.actions makes for PATCH /org/settings).
 */
import type { Trx } from '../../storage/tx';

/** How much still refers to one level; a level is removable when every count is 0. */
export interface LevelUsage {
  conversations: number;
  /** Users (active or not) whose clearance is this level: deactivated accounts can be reactivated. */
  clearances: number;
  files: number;
  retentionPolicies: number;
  retentionMinimums: number;
  archiveLevels: number;
}

/** The usage of each of `levels` in `orgId` (levels in no table come back all zero). */
export async function levelUsage(db: Trx, orgId: string, levels: string[]): Promise<Map<string, LevelUsage>> {
  const out = new Map<string, LevelUsage>();
  // One query after another: a PostgreSQL transaction is one connection anyway.
  const n = async (q: { executeTakeFirst(): Promise<{ n: number | string | bigint } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);
  for (const level of levels) {
    out.set(level, {
      conversations: await n(db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('level', '=', level)),
      clearances: await n(db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('clearance', '=', level)),
      files: await n(db.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('level', '=', level)),
      retentionPolicies: await n(db.selectFrom('retention_policies').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', orgId).where('scope', '=', 'level').where('target', '=', level)),
      retentionMinimums: await n(db.selectFrom('retention_minimums').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('level', '=', level)),
      archiveLevels: await n(db.selectFrom('archive_levels').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('level', '=', level)),
    });
  }
  return out;
}

/** True when nothing refers to the level. */
export function unused(u: LevelUsage): boolean {
  return Object.values(u).every((n) => n === 0);
}
