/** Message reads, each through accessConversation (rule 2). */
import type { Message, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { accessConversation } from '../conversations/conversations.access';
import { getOrgSettings } from '../org/org.store';
import { openBody } from './messages.body';
import { assertCanSeeHistory } from './messages.policy';
import { presentMessages } from './messages.presenter';
import * as store from './messages.store';

export class MessageQueries {
  constructor(private readonly svc: Services) {}

  async list(actor: UserActor, conversationId: string, q: { before?: string; after?: string; limit?: number; threadRootId?: string }): Promise<ResponseOf<'listMessages'>> {
    const db = this.svc.database.db;
    const { member, conv, settings } = await accessConversation(db, actor, conversationId, 'member');
    const from = Number(member!.history_from);
    const cursor = async (id?: string) => {
      if (!id) return undefined;
      const m = await this.visible(db, conversationId, id, from);
      return Number(m.position);
    };
    if (q.threadRootId) await this.visible(db, conversationId, q.threadRootId, from, 'thread root message');
    const after = await cursor(q.after);
    const page = await store.listPage(db, conversationId, {
      beforePos: await cursor(q.before), afterPos: after, floorPos: from, threadRootId: q.threadRootId, limit: q.limit ?? 50,
    });
    return { messages: await presentMessages(db, this.svc.keys, page.rows, { settings, levels: new Map([[conv.id, conv.level]]) }), hasMore: page.hasMore };
  }

  async get(actor: UserActor, conversationId: string, id: string): Promise<ResponseOf<'getMessage'>> {
    const db = this.svc.database.db;
    const { member, conv, settings } = await accessConversation(db, actor, conversationId, 'member');
    const row = await this.visible(db, conversationId, id, Number(member!.history_from));
    return { message: (await presentMessages(db, this.svc.keys, [row], { settings, levels: new Map([[conv.id, conv.level]]) }))[0]! };
  }

  async history(actor: UserActor, conversationId: string, id: string): Promise<ResponseOf<'messageHistory'>> {
    const db = this.svc.database.db;
    const { member } = await accessConversation(db, actor, conversationId, 'member');
    const row = await this.visible(db, conversationId, id, Number(member!.history_from));
    assertCanSeeHistory(actor, row, member, await getOrgSettings(db, actor.orgId));
    const versions = await store.listVersions(db, id);
    const out = [];
    for (const v of versions) {
      if (row.encryption === 'e2ee' || !v.key_id) continue;
      out.push({ version: v.version, text: openBody(await this.svc.keys.get(db, v.key_id), v.body, conversationId, id, v.version), editedAt: v.edited_at });
    }
    return { versions: out };
  }

  /** A message the member may see: messages from before they joined are hidden when the org says so (ACL-3). */
  private async visible(db: Trx, conversationId: string, id: string, from: number, what = 'message'): Promise<store.MessageRow> {
    const m = await store.findMessage(db, conversationId, id);
    if (!m) throw notFound(what);
    if (Number(m.position) <= from) throw notFound(what, 'history_hidden');
    return m;
  }

  /** Current state of several messages, for realtime delivery and sync (no access check: callers do it). */
  async render(db: Trx, ids: string[]): Promise<Map<string, Message>> {
    const rows = await store.findMessagesByIds(db, ids);
    const msgs = await presentMessages(db, this.svc.keys, rows);
    return new Map(msgs.map((m) => [m.id, m]));
  }
}
