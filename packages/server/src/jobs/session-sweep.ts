/**
 * Closes sockets whose session ended by a path that did not go through this node's bus —
 * the CLI writing to the database, another node without Redis, expiry (IAM-3, ACL-5).
 * Runs every second over this node's open sockets only, so its cost is one indexed query.
 */
import type { Database } from '../storage/db';
import type { Hub } from '../realtime/hub';
import type { Clock } from '../kernel/clock';

export const SWEEP_INTERVAL_MS = 1_000;

export function startSessionSweep(database: Database, hub: Hub, clock: Clock, onError: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    const conns = hub.all();
    if (conns.length === 0) return;
    running = true;
    try {
      const ids = [...new Set(conns.map((c) => c.sessionId))];
      const dead = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await database.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.id', 's.revoked_at', 's.expires_at', 'u.status'])
          .where('s.id', 'in', ids.slice(i, i + 500)).execute();
        const now = clock.now();
        for (const r of rows) if (r.revoked_at !== null || r.expires_at <= now || r.status !== 'active') dead.add(r.id);
      }
      for (const c of conns) if (dead.has(c.sessionId)) c.revoke('session ended');
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
