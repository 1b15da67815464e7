/** Route table for messages. */
import { route, type RouteDef } from '../../http/route';
import type { MessageActions } from './messages.actions';
import type { MessageQueries } from './messages.queries';

export function messageRoutes(actions: MessageActions, queries: MessageQueries): RouteDef[] {
  return [
    route({ endpoint: 'sendMessage', auth: 'session', action: 'messages.send', status: 201, handler: ({ actor, params, body }) => actions.send(actor, params.id, body) }),
    route({ endpoint: 'listMessages', auth: 'session', action: 'messages.list', handler: ({ actor, params, query }) => queries.list(actor, params.id, query) }),
    route({ endpoint: 'getMessage', auth: 'session', action: 'messages.read', handler: ({ actor, params }) => queries.get(actor, params.id, params.messageId) }),
    route({ endpoint: 'editMessage', auth: 'session', action: 'messages.edit', handler: ({ actor, params, body }) => actions.edit(actor, params.id, params.messageId, body) }),
    route({ endpoint: 'deleteMessage', auth: 'session', action: 'messages.delete', handler: ({ actor, params }) => actions.delete(actor, params.id, params.messageId) }),
    route({ endpoint: 'messageHistory', auth: 'session', action: 'messages.history', handler: ({ actor, params }) => queries.history(actor, params.id, params.messageId) }),
    route({ endpoint: 'addReaction', auth: 'session', action: 'messages.react', handler: ({ actor, params }) => actions.react(actor, params.id, params.messageId, params.emoji, true) }),
    route({ endpoint: 'removeReaction', auth: 'session', action: 'messages.unreact', handler: ({ actor, params }) => actions.react(actor, params.id, params.messageId, params.emoji, false) }),
  ];
}
