/**
 * The message content hooks (see MessageHooks): sensitive-data policy on the text (DLP-3),
 * attaching and erasing files (MSG-2), and keeping the search index in step (MSG-3) — all in
 * the message action's own transaction, so a refused send leaves nothing behind.
 */
import type { FileActions } from '../files/files.actions';
import type { MessageHooks } from '../messages/messages.actions';
import { getOrgSettings } from '../org/org.store';
import type { SearchIndex } from '../search/search.index';
import { applyDlp } from './dlp.policy';

export function messageContentHooks(deps: { files: FileActions; search: SearchIndex }): MessageHooks {
  return {
    async checkText(ctx, conv, text, acknowledged) {
      const settings = await getOrgSettings(ctx.trx, ctx.actor.orgId);
      return applyDlp(ctx, settings, conv.level, text, { acknowledged, what: 'message' }).text;
    },
    async written(ctx, conv, messageId, text, fileIds, isNew, flags) {
      if (fileIds?.length) await deps.files.attach(ctx, conv, messageId, fileIds, flags);
      // E2EE conversations are searched on the client only. A new message has no index rows to replace.
      if (conv.encryption === 'server' && text !== null) await deps.search.index(ctx.trx, conv.id, messageId, text, ctx.now, { fresh: isNew });
    },
    async erased(ctx, _conv, messageId) {
      await deps.search.remove(ctx.trx, messageId);
      await deps.files.eraseForMessage(ctx, messageId);
    },
  };
}
