/** Route table for the E2EE compliance archive (GOV-5, ENC-2). */
import { route, type RouteDef } from '../../http/route';
import type { Services } from '../../services';
import { ArchiveActions } from './archive.actions';
import { ArchiveQueries } from './archive.queries';

/** Builds the module's actions and queries and its routes. The send hook is wired separately (archiveMessageHooks). */
export function archiveRoutes(svc: Services): RouteDef[] {
  const actions = new ArchiveActions(svc);
  const queries = new ArchiveQueries(svc);
  return [
    route({ endpoint: 'getArchiveStatus', auth: 'session', action: 'archive.status', handler: ({ actor }) => queries.status(actor) }),
    route({ endpoint: 'setArchiveLevels', auth: 'session', action: 'archive.set_levels', handler: ({ actor, body }) => actions.setLevels(actor, body) }),
    route({ endpoint: 'registerArchiveOfficerKey', auth: 'session', action: 'archive.register_officer_key', status: 201, handler: ({ actor, body }) => actions.registerOfficerKey(actor, body) }),
    route({ endpoint: 'listArchiveOfficerKeys', auth: 'session', action: 'archive.list_officer_keys', handler: ({ actor }) => queries.officerKeys(actor) }),
    route({ endpoint: 'revokeArchiveOfficerKey', auth: 'session', action: 'archive.revoke_officer_key', handler: ({ actor, params }) => actions.revokeOfficerKey(actor, params.id) }),
    route({ endpoint: 'setupArchiveKey', auth: 'session', action: 'archive.setup', status: 201, handler: ({ actor, body }) => actions.setup(actor, body) }),
    route({ endpoint: 'getConversationArchive', auth: 'session', action: 'archive.conversation', handler: ({ actor, params }) => queries.conversationArchive(actor, params.id) }),
    route({ endpoint: 'createArchiveRequest', auth: 'session', action: 'archive.request_create', status: 201, handler: ({ actor, body }) => actions.createRequest(actor, body) }),
    route({ endpoint: 'listArchiveRequests', auth: 'session', action: 'archive.request_list', handler: ({ actor, query }) => queries.requests(actor, query) }),
    route({ endpoint: 'getArchiveRequest', auth: 'session', action: 'archive.request_read', handler: ({ actor, params }) => queries.request(actor, params.id) }),
    route({ endpoint: 'getMyArchiveShare', auth: 'session', action: 'archive.share_download', handler: ({ actor, params }) => queries.myShare(actor, params.id) }),
    route({ endpoint: 'releaseArchiveShare', auth: 'session', action: 'archive.share_release', handler: ({ actor, params, body }) => actions.release(actor, params.id, body) }),
    route({ endpoint: 'refuseArchiveRequest', auth: 'session', action: 'archive.request_refuse', handler: ({ actor, params, body }) => actions.refuse(actor, params.id, body) }),
    route({ endpoint: 'listReleasedArchiveShares', auth: 'session', action: 'archive.shares_download', handler: ({ actor, params }) => queries.releasedShares(actor, params.id) }),
    route({ endpoint: 'listArchivedMessages', auth: 'session', action: 'archive.messages_read', handler: ({ actor, params, query }) => queries.messages(actor, params.id, query) }),
    route({ endpoint: 'closeArchiveRequest', auth: 'session', action: 'archive.request_close', handler: ({ actor, params }) => actions.close(actor, params.id) }),
  ];
}
