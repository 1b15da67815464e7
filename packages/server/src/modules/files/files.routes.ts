/** Route table for files (MSG-2). Content endpoints answer with bytes, authorised per request. */
import { route, type RouteDef } from '../../http/route';
import type { FileActions } from './files.actions';
import type { FileLinks } from './files.links';
import type { FileQueries } from './files.queries';

export function fileRoutes(actions: FileActions, queries: FileQueries, links: FileLinks): RouteDef[] {
  return [
    route({ endpoint: 'createUpload', auth: 'session', action: 'files.upload_start', status: 201, handler: ({ actor, body }) => actions.createUpload(actor, body) }),
    route({ endpoint: 'getUpload', auth: 'session', action: 'files.upload_read', handler: ({ actor, params }) => queries.getUpload(actor, params.id) }),
    route({ endpoint: 'uploadChunk', auth: 'session', action: 'files.upload_chunk', handler: ({ actor, params, query, body }) => actions.putChunk(actor, params.id, query.offset, body) }),
    route({ endpoint: 'completeUpload', auth: 'session', action: 'files.upload_complete', status: 201, handler: ({ actor, params, body }) => actions.complete(actor, params.id, body?.acknowledgeSensitive ?? false) }),
    route({ endpoint: 'cancelUpload', auth: 'session', action: 'files.upload_cancel', handler: ({ actor, params }) => actions.cancel(actor, params.id) }),
    route({ endpoint: 'getFile', auth: 'session', action: 'files.read', handler: ({ actor, params }) => queries.get(actor, params.id) }),
    route({ endpoint: 'listFiles', auth: 'session', action: 'files.list', handler: ({ actor, params, query }) => queries.list(actor, params.id, query) }),
    route({ endpoint: 'downloadFile', auth: 'session', action: 'files.download', handler: ({ actor, params }) => queries.download(actor, params.id) }),
    route({ endpoint: 'thumbnailFile', auth: 'session', action: 'files.thumbnail', handler: ({ actor, params }) => queries.thumbnail(actor, params.id) }),
    route({ endpoint: 'previewFile', auth: 'session', action: 'files.preview', handler: ({ actor, params }) => queries.preview(actor, params.id) }),
    route({ endpoint: 'createFileLink', auth: 'session', action: 'files.link_issue', status: 201, handler: ({ actor, params, body }) => links.issue(actor, params.id, body.purpose) }),
    // No session header by design: the signed link is the credential, and access is re-checked for its user on every use.
    route({ endpoint: 'useFileLink', auth: 'none', action: 'files.link_use', handler: ({ actor, params, query }) => links.use(actor, params.id, params.purpose, query) }),
    route({ endpoint: 'deleteFile', auth: 'session', action: 'files.delete', handler: ({ actor, params }) => actions.delete(actor, params.id) }),
  ];
}
