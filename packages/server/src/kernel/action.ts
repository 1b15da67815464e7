/**
 * runAction — the single write path (rule 3). One transaction runs the change, appends the
 * audit row and the durable events; realtime delivery happens only after commit. A denied or
 * failed attempt rolls back and is audited in its own transaction, with the real reason.
 * Actions of one organisation that queue up share a write transaction (group commit, each in
 * its own savepoint; see ActionRunner.inWriteTransaction). An action's fn must therefore never
 * start another action and wait for it: that one would queue behind the group running it (as it
 * always would have waited for the organisation's write lock).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/db';
import type { DB } from '../storage/schema';
import { withWriteTransaction } from '../storage/tx';
import { appendEvent, type EventDraft, type StoredEvent } from '../realtime/event-log';
import type { Actor } from './actor';
import { appendAudit, type AuditEntry } from './audit';
import type { Clock } from './clock';
import { AppError } from './errors';

export interface ActionContext {
  trx: Kysely<DB>;
  actor: Actor;
  now: number;
  /** Sets the audited target (known only once the object exists, e.g. a new id). */
  target(type: string, id: string | null): void;
  /** Adds audit metadata (never content or secrets). */
  detail(details: Record<string, unknown>): void;
  /** Appends a durable event for `recipients`; delivered after commit. */
  emit(recipients: Iterable<string>, draft: EventDraft): Promise<void>;
  /** Runs after a successful commit (e.g. closing sockets of a revoked session). */
  afterCommit(fn: () => void | Promise<void>): void;
  /** Appends an extra audit row in this transaction (e.g. an account lockout). */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * Commits the writes made so far (e.g. a failed-login counter), audits the attempt with the
   * error's outcome, then throws `err` to the caller. The fn must return right after.
   */
  failAfterCommit(err: AppError): void;
}

export interface ActionOptions {
  targetType?: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Receives committed events in commit order (the realtime publisher). */
export type EventSink = (events: StoredEvent[]) => void;

export interface ActionRunnerDeps {
  database: Database;
  clock: Clock;
  onEvents: EventSink;
  onError?: (err: unknown, action: string) => void;
}

/**
 * Most actions one write transaction carries: bounds the extra latency of the last one, and keeps
 * a PostgreSQL transaction under 64 subtransactions (beyond that every snapshot gets slower).
 */
const MAX_GROUP = 32;

interface QueuedAction {
  attempt(trx: Kysely<DB>): Promise<unknown>;
  /** The events to publish once committed. */
  events(): StoredEvent[];
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A failure of the first action of a group, which runs without a savepoint (see inWriteTransaction). */
class FirstActionFailed {
  constructor(readonly err: unknown) {}
}

export class ActionRunner {
  /** Actions waiting for their organisation's write transaction, per organisation. */
  private readonly queues = new Map<string, QueuedAction[]>();

  constructor(private readonly deps: ActionRunnerDeps) {}

  /** Runs `fn` as action `name` on behalf of `actor`, audited, atomically. */
  async run<T>(actor: Actor, name: string, opts: ActionOptions, fn: (ctx: ActionContext) => Promise<T>): Promise<T> {
    const now = this.deps.clock.now();
    let targetType = opts.targetType ?? null;
    let targetId = opts.targetId ?? null;
    let details: Record<string, unknown> = { ...(opts.details ?? {}) };
    const events: StoredEvent[] = [];
    const after: Array<() => void | Promise<void>> = [];
    let deferred: AppError | null = null;
    try {
      const result = await this.inWriteTransaction(actor.orgId, () => (deferred ? [] : events), async (trx) => {
        const ctx: ActionContext = {
          trx, actor, now,
          target: (type, id) => { targetType = type; targetId = id; },
          detail: (d) => { details = { ...details, ...d }; },
          emit: async (recipients, draft) => { events.push(await appendEvent(trx, actor.orgId, recipients, draft, now)); },
          afterCommit: (f) => { after.push(f); },
          audit: async (entry) => { await appendAudit(trx, actor, entry, now); },
          failAfterCommit: (e) => { deferred = e; },
        };
        const out = await fn(ctx);
        const failure = deferred as AppError | null;
        await appendAudit(trx, actor, failure
          ? { action: name, outcome: failure.outcome, targetType, targetId, reason: failure.reason ?? failure.code, details }
          : { action: name, outcome: 'success', targetType, targetId, details }, now);
        return out;
      });
      // Committed events were handed to onEvents with the rest of the group (inWriteTransaction).
      if (deferred) throw Object.assign(deferred as AppError, { audited: true });
      for (const f of after) {
        try { await f(); } catch (err) { this.deps.onError?.(err, name); }
      }
      return result;
    } catch (err) {
      if (!(err instanceof AppError && (err as AppError & { audited?: boolean }).audited)) {
        await this.recordFailure(actor, name, err, { targetType, targetId, details });
      }
      throw err;
    }
  }

  /**
   * Group commit. Writes are serialised per organisation anyway (ADR 0002), so actions that
   * queue up behind a running one share the next write transaction: one BEGIN (and org lock),
   * one COMMIT — and on SQLite one WAL write of the pages they share (audit tail, indexes,
   * cursors) — for the group instead of per action. Each action after the first runs inside
   * its own SAVEPOINT: it still commits or rolls back as a whole with its audit row and events,
   * and a failing action undoes only its own writes. The first action runs without one (no
   * extra statements when nothing is queued); if it fails, the transaction holds only it and
   * rolls back as before. No action's promise resolves before the COMMIT that made it durable;
   * if the COMMIT (or a savepoint rollback) fails, every action of the group fails with it.
   * An action never waits for others to arrive: the group is whatever queued meanwhile. The
   * group's events go to onEvents together, in commit order, before any action's after-commit work.
   */
  private inWriteTransaction<T>(orgId: string, events: () => StoredEvent[], attempt: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(orgId);
      const idle = !queue;
      if (!queue) this.queues.set(orgId, (queue = []));
      queue.push({ attempt, events, resolve: resolve as (v: unknown) => void, reject });
      if (idle) void this.drain(orgId, queue);
    });
  }

  private async drain(orgId: string, queue: QueuedAction[]): Promise<void> {
    while (queue.length) {
      const done: Array<{ job: QueuedAction; value: unknown }> = [];
      let current = null as QueuedAction | null;
      // One turn of the event loop first, so that requests just finishing their reads before the
      // action (e.g. the access check outside it) queue up and join this group: on SQLite they
      // share the single connection with the group and would otherwise trickle in one by one.
      await new Promise((r) => setImmediate(r));
      try {
        await withWriteTransaction(this.deps.database, orgId, async (trx) => {
          while (queue.length && done.length < MAX_GROUP) {
            const job = (current = queue.shift()!);
            if (!done.length) {
              try {
                done.push({ job, value: await job.attempt(trx) });
              } catch (err) {
                throw new FirstActionFailed(err);
              }
            } else {
              // Not released: COMMIT releases them all, and a later same-named savepoint nests
              // inside (ROLLBACK TO names the innermost), so this costs one statement per action.
              await sql`savepoint conclave_action`.execute(trx);
              try {
                done.push({ job, value: await job.attempt(trx) });
              } catch (err) {
                // If undoing fails too, the throw below ends the group and fails every action in it.
                await sql`rollback to savepoint conclave_action`.execute(trx);
                job.reject(err);
              }
            }
            current = null;
          }
        });
        // The group's events in commit order, as one batch: the publisher renders it in one pass.
        const committed = done.flatMap((d) => d.job.events());
        if (committed.length) {
          try { this.deps.onEvents(committed); } catch (err) { this.deps.onError?.(err, 'publish'); } // delivery is repaired from the log
        }
        for (const d of done) d.job.resolve(d.value);
      } catch (err) {
        // Rolled back: nothing of this group was committed.
        if (err instanceof FirstActionFailed) {
          current?.reject(err.err); // the group's first action, alone in the transaction
        } else if (!done.length && !current) {
          // The transaction could not even start (e.g. the database is locked by another process
          // beyond busy_timeout): fail what is waiting, as each would have failed on its own.
          for (const job of queue.splice(0)) job.reject(err);
        } else {
          for (const d of done) d.job.reject(err);
          current?.reject(err);
        }
      }
    }
    this.queues.delete(orgId);
  }

  /** Audits a denied or failed attempt (used by runAction and by read paths that deny). */
  async recordFailure(actor: Actor, name: string, err: unknown, target: { targetType?: string | null; targetId?: string | null; details?: Record<string, unknown> } = {}): Promise<void> {
    const app = err instanceof AppError ? err : null;
    const entry: AuditEntry = {
      action: name,
      outcome: app ? app.outcome : 'error',
      targetType: target.targetType ?? null,
      targetId: target.targetId ?? null,
      reason: app ? (app.reason ?? app.code) : 'internal',
      details: target.details,
    };
    if (app) (app as AppError & { audited?: boolean }).audited = true;
    try {
      await withWriteTransaction(this.deps.database, actor.orgId, (trx) => appendAudit(trx, actor, entry, this.deps.clock.now()));
    } catch (auditErr) {
      this.deps.onError?.(auditErr, `${name}:audit`);
    }
  }
}
