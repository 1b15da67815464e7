/**
 * Data-encryption keys (ENC-1): one per scope (a conversation, a user's secrets, later a file),
 * wrapped by the master key ring. Destroying a scope's keys crypto-shreds everything they
 * protected (GOV-2). Unwrapped keys are cached in memory only.
 */
import { generateDataKey, type KeyRing } from '@conclave/crypto';
import type { Trx } from '../storage/tx';
import { AppError } from './errors';
import { newId } from './ids';

const CACHE_MAX = 10_000;
/**
 * How long an unwrapped key stays cached. Bounds how long another node of a cluster can
 * still use a key this node destroyed (GOV-2): after this, every node asks the database.
 */
const CACHE_TTL_MS = 10 * 60_000;

export class KeyService {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();

  constructor(private readonly ring: KeyRing) {}

  /** Creates and stores a fresh key for `scope` inside the caller's transaction. */
  async create(trx: Trx, scope: string, now: number): Promise<{ id: string; key: Buffer }> {
    const id = newId(now);
    const key = generateDataKey();
    const { kekId, wrapped } = await this.ring.wrap(key, wrapAad(id, scope));
    await trx.insertInto('data_keys').values({ id, scope, kek_id: kekId, wrapped, created_at: now, destroyed_at: null }).execute();
    this.remember(id, key);
    return { id, key };
  }

  /** The unwrapped key `id`; throws when it was destroyed (its data is gone for good). */
  async get(db: Trx, id: string): Promise<Buffer> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.key;
    const row = await db.selectFrom('data_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.destroyed_at !== null) throw new AppError('not_found', 'content is no longer available', undefined, 'key_destroyed');
    const key = await this.ring.unwrap(row.kek_id, row.wrapped, wrapAad(row.id, row.scope));
    this.remember(id, key);
    return key;
  }

  /**
   * Crypto-shreds keys (GOV-2): the wrapped key material is overwritten and the row marked
   * destroyed inside the caller's transaction, so everything sealed under them — in this
   * database, the blob store, exports and key-less backups — can never be decrypted again.
   * The row stays (without key material) so the id can be shown in deletion receipts.
   * Returns the ids that were live and are now destroyed.
   */
  async destroy(trx: Trx, ids: string[], now: number): Promise<string[]> {
    const destroyed: string[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const live = await trx.selectFrom('data_keys').select('id').where('id', 'in', chunk).where('destroyed_at', 'is', null).execute();
      if (!live.length) continue;
      const liveIds = live.map((r) => r.id);
      await trx.updateTable('data_keys').set({ wrapped: new Uint8Array(0), destroyed_at: now }).where('id', 'in', liveIds).execute();
      destroyed.push(...liveIds);
    }
    this.forget(destroyed);
    return destroyed;
  }

  /**
   * The live key of a scope that holds one long-lived key (e.g. `file-links:<org>`, the key file
   * links are signed with): the oldest live one, so nodes that raced to create it agree. Created
   * when missing only if `create` is given: inside the caller's write transaction, at `create.now`.
   */
  async forScope(db: Trx, scope: string, create?: { now: number }): Promise<{ id: string; key: Buffer } | null> {
    const row = await db.selectFrom('data_keys').select('id').where('scope', '=', scope).where('destroyed_at', 'is', null)
      .orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    if (row) return { id: row.id, key: await this.get(db, row.id) };
    return create ? this.create(db, scope, create.now) : null;
  }

  /** The unwrapped key `id`, or null when it was destroyed or never stored (its data is gone). */
  async getLive(db: Trx, id: string): Promise<Buffer | null> {
    try {
      return await this.get(db, id);
    } catch (err) {
      if (err instanceof AppError && err.reason === 'key_destroyed') return null;
      throw err;
    }
  }

  /** Forgets cached keys (after a scope is destroyed). */
  forget(ids: string[]): void {
    for (const id of ids) this.cache.delete(id);
  }

  private remember(id: string, key: Buffer): void {
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(id, { key, until: Date.now() + CACHE_TTL_MS });
  }
}

/** The wrapped key is bound to its id and scope, so a row cannot be swapped for another's. */
function wrapAad(id: string, scope: string): string {
  return `conclave-dek:${id}:${scope}`;
}
