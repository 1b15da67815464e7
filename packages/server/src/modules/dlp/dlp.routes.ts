/** Route table for DLP: forwarding (DLP-1), scanning (DLP-3), unmasking (DLP-4). */
import { route, type RouteDef } from '../../http/route';
import type { DlpActions } from './dlp.actions';

export function dlpRoutes(actions: DlpActions): RouteDef[] {
  return [
    route({ endpoint: 'forwardMessage', auth: 'session', action: 'messages.forward', status: 201, handler: ({ actor, params, body }) => actions.forward(actor, params.id, params.messageId, body) }),
    route({ endpoint: 'dlpScan', auth: 'session', action: 'dlp.scan', handler: ({ actor, body }) => actions.scan(actor, body) }),
    route({ endpoint: 'unmaskUserField', auth: 'session', action: 'users.unmask', handler: ({ actor, params, body }) => actions.unmaskUser(actor, params.id, body.field) }),
  ];
}
