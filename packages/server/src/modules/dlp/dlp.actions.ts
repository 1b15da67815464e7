/**
 * DLP endpoints: forwarding under the level policy (DLP-1), a pre-send scan for clients
 * (DLP-3), and the audited unmasking of a user's field (DLP-4).
 */
import { randomBytes } from 'node:crypto';
import type { BodyOf, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, forbidden, notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import { levelPolicy, levelRank } from '../access/levels';
import { inputOf, refusingRule } from '../messages/messages.restrictions';
import { accessConversation } from '../conversations/conversations.access';
import { assertWritable } from '../conversations/conversations.policy';
import type { FileActions } from '../files/files.actions';
import * as fileStore from '../files/files.store';
import { requirePermission } from '../identity/identity.policy';
import type { IdentityQueries } from '../identity/identity.queries';
import { findUserById } from '../identity/identity.store';
import { openProfiles, profileOf } from '../identity/profile';
import type { MessageActions } from '../messages/messages.actions';
import { openBody } from '../messages/messages.body';
import * as msgStore from '../messages/messages.store';
import { getOrgSettings } from '../org/org.store';
import { detect } from './dlp.detectors';
import { dlpActionFor } from './dlp.policy';

export class DlpActions {
  constructor(
    private readonly svc: Services,
    private readonly messages: MessageActions,
    private readonly files: FileActions,
    private readonly identity: IdentityQueries,
  ) {}

  /**
   * Forwards a message (text and files) into another conversation the caller belongs to.
   * Refused when the source level (or a file's level) forbids forwarding, and when the target
   * ranks below the source: content never moves down to a less protected conversation.
   */
  async forward(actor: UserActor, conversationId: string, messageId: string, body: BodyOf<'forwardMessage'>): Promise<ResponseOf<'forwardMessage'>> {
    const { text, fileIds, flags } = await this.svc.runner.run(actor, 'messages.forward', { targetType: 'message', targetId: messageId, details: { conversationId, toConversationId: body.toConversationId } }, async (ctx) => {
      const { conv: src, member, settings } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      const msg = await msgStore.findMessage(ctx.trx, conversationId, messageId);
      if (!msg || msg.deleted_at !== null || !msg.body || Number(msg.position) <= Number(member!.history_from)) throw notFound('message', msg ? 'not_visible' : 'missing');
      if (src.encryption === 'e2ee') throw new AppError('validation_failed', 'end-to-end encrypted messages are forwarded by clients', { issues: [{ path: 'messageId', message: 'e2ee' }] });
      // DLP-1: the level first, then the sender's own flag; the audit row and the error name the rule.
      const rule = refusingRule(levelPolicy(settings, src.level), msg.restrictions, 'noForward');
      if (rule) {
        ctx.detail({ rule });
        throw new AppError('forbidden', rule === 'level' ? `messages at level "${src.level}" cannot be forwarded` : 'the sender disabled forwarding of this message', { rule }, 'no_forward');
      }
      for (const f of await fileStore.filesOfMessages(ctx.trx, [messageId])) {
        if (!levelPolicy(settings, f.level).forwardingAllowed) {
          ctx.detail({ rule: 'level' });
          throw new AppError('forbidden', `an attached file at level "${f.level}" cannot be forwarded`, { rule: 'level' }, 'no_forward');
        }
      }
      const { conv: dst } = await accessConversation(ctx.trx, actor, body.toConversationId, 'member');
      assertWritable(dst);
      if (levelRank(settings, dst.level) < levelRank(settings, src.level)) {
        throw forbidden(`cannot forward from level "${src.level}" to the lower level "${dst.level}"`, 'level_downgrade');
      }
      const text = openBody(await this.svc.keys.get(ctx.trx, msg.key_id!), msg.body, conversationId, messageId, msg.version);
      const fileIds = await this.files.copyFiles(ctx, messageId, dst);
      ctx.detail({ fromLevel: src.level, toLevel: dst.level, fileCount: fileIds.length });
      return { text, fileIds, flags: msg.restrictions };
    });
    return this.messages.send(actor, body.toConversationId, {
      clientId: body.clientId ?? `fwd-${messageId}-${randomBytes(4).toString('hex')}`,
      ...(text ? { text } : {}),
      ...(fileIds.length ? { fileIds } : {}),
      acknowledgeSensitive: body.acknowledgeSensitive,
      // The copy keeps the sender's no-copy / no-download: forwarding never launders them (DLP-1).
      restrictions: inputOf(flags),
    });
  }

  /** What sensitive data `text` holds and what the target conversation's level would do with it. */
  async scan(actor: UserActor, body: BodyOf<'dlpScan'>): Promise<ResponseOf<'dlpScan'>> {
    const db = this.svc.database.db;
    const settings = await getOrgSettings(db, actor.orgId);
    const level = body.conversationId ? (await accessConversation(db, actor, body.conversationId, 'member')).conv.level : settings.defaultLevel;
    const hits = detect(body.text, settings.dlp);
    return { action: hits.length ? dlpActionFor(settings, level) : 'allow', hits };
  }

  /** Reveals one field of a user the caller may see (users.view_unmasked; audited, the value never is). */
  async unmaskUser(actor: UserActor, userId: string, field: 'email' | 'phone' | 'address'): Promise<ResponseOf<'unmaskUserField'>> {
    const target = { targetType: 'user', targetId: userId, details: { field } };
    try {
      requirePermission(actor, 'users.view_unmasked');
      // Directory visibility applies (a user you may not see is not found); checked before the
      // write transaction, which on SQLite holds the only connection.
      await this.identity.getUser(actor, userId);
    } catch (err) {
      await this.svc.runner.recordFailure(actor, 'users.unmask', err, target);
      throw err;
    }
    return this.svc.runner.run(actor, 'users.unmask', target, async (ctx) => {
      const row = await findUserById(ctx.trx, actor.orgId, userId);
      if (!row) throw notFound('user');
      if (field === 'email') return { field, value: row.email };
      const value = profileOf(await openProfiles(ctx.trx, this.svc.keys, [row]), row.id)[field];
      if (value === null) throw notFound(field, 'empty');
      return { field, value };
    });
  }
}
