/**
 * Privileged role grants waiting for a second administrator (dual control, ACL-1), shared by the
 * admin console: the navigation badge, the Approvals tab and the Users screen read one list,
 * refreshed every 30 s and right after anyone here requests or decides a grant.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApp } from '../../lib/app-context';
import type { RoleGrant } from './shared';

const REFRESH_MS = 30_000;

export interface PendingGrants {
  /** Pending grants, oldest first; null until loaded or without users.update. */
  grants: RoleGrant[] | null;
  /** How many of them this admin may decide (not their own requests, not grants to themselves). */
  decidable: number;
  refresh(): Promise<void>;
}

const Ctx = createContext<PendingGrants>({ grants: null, decidable: 0, refresh: async () => undefined });

/** Deciding needs users.update on the server; without it the list is not fetched at all. */
export const APPROVALS_PERMISSION = 'users.update';

/** Whether `me` may decide `g` (the server refuses the others: same_admin, self_grant). */
export function canDecide(g: RoleGrant, me: string): boolean {
  return g.requestedBy !== me && g.userId !== me;
}

export function PendingGrantsProvider({ children }: { children: ReactNode }) {
  const app = useApp();
  const enabled = app.can(APPROVALS_PERMISSION);
  const [grants, setGrants] = useState<RoleGrant[] | null>(null);
  const refresh = useCallback(async () => {
    if (!enabled) return;
    try {
      setGrants((await app.client.http.request('listRoleGrants')).grants);
    } catch {
      // Keep the last list: a badge that flickers away on a network blip helps nobody.
    }
  }, [app.client, enabled]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  const me = app.me.user.id;
  const value = useMemo<PendingGrants>(() => ({ grants, decidable: (grants ?? []).filter((g) => canDecide(g, me)).length, refresh }), [grants, me, refresh]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePendingGrants(): PendingGrants {
  return useContext(Ctx);
}
