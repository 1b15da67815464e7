/**
 * Search (MSG-3). Order of work, so nothing unreadable is ever touched:
 * 1. the conversations the caller may read now (member, clearance, level MFA; server-encrypted
 *    only — E2EE conversations are searched on the client);
 * 2. query tokens hashed with each of those conversations' search keys, ordered per
 *    conversation by how many documents hold them (search_df), rarest first;
 * 3. candidates from the index (search.lookup.ts: walk the rarest token's posting list newest
 *    first, probe the others, filter by conversation, history horizon, author, dates and
 *    attachments in the same statement, stop at the page size);
 * 4. candidates decrypted, the phrases confirmed in the text, highlights built; if some fail
 *    (a CJK phrase whose bigrams are all there but not in a row), the next page is read from a
 *    keyset cursor.
 */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { levelDenial } from '../access/levels';
import { accessConversation } from '../conversations/conversations.access';
import { presentFiles } from '../files/files.presenter';
import type { FileRow } from '../files/files.store';
import { openName } from '../files/files.crypto';
import { openBody } from '../messages/messages.body';
import { presentMessages } from '../messages/messages.presenter';
import { findMessagesByIds, type MessageRow } from '../messages/messages.store';
import { getOrgSettings } from '../org/org.store';
import { tokenHash, type SearchIndex } from './search.index';
import { findMessageIds, planArms, type LookupFilter } from './search.lookup';
import { findPhrases, parseQuery, snippet } from './search.tokens';

type SearchQuery = { q: string; conversationId?: string; authorId?: string; from?: number; to?: number; hasFile?: 'true' | 'false'; limit?: number };

/** Hashes per SQL statement (both dialects accept far more; this keeps plans small). */
const MAX_HASHES = 8_000;
/** Candidate pages read per request at most (each from the previous one's cursor). */
const MAX_PAGES = 8;
/** The largest candidate page. */
const MAX_PAGE = 200;

interface Scope { id: string; level: string; historyFrom: number }
type Hit = { row: MessageRow; text: string; ranges: Array<{ start: number; end: number }> };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The smallest ULID of millisecond `ms` (ids compare as text in time order). */
function ulidFloor(ms: number): string {
  let out = '';
  for (let i = 0, t = Math.max(0, Math.floor(ms)); i < 10; i++, t = Math.floor(t / 32)) out = CROCKFORD[t % 32]! + out;
  return out + '0'.repeat(16);
}

export class SearchQueries {
  constructor(private readonly svc: Services, private readonly index: SearchIndex) {}

  async search(actor: UserActor, q: SearchQuery): Promise<ResponseOf<'search'>> {
    const db = this.svc.database.db;
    const parsed = parseQuery(q.q);
    const hasFile = parsed.hasFile || q.hasFile === 'true';
    const limit = q.limit ?? 20;
    // A named conversation the caller may not read is not found (and audited), like everywhere else.
    if (q.conversationId) await accessConversation(db, actor, q.conversationId, 'member');
    if (!parsed.tokens.length && !hasFile) return { messages: [], files: [], hasMore: false };
    const scopes = await this.scopes(db, actor, q.conversationId);
    if (!scopes.size) return { messages: [], files: [], hasMore: false };

    const keys = parsed.tokens.length ? await this.index.keysFor(db, [...scopes.keys()]) : new Map<string, Buffer>();
    const searchable = parsed.tokens.length ? [...scopes.keys()].filter((id) => keys.has(id)) : [...scopes.keys()];

    const hits = parsed.tokens.length
      ? await this.tokenHits(db, searchable.map((id) => ({ id, key: keys.get(id)!, afterPosition: scopes.get(id)!.historyFrom })), parsed.tokens, parsed.phrases, q, hasFile, limit + 1)
      : await this.attachmentHits(db, searchable, scopes, q, limit + 1);
    const page = hits.slice(0, limit);
    const presented = await presentMessages(db, this.svc.keys, page.map((h) => h.row));
    const messages = page.map((h, i) => ({ message: presented[i]!, ...snippet(h.text, h.ranges) }));

    let files: ResponseOf<'search'>['files'] = [];
    if (parsed.tokens.length && !hasFile) {
      const fileHits: Array<{ row: FileRow; ranges: Array<{ start: number; end: number }> }> = [];
      const per = Math.max(1, Math.floor(MAX_HASHES / parsed.tokens.length));
      for (let i = 0; i < searchable.length; i += per) {
        const convIds = searchable.slice(i, i + per);
        const hashes = convIds.flatMap((c) => parsed.tokens.map((t) => tokenHash(keys.get(c)!, t)));
        fileHits.push(...(await this.fileHits(db, actor, { convIds, hashes }, parsed.tokens.length, parsed.phrases, scopes, q, limit)));
      }
      fileHits.sort((a, b) => (a.row.id < b.row.id ? 1 : -1));
      const settings = await getOrgSettings(db, actor.orgId);
      const rows = fileHits.slice(0, limit);
      const infos = await presentFiles(db, this.svc.keys, settings, rows.map((h) => h.row), new Map([...scopes.values()].map((s) => [s.id, s.level])));
      const byId = new Map(rows.map((h) => [h.row.id, h.ranges]));
      files = infos.map((f) => ({ file: f, highlights: byId.get(f.id) ?? [] }));
    }
    return { messages, files, hasMore: hits.length > limit };
  }

  /** Conversations the caller may read now, with their history horizon. */
  private async scopes(db: Trx, actor: UserActor, only?: string): Promise<Map<string, Scope>> {
    const settings = await getOrgSettings(db, actor.orgId);
    let qb = db.selectFrom('conversation_members as m').innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['c.id', 'c.level', 'm.history_from']).where('m.user_id', '=', actor.userId).where('c.org_id', '=', actor.orgId).where('c.encryption', '=', 'server');
    if (only) qb = qb.where('c.id', '=', only);
    const out = new Map<string, Scope>();
    for (const r of await qb.execute()) {
      if (levelDenial(settings, actor, r.level)) continue;
      out.set(r.id, { id: r.id, level: r.level, historyFrom: Number(r.history_from) });
    }
    return out;
  }

  /**
   * Message hits for a query with tokens, newest first: pages of candidate ids from the index
   * (search.lookup.ts), each page read from the last one's cursor, until `want` are confirmed.
   */
  private async tokenHits(db: Trx, convs: Array<{ id: string; key: Buffer; afterPosition: number }>, tokens: string[], phrases: string[], q: SearchQuery, hasFile: boolean, want: number): Promise<Hit[]> {
    const out: Hit[] = [];
    if (!convs.length) return out;
    const arms = await planArms(db, convs, tokens);
    const filter: LookupFilter = {
      ...(q.to !== undefined ? { beforeId: ulidFloor(q.to + 1), to: q.to } : {}),
      ...(q.from !== undefined ? { atOrAfterId: ulidFloor(q.from), from: q.from } : {}),
      ...(q.authorId ? { authorId: q.authorId } : {}),
      ...(hasFile ? { hasFile } : {}),
    };
    // Every filter is applied in SQL, so a page of `want` usually suffices; later pages grow.
    let size = want;
    for (let pageNo = 0; pageNo < MAX_PAGES && out.length < want; pageNo++) {
      const ids = await findMessageIds(db, arms, filter, size);
      if (!ids.length) break;
      const byId = new Map((await findMessagesByIds(db, ids)).map((r) => [r.id, r]));
      for (const id of ids) {
        const h = await this.confirm(db, byId.get(id), phrases);
        if (h) out.push(h);
        if (out.length >= want) break;
      }
      if (ids.length < size) break;
      filter.beforeId = ids[ids.length - 1]!;
      size = Math.min(MAX_PAGE, size * 2);
    }
    return out;
  }

  /** `has:file` without words: messages with a ready attachment, found from the (far fewer) files. */
  private async attachmentHits(db: Trx, convIds: string[], scopes: Map<string, Scope>, q: SearchQuery, want: number): Promise<Hit[]> {
    const out: Hit[] = [];
    let cursor: string | undefined;
    for (let pageNo = 0; pageNo < MAX_PAGES && out.length < want && convIds.length; pageNo++) {
      const size = Math.min(MAX_PAGE, want * 2);
      let qb = db.selectFrom('messages as m').selectAll('m')
        .where('m.id', 'in', (eb) => eb.selectFrom('files as f').select('f.message_id').where('f.conversation_id', 'in', convIds).where('f.status', '=', 'ready').where('f.message_id', 'is not', null).$narrowType<{ message_id: string }>())
        .where('m.conversation_id', 'in', convIds).where('m.deleted_at', 'is', null).where('m.encryption', '=', 'server');
      if (cursor) qb = qb.where('m.id', '<', cursor);
      if (q.authorId) qb = qb.where('m.author_id', '=', q.authorId);
      if (q.from !== undefined) qb = qb.where('m.created_at', '>=', q.from);
      if (q.to !== undefined) qb = qb.where('m.created_at', '<=', q.to);
      const rows = await qb.orderBy('m.id', 'desc').limit(size).execute();
      for (const row of rows) {
        if (Number(row.position) <= scopes.get(row.conversation_id)!.historyFrom) continue;
        const h = await this.confirm(db, row, []);
        if (h) out.push(h);
        if (out.length >= want) break;
      }
      if (rows.length < size) break;
      cursor = rows[rows.length - 1]!.id;
    }
    return out;
  }

  /** Decrypts a candidate and checks the phrases in its text (the index only says "maybe"). */
  private async confirm(db: Trx, row: MessageRow | undefined, phrases: string[]): Promise<Hit | null> {
    if (!row || !row.body || !row.key_id) return null;
    let text: string;
    try {
      text = openBody(await this.svc.keys.get(db, row.key_id), row.body, row.conversation_id, row.id, row.version);
    } catch {
      return null;
    }
    const ranges = phrases.length ? findPhrases(text, phrases) : [];
    return ranges ? { row, text, ranges } : null;
  }

  private async fileHits(db: Trx, actor: UserActor, b: { convIds: string[]; hashes: number[] }, nTokens: number, phrases: string[], scopes: Map<string, Scope>, q: SearchQuery, want: number) {
    let qb = db.selectFrom('files as f').leftJoin('messages as m', 'm.id', 'f.message_id').selectAll('f').select(['m.position as msg_position', 'm.deleted_at as msg_deleted'])
      .where('f.conversation_id', 'in', b.convIds).where('f.status', '=', 'ready')
      .where('f.id', 'in', (eb) => eb.selectFrom('search_file_terms').select('doc_id').where('term', 'in', b.hashes).groupBy('doc_id').having((h) => h.fn.countAll(), '=', nTokens))
      .where((eb) => eb.or([eb('f.message_id', 'is not', null), eb('f.uploader_id', '=', actor.userId)]));
    if (q.authorId) qb = qb.where('f.uploader_id', '=', q.authorId);
    if (q.from !== undefined) qb = qb.where('f.created_at', '>=', q.from);
    if (q.to !== undefined) qb = qb.where('f.created_at', '<=', q.to);
    const rows = await qb.orderBy('f.id', 'desc').limit(Math.min(200, want * 3)).execute();
    const settings = await getOrgSettings(db, actor.orgId);
    const out: Array<{ row: FileRow; ranges: Array<{ start: number; end: number }> }> = [];
    for (const r of rows) {
      const { msg_position, msg_deleted, ...row } = r;
      if (row.message_id && (msg_deleted !== null || Number(msg_position) <= scopes.get(row.conversation_id)!.historyFrom)) continue;
      // A file uploaded before its conversation's level was lowered keeps its higher level.
      if (levelDenial(settings, actor, row.level)) continue;
      let name: string;
      try {
        name = openName(await this.svc.keys.get(db, row.key_id), row.id, row.name_enc);
      } catch {
        continue;
      }
      const ranges = findPhrases(name, phrases);
      if (ranges) out.push({ row: row as FileRow, ranges });
      if (out.length >= want) break;
    }
    return out;
  }
}
