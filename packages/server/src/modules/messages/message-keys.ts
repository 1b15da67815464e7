/**
 * Message body keys (ENC-1, GOV-2): one data key per (conversation, UTC month, author).
 * That is the unit retention and erasure destroy: a month of a conversation once it has
 * expired, or everything one person wrote. Destroying the key makes every copy of those
 * bodies unreadable — edit history, exports, and backups, which never carry keys.
 */
import type { KeyService } from '../../kernel/keys';
import type { ActionContext } from '../../kernel/action';

/** The bucket (`YYYY-MM`, UTC) a message written at `ms` belongs to. */
export function bucketOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** First millisecond after `bucket` ends. */
export function bucketEnd(bucket: string): number {
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return Date.UTC(y, m, 1);
}

const CACHE_MAX = 20_000;

export class MessageKeys {
  /** `conversation|bucket|author` → key id; keys themselves are cached by KeyService. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly keys: KeyService) {}

  /**
   * The key sealing `authorId`'s messages written at `at` in `conversationId`, created on first
   * use inside the caller's action. A key is remembered only once that action has committed:
   * one created in a transaction that rolls back must never be used again.
   */
  async forMessage(ctx: Pick<ActionContext, 'trx' | 'now' | 'afterCommit'>, conversationId: string, authorId: string, at: number): Promise<{ id: string; key: Buffer }> {
    const { trx, now } = ctx;
    const bucket = bucketOf(at);
    const slot = `${conversationId}|${bucket}|${authorId}`;
    const known = this.ids.get(slot);
    if (known) {
      const key = await this.keys.getLive(trx, known);
      if (key) return { id: known, key };
      this.ids.delete(slot); // shredded since it was cached (erasure, or retention on another node): start afresh
    }
    const row = await trx.selectFrom('message_keys').select('key_id')
      .where('conversation_id', '=', conversationId).where('bucket', '=', bucket).where('author_id', '=', authorId).executeTakeFirst();
    if (row) {
      const key = await this.keys.getLive(trx, row.key_id);
      if (key) {
        ctx.afterCommit(() => this.remember(slot, row.key_id));
        return { id: row.key_id, key };
      }
      await trx.deleteFrom('message_keys').where('conversation_id', '=', conversationId).where('bucket', '=', bucket).where('author_id', '=', authorId).execute();
    }
    const created = await this.keys.create(trx, `msg:${conversationId}:${bucket}:${authorId}`, now);
    await trx.insertInto('message_keys').values({ conversation_id: conversationId, bucket, author_id: authorId, key_id: created.id, created_at: now }).execute();
    ctx.afterCommit(() => this.remember(slot, created.id));
    return created;
  }

  /** Drops cached slots (after their keys were destroyed on this node). */
  forgetConversation(conversationId: string): void {
    for (const slot of this.ids.keys()) if (slot.startsWith(`${conversationId}|`)) this.ids.delete(slot);
  }

  private remember(slot: string, id: string): void {
    if (this.ids.size >= CACHE_MAX) this.ids.delete(this.ids.keys().next().value as string);
    this.ids.set(slot, id);
  }
}
