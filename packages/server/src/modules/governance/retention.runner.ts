/**
 * The retention job (GOV-1, GOV-2). A run walks the organisation's conversations; for each it
 * resolves the effective retention, deletes expired messages in batches (each batch its own
 * audited action, so the organisation's write lock is never held for long), erases expired
 * unsent files, removes old tombstones, and destroys the message keys of every month bucket
 * that lies wholly before the cut-off and holds nothing a legal hold keeps. Progress is saved
 * with each batch; the run ends with one signed receipt linked into the audit chain. A run
 * cut short by shutdown is finished (receipt and all) as `interrupted`.
 */
import type { ActionContext } from '../../kernel/action';
import { isUser, systemActor, type Actor } from '../../kernel/actor';
import { requirePermission } from '../identity/identity.policy';
import { AppError } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import type { AuditKeys } from '../audit/signing-key';
import type { FileActions } from '../files/files.actions';
import { bucketEnd } from '../messages/message-keys';
import { getOrgSettings } from '../org/org.store';
import * as store from './governance.store';
import { HoldSet } from './holds';
import { DeletionTally, eraseFiles, purgeMessages, shredIdleMessageKeys } from './purge';
import { issueReceipt } from './receipts';
import { resolveRetention, type RetentionInputs } from './retention.rules';

const DAY = 86_400_000;
/** Messages per batch action: small enough to keep each write transaction short. */
export const RETENTION_BATCH = 500;

interface ConvRow { id: string; kind: string; level: string }

export interface RetentionDeps { auditKeys: AuditKeys; files: FileActions }

export class RetentionRunner {
  private readonly active = new Map<string, Promise<void>>();
  private readonly starting = new Set<string>();
  private stopping = false;

  constructor(private readonly svc: Services, private readonly deps: RetentionDeps) {}

  /**
   * Opens a run (audited as `governance.retention_start`) and carries it out in the
   * background. Only one run per organisation at a time: a second start is a 409.
   */
  async start(actor: Actor, trigger: 'schedule' | 'manual'): Promise<store.RunRow> {
    if (this.active.has(actor.orgId) || this.starting.has(actor.orgId)) throw new AppError('conflict', 'a retention run is already in progress');
    this.starting.add(actor.orgId);
    let run: store.RunRow;
    try {
      run = await this.open(actor, trigger);
      await this.recover(actor.orgId, run.id);
    } finally {
      this.starting.delete(actor.orgId);
    }
    const work = this.execute(run).catch(async (err) => {
      this.svc.log.error({ err, runId: run.id }, 'retention run failed');
      await this.svc.runner.run(systemActor(run.org_id, 'retention'), 'governance.retention_failed', { targetType: 'retention_run', targetId: run.id }, async (ctx) => {
        await store.updateRun(ctx.trx, run.id, { status: 'failed', finished_at: ctx.now });
      }).catch(() => {});
    }).finally(() => this.active.delete(run.org_id));
    this.active.set(run.org_id, work);
    return run;
  }

  private open(actor: Actor, trigger: 'schedule' | 'manual'): Promise<store.RunRow> {
    return this.svc.runner.run(actor, 'governance.retention_start', { targetType: 'retention_run' }, async (ctx) => {
      if (isUser(actor)) requirePermission(actor, 'retention.manage');
      const row: store.RunRow = {
        id: newId(ctx.now), org_id: actor.orgId, trigger, status: 'running', started_by: actor.userId, started_at: ctx.now,
        finished_at: null, progress: JSON.stringify(new DeletionTally().toJSON()), receipt_id: null,
      };
      await store.insertRun(ctx.trx, row);
      ctx.target('retention_run', row.id);
      ctx.detail({ trigger });
      return row;
    });
  }

  /**
   * Runs left `running` by a process that stopped without finishing them (a crash) are closed
   * as `interrupted`, with a receipt for what their saved progress says they did.
   */
  async recover(orgId: string, exceptId = ''): Promise<void> {
    for (const run of await store.runningRuns(this.svc.database.db, orgId)) {
      if (this.active.has(orgId) || run.id === exceptId) continue;
      await this.finish(run, 'interrupted', DeletionTally.from(run.progress), await HoldSet.load(this.svc.database.db, orgId), {});
    }
  }

  /** Waits for runs in progress to stop after their current batch (shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.active.values());
  }

  /** Resolves when the organisation has no run in progress (tests, CLI). */
  async idle(orgId: string): Promise<void> {
    await this.active.get(orgId);
  }

  /** What a run would delete now, without changing anything. */
  async preview(orgId: string): Promise<DeletionTally> {
    const db = this.svc.database.db;
    const tally = new DeletionTally();
    const inputs = await this.inputs(orgId);
    const holds = await HoldSet.load(db, orgId);
    const now = this.svc.clock.now();
    for await (const conv of this.conversations(orgId)) {
      const cutoff = this.cutoff(conv, inputs, now);
      if (cutoff === null) continue;
      // Batch by batch, like a run: a large conversation is never read into memory at once.
      let n = 0;
      let kept = 0;
      for await (const rows of this.expiredMessages(conv.id, cutoff)) {
        for (const r of rows) {
          if (holds.covers({ conversationId: conv.id, authorId: r.author_id, createdAt: Number(r.created_at) })) kept++;
          else n++;
        }
      }
      tally.add({ messages: n, heldKept: kept, conversations: n ? 1 : 0 });
    }
    return tally;
  }

  private async execute(run: store.RunRow): Promise<void> {
    const orgId = run.org_id;
    const actor = systemActor(orgId, 'retention');
    const tally = DeletionTally.from(run.progress);
    const inputs = await this.inputs(orgId);
    const holds = await HoldSet.load(this.svc.database.db, orgId);
    const now = this.svc.clock.now();
    const cutoffs: Record<string, number> = {};
    let interrupted = false;
    for await (const conv of this.conversations(orgId)) {
      if (this.stopping) { interrupted = true; break; }
      const cutoff = this.cutoff(conv, inputs, now);
      if (cutoff === null) continue;
      const before = tally.counts.messages + tally.counts.tombstoned + tally.counts.files + tally.counts.keysDestroyed;
      await this.conversation(actor, run.id, conv, cutoff, holds, tally);
      if (tally.counts.messages + tally.counts.tombstoned + tally.counts.files + tally.counts.keysDestroyed > before) {
        tally.add({ conversations: 1 });
        cutoffs[conv.id] = cutoff;
      }
    }
    await this.finish(run, interrupted ? 'interrupted' : 'completed', tally, holds, cutoffs);
  }

  private async conversation(actor: Actor, runId: string, conv: ConvRow, cutoff: number, holds: HoldSet, tally: DeletionTally): Promise<void> {
    const wholeHold = holds.conversationHold(conv.id);
    for await (const rows of this.expiredMessages(conv.id, cutoff)) {
      if (wholeHold) {
        holds.kept.set(wholeHold, (holds.kept.get(wholeHold) ?? 0) + rows.length);
        tally.add({ heldKept: rows.length });
        continue;
      }
      const ids = rows.filter((r) => !holds.covers({ conversationId: conv.id, authorId: r.author_id, createdAt: Number(r.created_at) })).map((r) => r.id);
      tally.add({ heldKept: rows.length - ids.length });
      if (!ids.length) continue;
      await this.batch(actor, runId, conv.id, tally, async (ctx) => purgeMessages(ctx, this.deps.files, ids, tally));
      if (this.stopping) return;
    }
    if (wholeHold) return;
    // Unsent uploads past the cut-off, then whole month buckets before it.
    await this.batch(actor, runId, conv.id, tally, async (ctx) => {
      const files = await ctx.trx.selectFrom('files').selectAll().where('conversation_id', '=', conv.id).where('message_id', 'is', null)
        .where('created_at', '<', cutoff).execute();
      const expired = files.filter((f) => !holds.covers({ conversationId: conv.id, authorId: f.uploader_id, createdAt: Number(f.created_at) }));
      await eraseFiles(ctx, this.deps.files, expired, tally);
      const buckets = await ctx.trx.selectFrom('message_keys').select(['bucket', 'key_id']).where('conversation_id', '=', conv.id).execute();
      const expiredKeys = buckets.filter((b) => bucketEnd(b.bucket) <= cutoff).map((b) => b.key_id);
      await shredIdleMessageKeys(ctx, this.svc.keys, expiredKeys, tally);
    });
  }

  /** A conversation's messages older than `cutoff`, in id order, RETENTION_BATCH at a time. */
  private async *expiredMessages(conversationId: string, cutoff: number): AsyncGenerator<Array<{ id: string; author_id: string; created_at: number }>> {
    const db = this.svc.database.db;
    let cursor = '';
    for (;;) {
      const rows = await db.selectFrom('messages').select(['id', 'author_id', 'created_at'])
        .where('conversation_id', '=', conversationId).where('created_at', '<', cutoff).where('id', '>', cursor).orderBy('id').limit(RETENTION_BATCH).execute();
      if (!rows.length) return;
      cursor = rows[rows.length - 1]!.id;
      yield rows;
      if (rows.length < RETENTION_BATCH) return;
    }
  }

  /** One audited batch; progress is saved in the same transaction. */
  private async batch(actor: Actor, runId: string, conversationId: string, tally: DeletionTally, fn: (ctx: ActionContext) => Promise<void>): Promise<void> {
    const before = { ...tally.counts };
    const snapshot = JSON.stringify(tally.toJSON());
    try {
      await this.svc.runner.run(actor, 'governance.retention_batch', { targetType: 'conversation', targetId: conversationId, details: { runId } }, async (ctx) => {
        await fn(ctx);
        const after = tally.counts;
        ctx.detail({
          messages: after.messages - before.messages, tombstoned: after.tombstoned - before.tombstoned, files: after.files - before.files,
          keysDestroyed: after.keysDestroyed - before.keysDestroyed,
        });
        await store.updateRun(ctx.trx, runId, { progress: JSON.stringify(tally.toJSON()) });
      });
    } catch (err) {
      // The batch rolled back: so must the tally.
      const restored = DeletionTally.from(snapshot);
      Object.assign(tally.counts, restored.counts);
      tally.destroyedKeys.clear();
      for (const [k, v] of restored.destroyedKeys) tally.destroyedKeys.set(k, v);
      throw err;
    }
  }

  private async finish(run: store.RunRow, status: 'completed' | 'interrupted', tally: DeletionTally, holds: HoldSet, cutoffs: Record<string, number>): Promise<void> {
    await this.svc.runner.run(systemActor(run.org_id, 'retention'), 'governance.retention_run', { targetType: 'retention_run', targetId: run.id }, async (ctx) => {
      const { id } = await issueReceipt(ctx, this.deps.auditKeys, { kind: 'retention', tally, holds: holds.kept, extra: { runId: run.id, status, startedAt: Number(run.started_at), cutoffs } });
      await store.updateRun(ctx.trx, run.id, { status, finished_at: ctx.now, progress: JSON.stringify(tally.toJSON()), receipt_id: id });
      ctx.detail({ status });
    });
  }

  private async inputs(orgId: string): Promise<RetentionInputs> {
    const db = this.svc.database.db;
    return { policies: await store.listPolicies(db, orgId), minimums: await store.listMinimums(db, orgId), settings: await getOrgSettings(db, orgId) };
  }

  /** Content created before this time is expired; null when kept forever. */
  private cutoff(conv: ConvRow, inputs: RetentionInputs, now: number): number | null {
    const days = resolveRetention(conv, inputs).deleteAfterDays;
    return days === null ? null : now - days * DAY;
  }

  private async *conversations(orgId: string): AsyncGenerator<ConvRow> {
    let after = '';
    for (;;) {
      const page = await this.svc.database.db.selectFrom('conversations').select(['id', 'kind', 'level'])
        .where('org_id', '=', orgId).where('id', '>', after).orderBy('id').limit(200).execute();
      if (!page.length) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }
}
