/** Message writes (MSG-1): send (idempotent), edit, delete, react. Bodies are sealed at rest. */
import type { BodyOf, Message, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import type { ActionContext } from '../../kernel/action';
import { AppError, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { accessConversation } from '../conversations/conversations.access';
import { assertWritable } from '../conversations/conversations.policy';
import * as convStore from '../conversations/conversations.store';
import { levelPolicy } from '../access/levels';
import * as fileStore from '../files/files.store';
import { getOrgSettings } from '../org/org.store';
import { sealBody } from './messages.body';
import { MessageKeys } from './message-keys';
import { assertCanDelete, assertCanEdit } from './messages.policy';
import { addedFlags, effectiveRestrictions, flagsOf, tightened, type Restrictions } from './messages.restrictions';
import { presentMessages } from './messages.presenter';
import * as store from './messages.store';

const MAX_DISTINCT_REACTIONS = 50;

/**
 * Content hooks other modules plug into message writes, inside the same transaction:
 * sensitive-data checks (DLP-3), attached files (MSG-2) and the search index (MSG-3).
 */
export interface MessageHooks {
  /** Before sealing a server-mode text: returns the text to store (possibly masked) or throws. */
  checkText?(ctx: ActionContext, conv: convStore.ConversationRow, text: string, acknowledged: boolean): Promise<string>;
  /**
   * After a send or edit is written; `text` is null for E2EE bodies. `fileIds` only on send;
   * `isNew` on send (the message was created in this transaction, so it has nothing to replace);
   * `flags` on send: the message's DLP-1 restriction bits, which its attached files carry too.
   */
  written?(ctx: ActionContext, conv: convStore.ConversationRow, messageId: string, text: string | null, fileIds?: string[], isNew?: boolean, flags?: number): Promise<void>;
  /** After a message's content was erased by a delete. */
  erased?(ctx: ActionContext, conv: convStore.ConversationRow, messageId: string): Promise<void>;
  /** After a send is written: stores its compliance-archive copy, or throws when one is required and missing (GOV-5). */
  archive?(ctx: ActionContext, conv: convStore.ConversationRow, messageId: string, body: BodyOf<'sendMessage'>): Promise<void>;
}

export class MessageActions {
  /** Body keys per (conversation, month, author): the unit of crypto-shredding (GOV-2). */
  readonly bodyKeys: MessageKeys;

  constructor(private readonly svc: Services, private readonly hooks: MessageHooks = {}) {
    this.bodyKeys = new MessageKeys(svc.keys);
  }

  async send(actor: UserActor, conversationId: string, body: BodyOf<'sendMessage'>): Promise<ResponseOf<'sendMessage'>> {
    const db = this.svc.database.db;
    // A retry of a send that already committed returns the original (MSG-4: never duplicate).
    const { conv } = await accessConversation(db, actor, conversationId, 'member');
    const earlier = await store.findByClientId(db, conversationId, actor.userId, body.clientId);
    if (earlier) return { message: (await presentMessages(db, this.svc.keys, [earlier]))[0]! };
    // A message carrying only files has an empty text.
    const text = body.text ?? (body.ciphertext === undefined ? '' : undefined);
    await this.checkSize(actor, text, body.ciphertext);
    this.checkEncryptionMode(conv.encryption, text !== undefined);

    // DLP-1: the sender's flags come with the body and go into the same INSERT (no extra query).
    const flags = flagsOf(body.restrictions);
    const sent = await this.svc.runner.run(actor, 'messages.send', { targetType: 'conversation', targetId: conversationId }, async (ctx) => {
      // Read once per action: the conversation and membership here, the member list below.
      const { conv, settings } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      assertWritable(conv);
      const again = await store.findByClientId(ctx.trx, conversationId, actor.userId, body.clientId);
      if (again) return { id: again.id, fresh: null };
      let root: store.MessageRow | undefined;
      if (body.threadRootId) {
        root = await store.findMessage(ctx.trx, conversationId, body.threadRootId);
        if (!root) throw notFound('thread root message');
        if (root.thread_root_id) throw new AppError('validation_failed', 'threadRootId: reply to the thread root, not to a reply', { issues: [{ path: 'threadRootId', message: 'is itself a reply' }] });
      }
      const position = Number(conv.last_position) + 1;
      const id = newId(ctx.now);
      const stored = text !== undefined && this.hooks.checkText ? await this.hooks.checkText(ctx, conv, text, !!body.acknowledgeSensitive) : text;
      const row: store.MessageRow = {
        id, conversation_id: conversationId, position, client_id: body.clientId, author_id: actor.userId, thread_root_id: root?.id ?? null,
        encryption: conv.encryption, version: 1, created_at: ctx.now, edited_at: null, deleted_at: null, reply_count: 0, last_reply_at: null, restrictions: flags,
        ...(await this.seal(ctx, conv, { id, author_id: actor.userId, created_at: ctx.now }, 1, stored, body.ciphertext)),
      };
      await store.insertMessage(ctx.trx, row);
      await this.hooks.archive?.(ctx, conv, id, body);
      await this.hooks.written?.(ctx, conv, id, stored ?? null, body.fileIds, true, flags);
      await convStore.updateConversation(ctx.trx, conversationId, { last_position: position, last_message_at: ctx.now });
      const members = await convStore.memberIds(ctx.trx, conversationId);
      // A brand-new message has no mentions to replace.
      const mentions = this.validMentions(body.mentions, members);
      await store.insertMentions(ctx.trx, row, mentions);
      ctx.target('message', id);
      ctx.detail({ conversationId, threadRootId: row.thread_root_id, bytes: byteLength(text, body.ciphertext), ...(flags ? { restrictions: addedFlags(0, flags) } : {}) });
      await ctx.emit(members, { type: 'message.created', conversationId, messageId: id });
      if (root) {
        await store.updateMessage(ctx.trx, root.id, { reply_count: root.reply_count + 1, last_reply_at: ctx.now });
        await ctx.emit(members, { type: 'message.updated', conversationId, messageId: root.id });
      }
      return { id, fresh: { row, text: stored ?? null, mentions, restrictions: effectiveRestrictions(levelPolicy(settings, conv.level), flags) } };
    });
    // The action holds everything a new message's wire form needs (no reactions, no replies yet);
    // attached files are presented by the files module, so only then re-read it.
    if (sent.fresh && !body.fileIds?.length) return { message: presentNew(sent.fresh.row, sent.fresh.text, sent.fresh.mentions, sent.fresh.restrictions) };
    return { message: await this.load(conversationId, sent.id) };
  }

  /**
   * Edits keep the previous body (still sealed) as a version, visible per org policy. The author
   * may also add DLP-1 restrictions, with or without new text (E2EE messages need no new
   * ciphertext for that); a restriction once set is never lifted (messages.restrictions.ts).
   */
  async edit(actor: UserActor, conversationId: string, messageId: string, body: BodyOf<'editMessage'>): Promise<ResponseOf<'editMessage'>> {
    const contentEdit = body.text !== undefined || body.ciphertext !== undefined;
    if (contentEdit) await this.checkSize(actor, body.text, body.ciphertext);
    await this.svc.runner.run(actor, 'messages.edit', { targetType: 'message', targetId: messageId, details: { conversationId } }, async (ctx) => {
      const { conv } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      assertWritable(conv);
      const msg = await store.findMessage(ctx.trx, conversationId, messageId);
      if (!msg || msg.deleted_at !== null) throw notFound('message', msg ? 'deleted' : 'missing');
      assertCanEdit(actor, msg);
      const flags = tightened(msg.restrictions, body.restrictions);
      if (flags !== Number(msg.restrictions)) {
        ctx.detail({ restrictionsAdded: addedFlags(msg.restrictions, flags) });
        await store.updateMessage(ctx.trx, msg.id, { restrictions: flags });
        await fileStore.restrictMessageFiles(ctx.trx, msg.id, flags);
      }
      if (contentEdit) {
        this.checkEncryptionMode(msg.encryption, body.text !== undefined);
        await store.insertVersion(ctx.trx, { message_id: msg.id, version: msg.version, body: msg.body!, key_id: msg.key_id, edited_at: msg.edited_at ?? msg.created_at });
        const version = msg.version + 1;
        const stored = body.text !== undefined && this.hooks.checkText ? await this.hooks.checkText(ctx, conv, body.text, !!body.acknowledgeSensitive) : body.text;
        await store.updateMessage(ctx.trx, msg.id, { ...(await this.seal(ctx, conv, msg, version, stored, body.ciphertext)), version, edited_at: ctx.now });
        await this.hooks.written?.(ctx, conv, msg.id, stored ?? null);
      } else if (flags === Number(msg.restrictions)) {
        return; // restrictions alone, all already set: nothing changed, nobody to tell
      }
      const members = await convStore.memberIds(ctx.trx, conversationId);
      if (body.mentions) await store.replaceMentions(ctx.trx, { ...msg, position: Number(msg.position) }, this.validMentions(body.mentions, members));
      await ctx.emit(members, { type: 'message.updated', conversationId, messageId });
    });
    return { message: await this.load(conversationId, messageId) };
  }

  /** Deletion erases the body, every earlier version, mentions and reactions; a tombstone stays. */
  async delete(actor: UserActor, conversationId: string, messageId: string): Promise<ResponseOf<'deleteMessage'>> {
    await this.svc.runner.run(actor, 'messages.delete', { targetType: 'message', targetId: messageId, details: { conversationId } }, async (ctx) => {
      const { conv, member } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      const msg = await store.findMessage(ctx.trx, conversationId, messageId);
      if (!msg) throw notFound('message');
      if (msg.deleted_at !== null) return;
      assertCanDelete(actor, msg, member);
      ctx.detail({ byAuthor: msg.author_id === actor.userId });
      await store.updateMessage(ctx.trx, msg.id, { body: null, key_id: null, deleted_at: ctx.now });
      await store.eraseMessageContent(ctx.trx, msg.id);
      await this.hooks.erased?.(ctx, conv, msg.id);
      await ctx.emit(await convStore.memberIds(ctx.trx, conversationId), { type: 'message.updated', conversationId, messageId });
    });
    return { message: await this.load(conversationId, messageId) };
  }

  async react(actor: UserActor, conversationId: string, messageId: string, emoji: string, add: boolean): Promise<ResponseOf<'addReaction'>> {
    const clean = emoji.trim();
    if (!clean) throw new AppError('validation_failed', 'emoji: must not be blank', { issues: [{ path: 'emoji', message: 'blank' }] });
    await this.svc.runner.run(actor, add ? 'messages.react' : 'messages.unreact', { targetType: 'message', targetId: messageId, details: { conversationId } }, async (ctx) => {
      const { conv } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      assertWritable(conv);
      const msg = await store.findMessage(ctx.trx, conversationId, messageId);
      if (!msg || msg.deleted_at !== null) throw notFound('message', msg ? 'deleted' : 'missing');
      let changed: boolean;
      if (add) {
        changed = await store.addReaction(ctx.trx, messageId, actor.userId, clean, ctx.now);
        if (changed && (await store.distinctEmojiCount(ctx.trx, messageId)) > MAX_DISTINCT_REACTIONS) {
          throw new AppError('conflict', `a message can carry at most ${MAX_DISTINCT_REACTIONS} different reactions`);
        }
      } else {
        changed = await store.removeReaction(ctx.trx, messageId, actor.userId, clean);
      }
      if (changed) await ctx.emit(await convStore.memberIds(ctx.trx, conversationId), { type: 'message.updated', conversationId, messageId });
    });
    return { message: await this.load(conversationId, messageId) };
  }

  private async load(conversationId: string, id: string): Promise<Message> {
    const db = this.svc.database.db;
    const row = await store.findMessage(db, conversationId, id);
    return (await presentMessages(db, this.svc.keys, [row!]))[0]!;
  }

  /**
   * Seals a server-mode body under the key of the message's (month, author) bucket — an edit
   * stays in the original message's bucket, so shredding that bucket takes its history too.
   */
  private async seal(ctx: ActionContext, conv: convStore.ConversationRow, msg: { id: string; author_id: string; created_at: number }, version: number, text?: string, ciphertext?: string) {
    if (ciphertext !== undefined) return { body: Buffer.from(ciphertext, 'base64'), key_id: null };
    const { id: keyId, key } = await this.bodyKeys.forMessage(ctx, conv.id, msg.author_id, msg.created_at);
    return { body: sealBody(key, text!, conv.id, msg.id, version), key_id: keyId };
  }

  private checkEncryptionMode(mode: string, isText: boolean): void {
    if (mode === 'e2ee' && isText) throw new AppError('validation_failed', 'text: this conversation is end-to-end encrypted; send ciphertext', { issues: [{ path: 'text', message: 'not allowed in an E2EE conversation' }] });
    if (mode !== 'e2ee' && !isText) throw new AppError('validation_failed', 'ciphertext: this conversation is not end-to-end encrypted; send text', { issues: [{ path: 'ciphertext', message: 'not allowed here' }] });
  }

  private async checkSize(actor: UserActor, text?: string, ciphertext?: string): Promise<void> {
    const settings = await getOrgSettings(this.svc.database.db, actor.orgId);
    const bytes = byteLength(text, ciphertext);
    if (bytes > settings.maxMessageBytes) {
      throw new AppError('payload_too_large', `the message is ${bytes} bytes; the limit is ${settings.maxMessageBytes}`, { limit: settings.maxMessageBytes, size: bytes });
    }
  }

  /** Mentions must name members; others are dropped (they could not read the message anyway). */
  private validMentions(ids: string[] | undefined, members: string[]): string[] {
    const set = new Set(members);
    return [...new Set(ids ?? [])].filter((u) => set.has(u));
  }
}

/**
 * The wire form of a message just created, as presentMessages would render it from the database
 * right after commit: text as stored (after DLP), E2EE ciphertext as stored, mentions sorted by
 * user id, no thread, reactions or files.
 */
function presentNew(row: store.MessageRow, text: string | null, mentions: string[], restrictions: Restrictions): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    clientId: row.client_id,
    position: Number(row.position),
    authorId: row.author_id,
    encryption: row.encryption as Message['encryption'],
    text: row.encryption === 'e2ee' ? null : text,
    ciphertext: row.encryption === 'e2ee' ? Buffer.from(row.body!).toString('base64') : null,
    mentions: [...mentions].sort(compareText),
    threadRootId: row.thread_root_id,
    thread: null,
    reactions: [],
    createdAt: row.created_at,
    editedAt: null,
    deletedAt: null,
    files: [],
    restrictions,
  };
}

/** Byte-wise order, as the database's ORDER BY user_id on these ASCII ids. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byteLength(text?: string, ciphertext?: string): number {
  return text !== undefined ? Buffer.byteLength(text, 'utf8') : Math.floor(((ciphertext?.length ?? 0) * 3) / 4);
}
