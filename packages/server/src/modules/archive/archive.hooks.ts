/**
 * The send-path hook (MessageHooks.archive, GOV-5): in an E2EE conversation whose level is
 * archived, a send must carry `archiveCiphertext` sealed to the current archive key; it is
 * stored in the same transaction as the message, so a message never exists without its
 * archived copy. The server checks only the envelope's shape and key id — it cannot open it.
 */
import { ARCHIVE_ENVELOPE_OVERHEAD, parseArchiveEnvelope } from '@conclave/crypto';
import type { BodyOf } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import { AppError, invalid } from '../../kernel/errors';
import type { ConversationRow } from '../conversations/conversations.store';
import type { MessageHooks } from '../messages/messages.actions';
import * as store from './archive.store';

/** Whether a conversation's messages must be archived (E2EE and an archived level). */
export async function isArchivedConversation(db: ActionContext['trx'], orgId: string, conv: Pick<ConversationRow, 'encryption' | 'level'>): Promise<boolean> {
  return conv.encryption === 'e2ee' && (await store.archivedLevels(db, orgId)).has(conv.level);
}

/** Stores the archived copy of a new message, or refuses the send (validation_failed / conflict). */
export async function archiveOnSend(ctx: ActionContext, conv: ConversationRow, messageId: string, body: BodyOf<'sendMessage'>): Promise<void> {
  const orgId = ctx.actor.orgId;
  const sealed = body.archiveCiphertext;
  if (!(await isArchivedConversation(ctx.trx, orgId, conv))) {
    if (sealed !== undefined) {
      throw invalid('archiveCiphertext', conv.encryption === 'e2ee'
        ? `level "${conv.level}" is not archived for compliance; send without archiveCiphertext`
        : 'this conversation is not end-to-end encrypted; only E2EE conversations are archived by clients');
    }
    return;
  }
  if (sealed === undefined) {
    throw invalid('archiveCiphertext', `this conversation is archived for compliance (level "${conv.level}"): seal the message to the archive key from GET /api/v1/conversations/${conv.id}/archive and send it as archiveCiphertext`);
  }
  const key = await store.currentArchiveKey(ctx.trx, orgId);
  // Levels cannot be enabled without a key and a key is only ever replaced, so this is a broken invariant.
  if (!key) throw new AppError('conflict', 'the archive is enabled for this level but has no archive key; ask a compliance officer to run the setup ceremony');
  const bytes = Buffer.from(sealed, 'base64');
  let keyId: string;
  try {
    keyId = parseArchiveEnvelope(bytes).keyId;
  } catch {
    throw invalid('archiveCiphertext', 'is not an archive envelope (seal it with the SDK\'s archive helpers)');
  }
  if (bytes.length < ARCHIVE_ENVELOPE_OVERHEAD + keyId.length) throw invalid('archiveCiphertext', 'is truncated');
  if (keyId !== key.id) {
    throw new AppError('conflict', `archiveCiphertext is sealed to archive key ${keyId}; the current archive key is ${key.id}: fetch it and seal again`, { archiveKeyId: key.id });
  }
  await store.insertArchivedMessage(ctx.trx, {
    message_id: messageId, org_id: orgId, conversation_id: conv.id, archive_key_id: key.id, author_id: ctx.actor.userId!,
    client_id: body.clientId, created_at: ctx.now, ciphertext: bytes,
  });
  ctx.detail({ archived: true, archiveKeyId: key.id });
}

/** The hook to merge into the MessageHooks given to MessageActions (app.ts). */
export const archiveMessageHooks: Pick<MessageHooks, 'archive'> = { archive: archiveOnSend };
