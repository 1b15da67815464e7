/** Conversation reads, each through accessConversation (rule 2). */
import type { Conversation, ResponseOf } from '@conclave/protocol';
import type { Actor, UserActor } from '../../kernel/actor';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { accessConversation, inDepartmentTree } from './conversations.access';
import { presentConversation, type PresentContext } from './conversations.presenter';
import { getOrgSettings } from '../org/org.store';
import { clears } from '../access/levels';
import { presentMember } from './members.presenter';
import * as store from './conversations.store';
import { archivedLevels } from '../archive/archive.store';

export class ConversationQueries {
  constructor(private readonly svc: Services) {}

  async list(actor: UserActor, includeArchived: boolean): Promise<ResponseOf<'listConversations'>> {
    const db = this.svc.database.db;
    const settings = await getOrgSettings(db, actor.orgId);
    // Clearance outranks membership: a conversation above the caller's clearance is not listed.
    const rows = (await store.listForUser(db, actor.orgId, actor.userId, includeArchived)).filter((r) => clears(settings, actor.clearance, r.level));
    const counts = await store.readCounts(db, actor.userId, rows.map((r) => r.id));
    const ctx = await this.context(actor.orgId, rows.map((r) => r.id));
    return {
      conversations: rows.map((r) => presentConversation(r, actor.userId, { role: r.my_role, last_read_position: r.my_last_read }, counts.get(r.id), ctx)),
    };
  }

  async browse(actor: UserActor, q?: string): Promise<ResponseOf<'browseChannels'>> {
    if (!actor.permissions.has('conversations.browse_channels')) return { conversations: [] };
    const db = this.svc.database.db;
    const settings = await getOrgSettings(db, actor.orgId);
    const candidates = (await store.listChannels(db, actor.orgId, q)).filter((r) => clears(settings, actor.clearance, r.level));
    const rows = [];
    for (const r of candidates) if (!r.department_id || (await inDepartmentTree(db, actor.orgId, actor.userId, r.department_id))) rows.push(r);
    const mine = new Map((await store.listForUser(db, actor.orgId, actor.userId, false)).map((r) => [r.id, r]));
    const ctx = await this.context(actor.orgId, rows.map((r) => r.id));
    return {
      conversations: rows.map((r) => {
        const m = mine.get(r.id);
        return presentConversation(r, actor.userId, m ? { role: m.my_role, last_read_position: m.my_last_read } : null, undefined, ctx);
      }),
    };
  }

  async get(actor: UserActor, id: string): Promise<ResponseOf<'getConversation'>> {
    await accessConversation(this.svc.database.db, actor, id, 'view');
    return { conversation: await this.conversationFor(actor, id) };
  }

  async members(actor: UserActor, id: string): Promise<ResponseOf<'listMembers'>> {
    await accessConversation(this.svc.database.db, actor, id, 'view');
    return { members: (await store.listMembers(this.svc.database.db, id)).map(presentMember) };
  }

  /** The conversation as `actor` sees it (after an access check by the caller). */
  async conversationFor(actor: Actor, id: string): Promise<Conversation> {
    const db = this.svc.database.db;
    const { conv, member } = await accessConversation(db, actor, id, 'view');
    const counts = member ? await store.readCounts(db, actor.userId!, [id]) : undefined;
    return presentConversation(conv, actor.userId!, member, counts?.get(id), await this.context(actor.orgId, [id]));
  }

  /**
   * Renders one conversation for many viewers (realtime delivery). Viewers who are no longer
   * members get null: they must not learn anything that changed after they left.
   */
  async renderForViewers(db: Trx, orgId: string, id: string, viewerIds: string[]): Promise<Map<string, Conversation | null>> {
    const out = new Map<string, Conversation | null>();
    const conv = await store.findConversation(db, orgId, id);
    const members = conv ? new Map((await store.listMembers(db, id)).map((m) => [m.user_id, m])) : new Map();
    const ctx = await this.context(orgId, [id], db);
    for (const viewer of viewerIds) {
      const m = members.get(viewer);
      if (!conv || !m) { out.set(viewer, null); continue; }
      const counts = await store.readCounts(db, viewer, [id]);
      out.set(viewer, presentConversation(conv, viewer, m, counts.get(id), ctx));
    }
    return out;
  }

  private async context(orgId: string, ids: string[], db: Trx = this.svc.database.db): Promise<PresentContext> {
    return { settings: await getOrgSettings(db, orgId), external: await store.withExternalMembers(db, ids), archivedLevels: await archivedLevels(db, orgId) };
  }
}
