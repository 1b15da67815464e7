/**
 * File writes (MSG-2): resumable upload (create → chunks at offsets → complete), cancel,
 * delete, and the hooks messages use to attach, forward and erase files. Content is encrypted
 * per part before it reaches the blob store; blob I/O happens outside the write transaction
 * (which serialises the organisation), and the transaction only records what was stored.
 */
import { randomBytes } from 'node:crypto';
import type { BodyOf, FileInfo, Upload } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import type { UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import type { BlobStore } from '../../storage/blobs';
import type { Trx } from '../../storage/tx';
import { accessConversation } from '../conversations/conversations.access';
import { assertWritable, canManage } from '../conversations/conversations.policy';
import type { ConversationRow } from '../conversations/conversations.store';
import * as convStore from '../conversations/conversations.store';
import { applyDlp } from '../dlp/dlp.policy';
import { getOrgSettings } from '../org/org.store';
import type { SearchIndex } from '../search/search.index';
import { openName, openPart, openThumb, sealName, sealPart, sealThumb } from './files.crypto';
import { makeThumbnail, MAX_THUMB_SOURCE_BYTES } from './files.thumbnail';
import { presentFiles, stricterLevel } from './files.presenter';
import type { FileScanner } from './files.scan';
import { assertAllowedName, assertConsistent, cleanFileName, sniff } from './files.sniff';
import * as store from './files.store';

/** Text files up to this size are checked for sensitive data (DLP-3). */
const DLP_TEXT_MAX = 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

export interface FileDeps {
  blobs: BlobStore;
  scanner: FileScanner;
  search: SearchIndex;
}

export class FileActions {
  constructor(private readonly svc: Services, private readonly deps: FileDeps) {}

  async createUpload(actor: UserActor, body: BodyOf<'createUpload'>): Promise<{ upload: Upload }> {
    const settings0 = await getOrgSettings(this.svc.database.db, actor.orgId);
    const upload = await this.svc.runner.run(actor, 'files.upload_start', { targetType: 'conversation', targetId: body.conversationId }, async (ctx) => {
      const name0 = cleanFileName(body.name);
      assertAllowedName(name0, settings0.fileBlockedExtensions);
      const { conv, settings } = await accessConversation(ctx.trx, actor, body.conversationId, 'member');
      assertWritable(conv);
      const limit = Math.min(settings.fileMaxBytes, settings.fileMaxBytesByLevel[conv.level] ?? Number.MAX_SAFE_INTEGER);
      if (body.size > limit) {
        throw new AppError('payload_too_large', `the file is ${body.size} bytes; the limit at level "${conv.level}" is ${limit}`, { limit, size: body.size });
      }
      const { text: name } = applyDlp(ctx, settings, conv.level, name0, { acknowledged: body.acknowledgeSensitive, what: 'file name' });
      await this.sweepExpired(ctx);
      const id = newId(ctx.now);
      const key = await this.svc.keys.create(ctx.trx, `file:${id}`, ctx.now);
      const row: store.FileRow = {
        id, org_id: actor.orgId, conversation_id: conv.id, uploader_id: actor.userId, message_id: null, blob_id: id, key_id: key.id,
        name_enc: sealName(key.key, id, name), size: body.size, received_bytes: 0, parts: '[]', declared_type: body.contentType ?? null,
        content_type: null, level: conv.level, status: 'uploading', created_at: ctx.now, completed_at: null, expires_at: ctx.now + this.svc.config.uploadTtlMs,
        thumb: null, restrictions: 0,
      };
      await store.insertFile(ctx.trx, row);
      ctx.target('file', id);
      ctx.detail({ conversationId: conv.id, size: body.size, declaredType: body.contentType ?? null });
      return this.presentUpload(row, name);
    });
    return { upload };
  }

  /** Appends a chunk at `offset` (must equal the bytes received so far: resumable, never overlapping). */
  async putChunk(actor: UserActor, id: string, offset: number, bytes: Uint8Array): Promise<{ upload: Upload }> {
    const db = this.svc.database.db;
    if (!bytes.length) throw new AppError('validation_failed', 'body: the chunk is empty', { issues: [{ path: 'body', message: 'empty' }] });
    const row = await this.ownUpload(db, actor, id);
    const received = Number(row.received_bytes);
    if (offset !== received) throw new AppError('conflict', `the upload continues at offset ${received}`, { receivedBytes: received });
    if (received + bytes.length > Number(row.size)) {
      throw new AppError('payload_too_large', `the chunk runs past the declared size of ${row.size} bytes`, { size: Number(row.size), receivedBytes: received });
    }
    const index = store.parts(row).length;
    const key = await this.svc.keys.get(db, row.key_id);
    const blobKey = `files/${row.blob_id}/${index}-${randomBytes(6).toString('hex')}`;
    await this.deps.blobs.put(blobKey, sealPart(key, row.blob_id, index, offset, bytes));
    try {
      const upload = await this.svc.runner.run(actor, 'files.upload_chunk', { targetType: 'file', targetId: id, details: { offset, bytes: bytes.length } }, async (ctx) => {
        const cur = await this.ownUpload(ctx.trx, actor, id);
        const parts = store.parts(cur);
        // A concurrent request for the same offset won: this chunk is discarded.
        if (Number(cur.received_bytes) !== offset || parts.length !== index) throw new AppError('conflict', `the upload continues at offset ${cur.received_bytes}`, { receivedBytes: Number(cur.received_bytes) });
        parts.push({ k: blobKey, n: bytes.length });
        const next = { ...cur, parts: JSON.stringify(parts), received_bytes: offset + bytes.length };
        await store.updateFile(ctx.trx, id, { parts: next.parts, received_bytes: next.received_bytes });
        return this.presentUpload(next, openName(key, id, cur.name_enc));
      });
      return { upload };
    } catch (err) {
      await this.deps.blobs.delete([blobKey]).catch(() => {});
      throw err;
    }
  }

  /**
   * Finishes an upload: sniffs the type from the content, applies the block list, scans,
   * checks extractable text for sensitive data, then makes the file visible to its uploader
   * (and to members once attached to a message). A refused file is erased at once.
   */
  async complete(actor: UserActor, id: string, acknowledged = false): Promise<{ file: FileInfo }> {
    const db = this.svc.database.db;
    const row = await this.ownUpload(db, actor, id);
    if (Number(row.received_bytes) !== Number(row.size)) {
      throw new AppError('conflict', `the upload is incomplete: ${row.received_bytes} of ${row.size} bytes received`, { receivedBytes: Number(row.received_bytes), size: Number(row.size) });
    }
    const key = await this.svc.keys.get(db, row.key_id);
    const name = openName(key, id, row.name_enc);
    const head = await this.head(row, key);
    const sniffed = sniff(head);
    let rejection: AppError | null = null;
    try {
      assertConsistent(sniffed, name, row.declared_type);
    } catch (err) {
      rejection = err as AppError;
    }
    if (!rejection) {
      let result;
      try {
        result = await this.deps.scanner.scan(this.content(row, key));
      } catch (err) {
        this.svc.log.warn({ err, fileId: id }, 'virus scanner unreachable');
        throw new AppError('unavailable', 'the virus scanner cannot be reached; complete the upload again later');
      }
      if (!result.clean) rejection = new AppError('file_rejected', 'the virus scanner found malware in the file', { reason: 'malware', signature: result.signature }, 'malware');
    }
    let text: string | null = null;
    if (!rejection && sniffed.kind === 'text' && Number(row.size) <= DLP_TEXT_MAX) text = Buffer.concat(await collect(this.content(row, key))).toString('utf8');
    const thumb = rejection ? null : await this.storeThumbnail(row, key, sniffed.contentType);

    const blobKeys = [...store.parts(row).map((p) => p.k), ...(thumb ? [thumb.k] : [])];
    try {
      await this.svc.runner.run(actor, 'files.upload_complete', { targetType: 'file', targetId: id }, async (ctx) => {
        const cur = await this.ownUpload(ctx.trx, actor, id);
        const { conv, settings } = await accessConversation(ctx.trx, actor, cur.conversation_id, 'member');
        ctx.detail({ conversationId: conv.id, contentType: sniffed.contentType, size: Number(cur.size), scanner: this.deps.scanner.name });
        if (!rejection && text !== null) {
          try {
            applyDlp(ctx, settings, conv.level, text, { acknowledged, what: 'file content', canMask: false });
          } catch (err) {
            if ((err as AppError).code === 'dlp_warning') throw err;
            rejection = err as AppError;
          }
        }
        if (rejection) {
          await store.deleteFile(ctx.trx, id);
          ctx.failAfterCommit(rejection);
          return;
        }
        await store.updateFile(ctx.trx, id, { status: 'ready', content_type: sniffed.contentType, completed_at: ctx.now, thumb: thumb ? JSON.stringify(thumb) : null });
        if (conv.encryption === 'server') await this.deps.search.indexFile(ctx.trx, conv.id, id, name, ctx.now);
      });
    } catch (err) {
      if (rejection && err === rejection) await this.deps.blobs.delete(blobKeys).catch(() => {});
      else if (thumb) await this.deps.blobs.delete([thumb.k]).catch(() => {});
      throw err;
    }
    const settings = await getOrgSettings(db, actor.orgId);
    const done = (await store.findFile(db, actor.orgId, id))!;
    return { file: (await presentFiles(db, this.svc.keys, settings, [done]))[0]! };
  }

  async cancel(actor: UserActor, id: string): Promise<{ ok: true }> {
    const keys = await this.svc.runner.run(actor, 'files.upload_cancel', { targetType: 'file', targetId: id }, async (ctx) => {
      const cur = await this.ownUpload(ctx.trx, actor, id);
      await store.deleteFile(ctx.trx, id);
      return store.parts(cur).map((p) => p.k);
    });
    await this.deps.blobs.delete(keys).catch((err) => this.svc.log.warn({ err }, 'blob delete failed'));
    return { ok: true };
  }

  /** Deletes a file: its uploader, a conversation admin, or messages.delete_any. */
  async delete(actor: UserActor, id: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'files.delete', { targetType: 'file', targetId: id }, async (ctx) => {
      const row = await store.findFile(ctx.trx, actor.orgId, id);
      if (!row || row.status !== 'ready') throw notFound('file');
      const { member } = await accessConversation(ctx.trx, actor, row.conversation_id, 'member');
      if (row.uploader_id !== actor.userId && !canManage(actor, member) && !actor.permissions.has('messages.delete_any')) {
        throw new AppError('forbidden', 'only the uploader or a conversation admin can delete this file', undefined, 'not_uploader');
      }
      ctx.detail({ conversationId: row.conversation_id, messageId: row.message_id });
      await this.erase(ctx, [row]);
      if (row.message_id) {
        await ctx.emit(await convStore.memberIds(ctx.trx, row.conversation_id), { type: 'message.updated', conversationId: row.conversation_id, messageId: row.message_id });
      }
    });
    return { ok: true };
  }

  // ---- hooks for message writes (called inside the message action's transaction) ----

  /**
   * Attaches completed uploads of the author in this conversation to a message; they take on the
   * message's DLP-1 flags (`flags`), kept with the file so every file read can enforce them.
   */
  async attach(ctx: ActionContext, conv: ConversationRow, messageId: string, fileIds: string[], flags = 0): Promise<void> {
    const rows = new Map((await store.findFilesByIds(ctx.trx, fileIds)).map((r) => [r.id, r]));
    for (const fid of new Set(fileIds)) {
      const r = rows.get(fid);
      if (!r || r.org_id !== ctx.actor.orgId || r.conversation_id !== conv.id || r.uploader_id !== ctx.actor.userId || r.status !== 'ready' || r.message_id !== null) {
        throw new AppError('validation_failed', `fileIds: ${fid} is not a completed, unsent upload of yours in this conversation`, { issues: [{ path: 'fileIds', message: `${fid} cannot be attached` }] });
      }
      // A forwarded copy already carries its source's flags; the forwarded message carries them too.
      await store.updateFile(ctx.trx, fid, { message_id: messageId, restrictions: Number(r.restrictions) | flags });
    }
    ctx.detail({ fileCount: rows.size });
  }

  /** Erases the files of a deleted message (rows, index entries; blobs after commit). */
  async eraseForMessage(ctx: ActionContext, messageId: string): Promise<void> {
    const rows = await store.filesOfMessages(ctx.trx, [messageId]);
    if (rows.length) await this.erase(ctx, rows);
  }

  /** Copies a message's files into another conversation for a forward (same encrypted parts, new rows). */
  async copyFiles(ctx: ActionContext, messageId: string, target: ConversationRow): Promise<string[]> {
    const rows = await store.filesOfMessages(ctx.trx, [messageId]);
    const settings = await getOrgSettings(ctx.trx, ctx.actor.orgId);
    const ids: string[] = [];
    for (const r of rows) {
      const key = await this.svc.keys.get(ctx.trx, r.key_id);
      const name = openName(key, r.id, r.name_enc);
      const id = newId(ctx.now);
      await store.insertFile(ctx.trx, {
        ...r, id, conversation_id: target.id, uploader_id: ctx.actor.userId!, message_id: null, name_enc: sealName(key, id, name),
        level: stricterLevel(settings, r.level, target.level), created_at: ctx.now, completed_at: ctx.now,
      });
      if (target.encryption === 'server') await this.deps.search.indexFile(ctx.trx, target.id, id, name, ctx.now);
      ids.push(id);
    }
    return ids;
  }

  // ---- internals ----

  /**
   * Erases file rows, their search entries and — once no forwarded copy still uses them — their
   * encrypted parts and data key (crypto-shredding, GOV-2: copies in backups become unreadable).
   * Returns the destroyed key ids. Used by message deletion, retention and erasure.
   */
  async erase(ctx: ActionContext, rows: store.FileRow[]): Promise<string[]> {
    for (const r of rows) {
      await store.deleteFile(ctx.trx, r.id);
      await this.deps.search.remove(ctx.trx, r.id);
    }
    const orphaned: string[] = [];
    const orphanKeys = new Set<string>();
    for (const r of rows) {
      if (!(await store.blobInUse(ctx.trx, r.blob_id))) {
        orphaned.push(...store.parts(r).map((p) => p.k), ...(r.thumb ? [(JSON.parse(r.thumb) as store.Thumb).k] : []));
        orphanKeys.add(r.key_id);
      }
    }
    if (orphaned.length) ctx.afterCommit(() => this.deps.blobs.delete(orphaned));
    return this.svc.keys.destroy(ctx.trx, [...orphanKeys], ctx.now);
  }

  private async sweepExpired(ctx: ActionContext): Promise<void> {
    const expired = await store.expiredUploads(ctx.trx, ctx.now, 20);
    if (!expired.length) return;
    for (const r of expired) await store.deleteFile(ctx.trx, r.id);
    const keys = expired.flatMap((r) => store.parts(r).map((p) => p.k));
    ctx.afterCommit(() => this.deps.blobs.delete(keys));
  }

  /** An unfinished upload of the caller's (anyone else's is not found). */
  private async ownUpload(db: Trx, actor: UserActor, id: string): Promise<store.FileRow> {
    const row = await store.findFile(db, actor.orgId, id);
    if (!row || row.status !== 'uploading' || row.uploader_id !== actor.userId) throw notFound('upload', row ? 'not_uploader' : 'missing');
    if (Number(row.expires_at) < this.svc.clock.now()) throw notFound('upload', 'expired');
    return row;
  }

  private async head(row: store.FileRow, key: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    let n = 0;
    for await (const c of this.content(row, key)) {
      out.push(Buffer.from(c));
      n += c.length;
      if (n >= HEAD_BYTES) break;
    }
    return Buffer.concat(out).subarray(0, HEAD_BYTES);
  }

  /**
   * Makes and stores the sealed thumbnail of a PNG or JPEG (MSG-2), or returns null (another
   * type, too large, undecodable). Stored before the completing transaction, like chunks.
   */
  private async storeThumbnail(row: store.FileRow, key: Buffer, contentType: string): Promise<store.Thumb | null> {
    if (contentType !== 'image/png' && contentType !== 'image/jpeg') return null;
    if (Number(row.size) > MAX_THUMB_SOURCE_BYTES) return null;
    const t = makeThumbnail(Buffer.concat(await collect(this.content(row, key))), contentType);
    if (!t) return null;
    const k = `files/${row.blob_id}/thumb-${randomBytes(6).toString('hex')}`;
    await this.deps.blobs.put(k, sealThumb(key, row.blob_id, t.bytes));
    return { k, n: t.bytes.length, type: t.contentType, w: t.width, h: t.height };
  }

  /** The decrypted thumbnail of a file that has one. */
  async thumbnail(row: store.FileRow, key: Buffer): Promise<{ bytes: Buffer; type: string } | null> {
    if (!row.thumb) return null;
    const t = JSON.parse(row.thumb) as store.Thumb;
    return { bytes: openThumb(key, row.blob_id, await this.deps.blobs.get(t.k)), type: t.type };
  }

  /** The decrypted content, part by part. */
  async *content(row: store.FileRow, key: Buffer): AsyncGenerator<Buffer> {
    let offset = 0;
    const parts = store.parts(row);
    for (let i = 0; i < parts.length; i++) {
      yield openPart(key, row.blob_id, i, offset, await this.deps.blobs.get(parts[i]!.k));
      offset += parts[i]!.n;
    }
  }

  presentUpload(row: store.FileRow, name: string): Upload {
    return {
      id: row.id, conversationId: row.conversation_id, name, size: Number(row.size), receivedBytes: Number(row.received_bytes),
      maxChunkBytes: this.svc.config.uploadChunkBytes, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at),
    };
  }
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return out;
}
