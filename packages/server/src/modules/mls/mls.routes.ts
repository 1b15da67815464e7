/** Route table for the MLS delivery service (E2E-1). */
import { route, type RouteDef } from '../../http/route';
import type { Services } from '../../services';
import { MlsActions } from './mls.actions';
import { MlsExternalSender, registerExternalSender } from './mls.external';
import { MlsQueries } from './mls.queries';

/** Builds the module (external sender, actions, queries) and its routes. */
export function mlsRoutes(svc: Services): RouteDef[] {
  const sender = new MlsExternalSender(svc);
  const actions = new MlsActions(svc, sender);
  const queries = new MlsQueries(svc, sender);
  // Organisations already in the database get their external sender now; new ones on first MLS call.
  void svc.database.db.selectFrom('orgs').select('id').execute()
    .then((rows) => { for (const r of rows) registerExternalSender(r.id, sender); }, () => undefined);
  return [
    route({ endpoint: 'mlsConfig', auth: 'session', action: 'mls.config', handler: ({ actor }) => queries.config(actor) }),
    route({ endpoint: 'registerMlsDevice', auth: 'session', action: 'mls.register_device', status: 201, handler: ({ actor, body }) => actions.registerDevice(actor, body) }),
    route({ endpoint: 'listMyMlsDevices', auth: 'session', action: 'mls.list_devices', handler: ({ actor }) => queries.myDevices(actor) }),
    route({ endpoint: 'revokeMlsDevice', auth: 'session', action: 'mls.revoke_device', handler: ({ actor, params }) => actions.revokeDevice(actor, params.id) }),
    route({ endpoint: 'uploadKeyPackages', auth: 'session', action: 'mls.upload_key_packages', handler: ({ actor, params, body }) => actions.uploadKeyPackages(actor, params.id, body) }),
    route({ endpoint: 'claimKeyPackages', auth: 'session', action: 'mls.claim_key_packages', handler: ({ actor, params, body }) => actions.claimKeyPackages(actor, params.id, body.userIds) }),
    route({ endpoint: 'listConversationDevices', auth: 'session', action: 'mls.conversation_devices', handler: ({ actor, params }) => queries.conversationDevices(actor, params.id) }),
    route({ endpoint: 'initMlsGroup', auth: 'session', action: 'mls.init_group', status: 201, handler: ({ actor, params, body }) => actions.initGroup(actor, params.id, body) }),
    route({ endpoint: 'getMlsGroup', auth: 'session', action: 'mls.read_group', handler: ({ actor, params }) => queries.group(actor, params.id) }),
    route({ endpoint: 'postMlsCommit', auth: 'session', action: 'mls.commit', status: 201, handler: ({ actor, params, body }) => actions.commit(actor, params.id, body) }),
    route({ endpoint: 'listMlsHandshakes', auth: 'session', action: 'mls.list_handshakes', handler: ({ actor, params, query }) => queries.handshakes(actor, params.id, query.fromEpoch, query.limit) }),
    route({ endpoint: 'listMlsWelcomes', auth: 'session', action: 'mls.list_welcomes', handler: ({ actor, params }) => queries.welcomes(actor, params.id) }),
  ];
}
