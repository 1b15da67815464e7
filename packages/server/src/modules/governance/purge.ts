/**
 * The deletion primitives of retention and erasure (GOV-2), inside the caller's action
 * transaction. Messages lose their rows (or, while replies remain, become tombstones), their
 * edit history, mentions, reactions, search entries and attached files; message keys are
 * destroyed once nothing still sealed under them remains (a legal hold keeps them alive).
 */
import type { DeletionCounts } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import type { KeyService } from '../../kernel/keys';
import type { FileActions } from '../files/files.actions';
import type { FileRow } from '../files/files.store';
import type { Trx } from '../../storage/tx';

/** Running totals of a deletion, plus the keys it destroyed (id → scope) for the receipt. */
export class DeletionTally {
  readonly counts: DeletionCounts = { conversations: 0, messages: 0, tombstoned: 0, versions: 0, files: 0, searchEntries: 0, keysDestroyed: 0, heldKept: 0 };
  readonly destroyedKeys = new Map<string, string>();

  add(part: Partial<DeletionCounts>): void {
    for (const [k, v] of Object.entries(part)) this.counts[k as keyof DeletionCounts] += v ?? 0;
  }

  destroyed(keys: Array<{ id: string; scope: string }>): void {
    for (const k of keys) this.destroyedKeys.set(k.id, k.scope);
    this.counts.keysDestroyed = this.destroyedKeys.size;
  }

  toJSON() {
    return { counts: this.counts, destroyedKeys: [...this.destroyedKeys].map(([id, scope]) => ({ id, scope })) };
  }

  static from(json: string): DeletionTally {
    const t = new DeletionTally();
    const parsed = JSON.parse(json) as { counts?: Partial<DeletionCounts>; destroyedKeys?: Array<{ id: string; scope: string }> };
    t.add({ ...parsed.counts, keysDestroyed: 0 });
    t.destroyed(parsed.destroyedKeys ?? []);
    return t;
  }
}

const CHUNK = 400;

async function inChunks<T>(ids: string[], fn: (chunk: string[]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(await fn(ids.slice(i, i + CHUNK)));
  return out;
}

const sum = (xs: Array<{ numDeletedRows?: bigint; numUpdatedRows?: bigint } | undefined>) =>
  xs.reduce((n, r) => n + Number(r?.numDeletedRows ?? r?.numUpdatedRows ?? 0), 0);

/**
 * Removes messages `ids` (all of one organisation). A thread root whose replies are not all
 * going too stays as a tombstone without content, so the thread keeps its anchor.
 * `keepRows`: erase content but leave tombstones (erasure of one author's messages).
 */
export async function purgeMessages(ctx: ActionContext, files: FileActions, ids: string[], tally: DeletionTally, keepRows = false): Promise<void> {
  if (!ids.length) return;
  const trx = ctx.trx;
  const going = new Set(ids);
  tally.add({ versions: sum(await inChunks(ids, (c) => trx.deleteFrom('message_versions').where('message_id', 'in', c).executeTakeFirst())) });
  await inChunks(ids, (c) => trx.deleteFrom('message_mentions').where('message_id', 'in', c).execute());
  await inChunks(ids, (c) => trx.deleteFrom('reactions').where('message_id', 'in', c).execute());
  tally.add({ searchEntries: sum(await inChunks(ids, (c) => trx.deleteFrom('search_terms').where('doc_id', 'in', c).executeTakeFirst())) });
  const attached = (await inChunks(ids, (c) => trx.selectFrom('files').selectAll().where('message_id', 'in', c).execute())).flat();
  await eraseFiles(ctx, files, attached, tally);
  let tombstones = ids;
  if (!keepRows) {
    const roots = (await inChunks(ids, (c) => trx.selectFrom('messages').select('id').where('id', 'in', c).where('reply_count', '>', 0).execute())).flat().map((r) => r.id);
    const anchored = new Set<string>();
    for (const root of roots) {
      const replies = await trx.selectFrom('messages').select('id').where('thread_root_id', '=', root).execute();
      if (replies.some((r) => !going.has(r.id))) anchored.add(root);
    }
    const removable = ids.filter((id) => !anchored.has(id));
    tally.add({ messages: sum(await inChunks(removable, (c) => trx.deleteFrom('messages').where('id', 'in', c).executeTakeFirst())) });
    tombstones = [...anchored];
  }
  if (tombstones.length) {
    await inChunks(tombstones, (c) => trx.updateTable('messages').set({ body: null, key_id: null }).where('id', 'in', c).execute());
    await inChunks(tombstones, (c) => trx.updateTable('messages').set({ deleted_at: ctx.now }).where('id', 'in', c).where('deleted_at', 'is', null).execute());
    tally.add({ tombstoned: tombstones.length });
  }
}

/** Erases file rows with their parts and (once unused) keys, counting both for the receipt. */
export async function eraseFiles(ctx: ActionContext, files: FileActions, rows: FileRow[], tally: DeletionTally): Promise<void> {
  if (!rows.length) return;
  const keyIds = await files.erase(ctx, rows);
  tally.add({ files: rows.length });
  // A file's key has scope `file:<id of the original upload>`, which is its blob id.
  tally.destroyed(keyIds.map((id) => ({ id, scope: `file:${rows.find((f) => f.key_id === id)?.blob_id ?? id}` })));
}

/**
 * Destroys message keys that nothing live is sealed under any more (a held message or one
 * of its versions keeps its key). Removes their bucket rows. Returns how many were kept.
 */
export async function shredIdleMessageKeys(ctx: ActionContext, keys: KeyService, keyIds: string[], tally: DeletionTally): Promise<number> {
  let kept = 0;
  const idle: string[] = [];
  for (const keyId of keyIds) {
    if (await keyInUse(ctx.trx, keyId)) kept++;
    else idle.push(keyId);
  }
  if (!idle.length) return kept;
  const scopes = (await inChunks(idle, (c) => ctx.trx.selectFrom('data_keys').select(['id', 'scope']).where('id', 'in', c).execute())).flat();
  const destroyed = new Set(await keys.destroy(ctx.trx, idle, ctx.now));
  await inChunks(idle, (c) => ctx.trx.deleteFrom('message_keys').where('key_id', 'in', c).execute());
  tally.destroyed(scopes.filter((s) => destroyed.has(s.id)));
  return kept;
}

async function keyInUse(db: Trx, keyId: string): Promise<boolean> {
  const m = await db.selectFrom('messages').select('id').where('key_id', '=', keyId).limit(1).executeTakeFirst();
  if (m) return true;
  return !!(await db.selectFrom('message_versions').select('message_id').where('key_id', '=', keyId).limit(1).executeTakeFirst());
}
