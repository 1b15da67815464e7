/**
 * Wiring of files (MSG-2), search (MSG-3) and DLP (DLP-1..4) for the composition root: the
 * blob store, scanner and search index they share, the hooks message writes call, and routes.
 */
import type { RouteDef } from '../../http/route';
import type { Services } from '../../services';
import { openBlobStore, type BlobStore } from '../../storage/blobs';
import { messageContentHooks } from '../dlp/content-hooks';
import { DlpActions } from '../dlp/dlp.actions';
import { dlpRoutes } from '../dlp/dlp.routes';
import type { IdentityQueries } from '../identity/identity.queries';
import type { MessageActions, MessageHooks } from '../messages/messages.actions';
import { SearchIndex } from '../search/search.index';
import { SearchQueries } from '../search/search.queries';
import { searchRoutes } from '../search/search.routes';
import { FileActions } from './files.actions';
import { FileLinks } from './files.links';
import { FileQueries } from './files.queries';
import { fileRoutes } from './files.routes';
import { ClamdScanner, noScanner } from './files.scan';

export interface ContentModules {
  blobs: BlobStore;
  search: SearchIndex;
  files: FileActions;
  messageHooks: MessageHooks;
  routes(messages: MessageActions): RouteDef[];
}

export function contentModules(svc: Services, identity: IdentityQueries): ContentModules {
  const blobs = openBlobStore(svc.config);
  const search = new SearchIndex(svc.keys);
  const scanner = svc.config.clamdUrl ? new ClamdScanner(svc.config.clamdUrl) : noScanner;
  const files = new FileActions(svc, { blobs, scanner, search });
  const fileQueries = new FileQueries(svc, files);
  return {
    blobs, search, files,
    messageHooks: messageContentHooks({ files, search }),
    routes: (messages) => [
      ...fileRoutes(files, fileQueries, new FileLinks(svc, fileQueries)),
      ...searchRoutes(new SearchQueries(svc, search)),
      ...dlpRoutes(new DlpActions(svc, messages, files, identity)),
    ],
  };
}
