/**
 * The search index (MSG-3) without plaintext at rest (rule 5): each token is stored as 53 bits
 * of HMAC-SHA256 under the conversation's own search key (a data key, scope
 * `search:<conversationId>`, wrapped by the master key like every DEK). Without that key a row
 * says nothing about the word; destroying the conversation's keys makes its index useless.
 * Writes run inside the caller's action transaction (index on send/edit, remove on delete).
 * Message terms go to `search_terms` (whose triggers keep `search_df`, the per-term document
 * counts by which search.lookup.ts orders a query's tokens); file-name terms go to
 * `search_file_terms`, so neither search reads the other's posting lists (migration 0014).
 */
import { createHmac } from 'node:crypto';
import type { KeyService } from '../../kernel/keys';
import { sql } from 'kysely';
import { dialectOf, PreparedQuery } from '../../storage/db';
import type { Trx } from '../../storage/tx';
import { documentTokens } from './search.tokens';

/** A token's keyed hash, as a safe integer (53 bits: ample for the per-conversation vocabulary; a collision only adds a candidate that decryption then rejects). */
export function tokenHash(key: Uint8Array, token: string): number {
  const mac = createHmac('sha256', key).update(token, 'utf8').digest();
  return Number(mac.readBigUInt64BE(0) >> 11n);
}

// Run for every indexed message: compiled once (storage/db.ts).
const searchKeyOf = new PreparedQuery<{ key_id: string }>((db, p) => db.selectFrom('search_keys').select('key_id').where('conversation_id', '=', p(0)));
const insertTermsSqlite = new PreparedQuery((db, p, table) => sql`insert into ${sql.table(table)} (term, doc_id) select value, ${p(0)} from json_each(${p(1)})`);
const insertTermsPostgres = new PreparedQuery((db, p, table) => sql`insert into ${sql.table(table)} (term, doc_id) select t, ${p(0)}::text from unnest(${p(1)}::bigint[]) as t`);
type TermsTable = 'search_terms' | 'search_file_terms';

export class SearchIndex {
  constructor(private readonly keys: KeyService) {}

  /** The conversation's search key, created on first use when `create`. */
  async key(db: Trx, conversationId: string, create: false): Promise<Buffer | null>;
  async key(db: Trx, conversationId: string, create: true, now: number): Promise<Buffer>;
  async key(db: Trx, conversationId: string, create: boolean, now?: number): Promise<Buffer | null> {
    const row = await searchKeyOf.first(db, [conversationId]);
    if (row) {
      // A destroyed key: the conversation's index is gone with it. Any other failure is not hidden.
      return this.keys.getLive(db, row.key_id);
    }
    if (!create) return null;
    const k = await this.keys.create(db, `search:${conversationId}`, now!);
    await db.insertInto('search_keys').values({ conversation_id: conversationId, key_id: k.id }).execute();
    return k.key;
  }

  /** Search keys of several conversations (those without one have nothing indexed). */
  async keysFor(db: Trx, conversationIds: string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (let i = 0; i < conversationIds.length; i += 500) {
      const rows = await db.selectFrom('search_keys').select(['conversation_id', 'key_id']).where('conversation_id', 'in', conversationIds.slice(i, i + 500)).execute();
      for (const r of rows) {
        const key = await this.keys.getLive(db, r.key_id); // null: destroyed, nothing left to search
        if (key) out.set(r.conversation_id, key);
      }
    }
    return out;
  }

  /**
   * (Re)indexes a message of a conversation. `fresh`: the message was created in this
   * transaction, so it has no index rows to remove yet.
   */
  async index(trx: Trx, conversationId: string, docId: string, text: string, now: number, opts: { fresh?: boolean } = {}): Promise<void> {
    if (!opts.fresh) await trx.deleteFrom('search_terms').where('doc_id', '=', docId).execute();
    await this.write(trx, 'search_terms', conversationId, docId, text, now);
  }

  /** (Re)indexes a file's name (file search reads only file posting lists). */
  async indexFile(trx: Trx, conversationId: string, fileId: string, name: string, now: number): Promise<void> {
    await trx.deleteFrom('search_file_terms').where('doc_id', '=', fileId).execute();
    await this.write(trx, 'search_file_terms', conversationId, fileId, name, now);
  }

  private async write(trx: Trx, table: TermsTable, conversationId: string, docId: string, text: string, now: number): Promise<void> {
    const tokens = documentTokens(text);
    if (!tokens.size) return;
    const key = await this.key(trx, conversationId, true, now);
    const terms = [...new Set([...tokens].map((t) => tokenHash(key, t)))];
    // One statement text for any number of terms: a JSON array (SQLite) or bigint[] (PostgreSQL) parameter.
    if (dialectOf(trx) === 'postgres') await insertTermsPostgres.execute(trx, [docId, terms], table);
    else await insertTermsSqlite.execute(trx, [docId, JSON.stringify(terms)], table);
  }

  /** Removes a document's index rows (a message's or a file's: ids are unique across both). */
  async remove(trx: Trx, docId: string): Promise<void> {
    await trx.deleteFrom('search_terms').where('doc_id', '=', docId).execute();
    await trx.deleteFrom('search_file_terms').where('doc_id', '=', docId).execute();
  }
}
