/**
 * runAction — the single write path (rule 3). One transaction runs the change, appends the
 * audit row and the durable events; realtime delivery happens only after commit. A denied or
 * failed attempt rolls back and is audited in its own transaction, with the real reason.
 */
import type { Kysely } from 'kysely';
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

export class ActionRunner {
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
      const result = await withWriteTransaction(this.deps.database, actor.orgId, async (trx) => {
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
      if (deferred) throw Object.assign(deferred as AppError, { audited: true });
      if (events.length) this.deps.onEvents(events);
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
