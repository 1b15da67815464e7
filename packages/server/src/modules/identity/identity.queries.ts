/** Identity reads: you, your sessions, the directory. */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import { getOrgSettings } from '../org/org.store';
import { requirePermission } from './identity.policy';
import { presentOneUser, presentSession, presentUser, presentUsers } from './identity.presenter';
import { departmentUserIds, userDepartments } from '../access/access.store';
import * as store from './identity.store';
import { maskUsers } from '../dlp/dlp.user-masking';

export class IdentityQueries {
  constructor(private readonly svc: Services) {}

  async me(actor: UserActor): Promise<ResponseOf<'me'>> {
    const db = this.svc.database.db;
    const [user, session, settings] = await Promise.all([
      store.findUserById(db, actor.orgId, actor.userId),
      db.selectFrom('sessions').selectAll().where('id', '=', actor.sessionId!).executeTakeFirst(),
      getOrgSettings(db, actor.orgId),
    ]);
    if (!user || !session) throw notFound('user');
    return {
      user: await presentOneUser(db, user, this.svc.presence, this.svc.keys),
      session: presentSession(session, actor.sessionId),
      org: { name: settings.name, maxMessageBytes: settings.maxMessageBytes, passwordPolicy: settings.passwordPolicy },
    };
  }

  async mySessions(actor: UserActor): Promise<ResponseOf<'listMySessions'>> {
    const rows = await store.listActiveSessions(this.svc.database.db, actor.userId, this.svc.clock.now());
    return { sessions: rows.map((r) => presentSession(r, actor.sessionId)) };
  }

  async userSessions(actor: UserActor, userId: string): Promise<ResponseOf<'listUserSessions'>> {
    requirePermission(actor, 'users.view_sessions');
    const user = await store.findUserById(this.svc.database.db, actor.orgId, userId);
    if (!user) throw notFound('user');
    const rows = await store.listActiveSessions(this.svc.database.db, userId, this.svc.clock.now());
    return { sessions: rows.map((r) => presentSession(r, actor.sessionId)) };
  }

  /**
   * The directory as the caller may see it. Guests see only people they share a conversation
   * with (ACL-4); department rules arrive with the access-control issue.
   */
  async listUsers(actor: UserActor, q: { q?: string; includeDeactivated?: 'true' | 'false' }): Promise<ResponseOf<'listUsers'>> {
    const db = this.svc.database.db;
    const includeDeactivated = q.includeDeactivated === 'true' && actor.permissions.has('users.update');
    let rows = await store.listUsers(db, actor.orgId, { q: q.q, includeDeactivated });
    const visible = await this.visibleIds(actor);
    if (visible) rows = rows.filter((r) => visible.has(r.id));
    // Other people's personal data is masked for viewers the org's DLP-4 setting names.
    return { users: maskUsers(actor, await getOrgSettings(db, actor.orgId), await presentUsers(db, rows, this.svc.presence, this.svc.keys)) };
  }

  async getUser(actor: UserActor, id: string): Promise<ResponseOf<'getUser'>> {
    const db = this.svc.database.db;
    const row = await store.findUserById(db, actor.orgId, id);
    if (!row) throw notFound('user');
    const visible = await this.visibleIds(actor);
    if (visible && !visible.has(id)) throw notFound('user', 'directory_visibility');
    return { user: maskUsers(actor, await getOrgSettings(db, actor.orgId), [await presentOneUser(db, row, this.svc.presence, this.svc.keys)])[0]! };
  }

  /**
   * Who the caller may see in the directory (ACL-2, ACL-4), or null for everyone. Guests see
   * only people they share a conversation with; otherwise the org rule applies: everyone,
   * people sharing a department (plus co-members), or co-members only. users.view_all sees all.
   */
  async visibleIds(actor: UserActor): Promise<Set<string> | null> {
    if (actor.permissions.has('users.view_all') && actor.role !== 'guest') return null;
    const rule = actor.role === 'guest' ? 'explicit' : (await getOrgSettings(this.svc.database.db, actor.orgId)).directoryVisibility;
    if (rule === 'all') return null;
    const ids = new Set(await this.coMemberIds(actor.userId));
    if (rule === 'department') {
      const mine = (await userDepartments(this.svc.database.db, [actor.userId])).get(actor.userId) ?? [];
      for (const u of await departmentUserIds(this.svc.database.db, mine)) ids.add(u);
    }
    return ids;
  }

  /** Everyone who shares at least one conversation with `userId` (including themselves). */
  async coMemberIds(userId: string): Promise<string[]> {
    const rows = await this.svc.database.db.selectFrom('conversation_members as mine')
      .innerJoin('conversation_members as other', 'other.conversation_id', 'mine.conversation_id')
      .select('other.user_id').distinct().where('mine.user_id', '=', userId).execute();
    return [userId, ...rows.map((r) => r.user_id)];
  }
}
