/** Message rows → wire objects, in batches: one query each for reactions, mentions, threads, levels. */
import type { Message, OrgSettings } from '@conclave/protocol';
import type { KeyService } from '../../kernel/keys';
import { filesForMessages } from '../files/files.presenter';
import type { Trx } from '../../storage/tx';
import { levelPolicy } from '../access/levels';
import { getOrgSettings } from '../org/org.store';
import { openBody } from './messages.body';
import { effectiveRestrictions } from './messages.restrictions';
import * as store from './messages.store';

/** The org settings and the levels of the conversations being presented (for DLP-1 restrictions). */
export interface PresentScope { settings: OrgSettings; levels: Map<string, string> }

/**
 * Renders message rows for any member. `scope` may pass the org settings and conversation levels
 * when the caller already holds them; otherwise one query reads the levels.
 */
export async function presentMessages(db: Trx, keys: KeyService, rows: store.MessageRow[], scope?: PresentScope): Promise<Message[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const roots = rows.filter((r) => r.reply_count > 0).map((r) => r.id);
  const known = scope ?? await scopeOf(db, rows);
  const [reactions, mentions, participants, files] = await Promise.all([
    store.reactionsFor(db, ids), store.mentionsFor(db, ids), store.threadParticipants(db, roots), filesForMessages(db, keys, ids, known),
  ]);
  const reactionsBy = groupBy(reactions, (r) => r.message_id);
  const mentionsBy = groupBy(mentions, (m) => m.message_id);
  const participantsBy = groupBy(participants, (p) => p.thread_root_id!);
  const out: Message[] = [];
  for (const r of rows) {
    let text: string | null = null;
    let ciphertext: string | null = null;
    let shredded = false;
    if (r.body && r.deleted_at === null) {
      if (r.encryption === 'e2ee') ciphertext = Buffer.from(r.body).toString('base64');
      else {
        // Content whose key was destroyed (GOV-2; e.g. a restored backup) is gone for good.
        const key = await keys.getLive(db, r.key_id!);
        if (key) text = openBody(key, r.body, r.conversation_id, r.id, r.version);
        else shredded = true;
      }
    }
    const byEmoji = new Map<string, string[]>();
    for (const x of reactionsBy.get(r.id) ?? []) byEmoji.set(x.emoji, [...(byEmoji.get(x.emoji) ?? []), x.user_id]);
    out.push({
      id: r.id,
      conversationId: r.conversation_id,
      clientId: r.client_id,
      position: Number(r.position),
      authorId: r.author_id,
      encryption: r.encryption as Message['encryption'],
      text,
      ciphertext,
      mentions: (mentionsBy.get(r.id) ?? []).map((m) => m.user_id),
      threadRootId: r.thread_root_id,
      thread: r.reply_count > 0
        ? { replyCount: r.reply_count, lastReplyAt: r.last_reply_at, participantIds: (participantsBy.get(r.id) ?? []).map((p) => p.author_id).sort() }
        : null,
      reactions: [...byEmoji.entries()].map(([emoji, userIds]) => ({ emoji, count: userIds.length, userIds })),
      createdAt: r.created_at,
      editedAt: r.edited_at,
      // Content whose key was destroyed (GOV-2; e.g. a restored backup) reads as deleted.
      deletedAt: r.deleted_at ?? (shredded ? r.created_at : null),
      files: files.get(r.id) ?? [],
      restrictions: effectiveRestrictions(levelPolicy(known.settings, known.levels.get(r.conversation_id)!), r.restrictions),
    });
  }
  return out;
}

async function scopeOf(db: Trx, rows: store.MessageRow[]): Promise<PresentScope> {
  const convs = await db.selectFrom('conversations').select(['id', 'org_id', 'level'])
    .where('id', 'in', [...new Set(rows.map((r) => r.conversation_id))]).execute();
  const settings = await getOrgSettings(db, convs[0]!.org_id);
  return { settings, levels: new Map(convs.map((c) => [c.id, c.level])) };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
