/**
 * Which messages an export holds (GOV-5). Custodian scope, precisely: a message is in scope
 * for custodian U when
 *  (a) U wrote it; or
 *  (b) it was delivered to U — its `message.created` event is in U's delivery log (MSG-4),
 *      which survives U leaving the conversation; or
 *  (c) U is a current member of its conversation and may read it (position after U's
 *      history horizon) — history shown to new members counts as received.
 * Then: created within [from, to] (inclusive), not deleted (a deleted message has no content
 * left), its conversation at one of the resolved levels and, when given, one of the named
 * conversations (without custodians, every message of those conversations). Keywords match
 * any-of; a keyword matches when all its words are in the message (the keyed-token index,
 * confirmed in the decrypted text, exactly as search does, CJK included). E2EE messages have
 * no server index, so a keyword export leaves them out and counts them.
 */
import { sql } from 'kysely';
import { AppError } from '../../kernel/errors';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import { openBody } from '../messages/messages.body';
import type { MessageRow } from '../messages/messages.store';
import { tokenHash, type SearchIndex } from '../search/search.index';
import { findPhrases, parseQuery } from '../search/search.tokens';
import type { ResolvedCriteria } from './ediscovery.criteria';

/** At most this many messages per export: a larger one must be split (narrower range or custodians). */
export const MAX_EXPORT_MESSAGES = 100_000;
const CHUNK = 500;

export interface ConversationInfo { id: string; name: string | null; kind: string; level: string; encryption: string }

export interface Selection {
  /** Oldest first (created_at, then id). */
  rows: MessageRow[];
  conversations: Map<string, ConversationInfo>;
  /** Decrypted text of server-encrypted messages; null when its key was destroyed (GOV-2). */
  texts: Map<string, string | null>;
  /** E2EE messages in scope that a keyword export could not search. */
  e2eeNotSearchable: number;
}

const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export async function selectMessages(db: Trx, keys: KeyService, index: SearchIndex, orgId: string, c: ResolvedCriteria): Promise<Selection> {
  let cq = db.selectFrom('conversations').select(['id', 'name', 'kind', 'level', 'encryption']).where('org_id', '=', orgId).where('level', 'in', c.levels);
  if (c.conversationIds.length) cq = cq.where('id', 'in', c.conversationIds);
  const conversations = new Map((await cq.execute()).map((r) => [r.id, r] as const));

  const found = new Map<string, MessageRow>();
  const add = (rows: MessageRow[]) => {
    for (const r of rows) if (conversations.has(r.conversation_id)) found.set(r.id, r);
    if (found.size > MAX_EXPORT_MESSAGES) {
      throw new AppError('conflict', `the criteria match more than ${MAX_EXPORT_MESSAGES} messages; split the export (narrower time range, fewer custodians)`, { maxMessages: MAX_EXPORT_MESSAGES }, 'too_large');
    }
  };
  const inRange = () => db.selectFrom('messages as m').selectAll('m').where('m.deleted_at', 'is', null).where('m.created_at', '>=', c.from).where('m.created_at', '<=', c.to);

  if (!c.custodians.length) {
    for (const ids of chunks([...conversations.keys()])) add(await inRange().where('m.conversation_id', 'in', ids).execute());
  } else {
    for (const us of chunks(c.custodians)) {
      add(await inRange().where('m.author_id', 'in', us).execute());
      const delivered = await db.selectFrom('user_events as ue').innerJoin('events as e', 'e.id', 'ue.event_id').select('e.message_id')
        .where('ue.user_id', 'in', us).where('e.type', '=', 'message.created').where('e.created_at', '>=', c.from).where('e.created_at', '<=', c.to).execute();
      const ids = [...new Set(delivered.map((d) => d.message_id).filter((id): id is string => !!id && !found.has(id)))];
      for (const part of chunks(ids)) add(await inRange().where('m.id', 'in', part).execute());
      add(await inRange().innerJoin('conversation_members as cm', 'cm.conversation_id', 'm.conversation_id')
        .where('cm.user_id', 'in', us).where(sql<boolean>`m.position > cm.history_from`).execute());
    }
  }

  let rows = [...found.values()];
  const texts = new Map<string, string | null>();
  const open = async (r: MessageRow): Promise<string | null> => {
    if (texts.has(r.id)) return texts.get(r.id)!;
    let text: string | null = null;
    try {
      if (r.body && r.key_id) text = openBody(await keys.get(db, r.key_id), r.body, r.conversation_id, r.id, r.version);
    } catch {
      text = null; // key destroyed by retention or erasure (GOV-2): the content is gone for good
    }
    texts.set(r.id, text);
    return text;
  };

  let e2eeNotSearchable = 0;
  if (c.keywords.length) {
    const before = rows.length;
    rows = rows.filter((r) => conversations.get(r.conversation_id)!.encryption === 'server');
    e2eeNotSearchable = before - rows.length;
    rows = await keywordMatches(db, index, rows, c.keywords, open);
  }
  for (const r of rows) if (conversations.get(r.conversation_id)!.encryption === 'server') await open(r);
  rows.sort((a, b) => Number(a.created_at) - Number(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { rows, conversations, texts, e2eeNotSearchable };
}

/** Server-encrypted candidates matching any keyword: index tokens first, then the text confirms. */
async function keywordMatches(db: Trx, index: SearchIndex, rows: MessageRow[], keywords: string[], open: (r: MessageRow) => Promise<string | null>): Promise<MessageRow[]> {
  const parsed = keywords.map(parseQuery);
  const byConv = new Map<string, MessageRow[]>();
  for (const r of rows) byConv.set(r.conversation_id, [...(byConv.get(r.conversation_id) ?? []), r]);
  const searchKeys = await index.keysFor(db, [...byConv.keys()]);
  const out: MessageRow[] = [];
  for (const [convId, msgs] of byConv) {
    const key = searchKeys.get(convId);
    if (!key) continue; // nothing of this conversation was ever indexed (or its key was destroyed)
    const wanted = parsed.map((p) => p.tokens.map((t) => tokenHash(key, t)));
    const all = [...new Set(wanted.flat())];
    const present = new Map<string, Set<number>>();
    for (const part of chunks(msgs.map((m) => m.id))) {
      const hits = await db.selectFrom('search_terms').select(['doc_id', 'term']).where('term', 'in', all).where('doc_id', 'in', part).execute();
      for (const h of hits) present.set(h.doc_id, (present.get(h.doc_id) ?? new Set()).add(Number(h.term)));
    }
    for (const m of msgs) {
      const terms = present.get(m.id);
      if (!terms) continue;
      const candidates = parsed.filter((_, k) => wanted[k]!.every((h) => terms.has(h)));
      if (!candidates.length) continue;
      const text = await open(m);
      // A 53-bit collision or a word split differently only adds a candidate; the text decides.
      if (text !== null && candidates.some((p) => findPhrases(text, p.phrases) !== null)) out.push(m);
    }
  }
  return out;
}
