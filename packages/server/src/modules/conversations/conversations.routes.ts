/** Route table for conversations and memberships. */
import { route, type RouteDef } from '../../http/route';
import type { ConversationActions } from './conversations.actions';
import type { ConversationQueries } from './conversations.queries';

export function conversationRoutes(actions: ConversationActions, queries: ConversationQueries): RouteDef[] {
  return [
    route({ endpoint: 'createConversation', auth: 'session', action: 'conversations.create', status: 201, handler: ({ actor, body }) => actions.create(actor, body) }),
    route({ endpoint: 'listConversations', auth: 'session', action: 'conversations.list', handler: ({ actor, query }) => queries.list(actor, query.includeArchived === 'true') }),
    route({ endpoint: 'browseChannels', auth: 'session', action: 'conversations.browse', handler: ({ actor, query }) => queries.browse(actor, query.q) }),
    route({ endpoint: 'getConversation', auth: 'session', action: 'conversations.read', handler: ({ actor, params }) => queries.get(actor, params.id) }),
    route({ endpoint: 'updateConversation', auth: 'session', action: 'conversations.update', handler: ({ actor, params, body }) => actions.update(actor, params.id, body) }),
    route({ endpoint: 'listMembers', auth: 'session', action: 'conversations.list_members', handler: ({ actor, params }) => queries.members(actor, params.id) }),
    route({ endpoint: 'addMembers', auth: 'session', action: 'conversations.add_members', handler: ({ actor, params, body }) => actions.addMembers(actor, params.id, body.userIds) }),
    route({ endpoint: 'updateMember', auth: 'session', action: 'conversations.update_member', handler: ({ actor, params, body }) => actions.updateMember(actor, params.id, params.userId, body.role) }),
    route({ endpoint: 'removeMember', auth: 'session', action: 'conversations.remove_member', handler: ({ actor, params }) => actions.removeMember(actor, params.id, params.userId) }),
    route({ endpoint: 'joinChannel', auth: 'session', action: 'conversations.join', handler: ({ actor, params }) => actions.join(actor, params.id) }),
    route({ endpoint: 'leaveConversation', auth: 'session', action: 'conversations.leave', handler: ({ actor, params }) => actions.removeMember(actor, params.id, actor.userId) }),
    route({ endpoint: 'markRead', auth: 'session', action: 'conversations.mark_read', handler: ({ actor, params, body }) => actions.markRead(actor, params.id, body.position) }),
  ];
}
