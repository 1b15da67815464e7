/**
 * File reads (MSG-2, DLP-1, DLP-2), each authorised per request through accessFile →
 * accessConversation: no public or guessable URLs. Content reads (download, preview) are
 * audited. Levels without downloads serve previews only.
 */
import type { BinaryBody, FileInfo, ResponseOf, Upload } from '@conclave/protocol';
import type { Actor, UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { accessConversation, type ConversationAccess } from '../conversations/conversations.access';
import { actorClears, levelDenial, levelPolicy } from '../access/levels';
import { refusingRule } from '../messages/messages.restrictions';
import type { FileActions } from './files.actions';
import { openName } from './files.crypto';
import { presentFiles, previewKind, stricterLevel, watermarked } from './files.presenter';
import * as store from './files.store';
import { watermarkImage, watermarkPdf, watermarkText, type Viewer } from './files.watermark';

/** Previews render at most this much (larger files: download, where the level allows). */
const PREVIEW_MAX = 32 * 1024 * 1024;
const TEXT_PREVIEW_MAX = 256 * 1024;

export interface FileAccess extends ConversationAccess { file: store.FileRow; level: string }

/**
 * The access helper for files (rule 2): the file's conversation must be accessible (clearance,
 * membership, level MFA), the file sent (an unsent upload is its uploader's only), its message
 * not deleted and not hidden by the member's history horizon. Denied looks like missing.
 */
export async function accessFile(db: Trx, actor: Actor, id: string): Promise<FileAccess> {
  const file = await store.findFile(db, actor.orgId, id);
  if (!file || file.status !== 'ready') throw notFound('file', file ? 'not_completed' : 'missing');
  let acc: ConversationAccess;
  try {
    acc = await accessConversation(db, actor, file.conversation_id, 'member');
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw notFound('file', err.reason);
    throw err;
  }
  if (!file.message_id) {
    if (file.uploader_id !== actor.userId) throw notFound('file', 'not_sent');
  } else {
    const m = await db.selectFrom('messages').select(['position', 'deleted_at']).where('id', '=', file.message_id).executeTakeFirst();
    if (!m || m.deleted_at !== null) throw notFound('file', 'message_deleted');
    if (acc.member && Number(m.position) <= Number(acc.member.history_from)) throw notFound('file', 'history_hidden');
  }
  const level = stricterLevel(acc.settings, file.level, acc.conv.level);
  // A file keeps the level it was uploaded at when its conversation's is lowered later: the
  // viewer's clearance (and the level's MFA rule) must reach the file's own level too.
  const denial = levelDenial(acc.settings, actor, level);
  if (denial === 'clearance') throw notFound('file', 'clearance');
  if (denial === 'level_mfa') throw new AppError('forbidden', `files at level "${level}" need a session signed in with MFA`, undefined, 'level_mfa');
  return { ...acc, file, level };
}

export class FileQueries {
  constructor(private readonly svc: Services, private readonly actions: FileActions) {}

  async getUpload(actor: UserActor, id: string): Promise<{ upload: Upload }> {
    const db = this.svc.database.db;
    const row = await store.findFile(db, actor.orgId, id);
    if (!row || row.status !== 'uploading' || row.uploader_id !== actor.userId || Number(row.expires_at) < this.svc.clock.now()) throw notFound('upload');
    const key = await this.svc.keys.get(db, row.key_id);
    return { upload: this.actions.presentUpload(row, openName(key, id, row.name_enc)) };
  }

  async get(actor: UserActor, id: string): Promise<{ file: FileInfo }> {
    const db = this.svc.database.db;
    const { file, settings, conv } = await accessFile(db, actor, id);
    return { file: (await presentFiles(db, this.svc.keys, settings, [file], new Map([[conv.id, conv.level]])))[0]! };
  }

  async list(actor: UserActor, conversationId: string, q: { before?: string; limit?: number }): Promise<ResponseOf<'listFiles'>> {
    const db = this.svc.database.db;
    const { member, settings, conv } = await accessConversation(db, actor, conversationId, 'member');
    const page = await store.listSent(db, conversationId, { before: q.before, floorPos: Number(member!.history_from), limit: q.limit ?? 50 });
    const rows = page.rows.filter((r) => actorClears(settings, actor, stricterLevel(settings, r.level, conv.level)));
    return { files: await presentFiles(db, this.svc.keys, settings, rows, new Map([[conv.id, conv.level]])), hasMore: page.hasMore };
  }

  /**
   * The file's bytes, unless its level or its message disables downloads (DLP-1): then previews
   * only. The audit row of a refusal names the rule (`level` or `message`). `via` marks a signed link.
   */
  async download(actor: UserActor, id: string, via?: 'link'): Promise<BinaryBody> {
    const acc = await this.svc.runner.run(actor, 'files.download', { targetType: 'file', targetId: id, details: via ? { via } : undefined }, async (ctx) => {
      const a = await accessFile(ctx.trx, actor, id);
      ctx.detail({ conversationId: a.conv.id, level: a.level });
      assertDownloadable(a, ctx.detail);
      return a;
    });
    const key = await this.svc.keys.get(this.svc.database.db, acc.file.key_id);
    return {
      contentType: servedType(acc.file.content_type), stream: this.actions.content(acc.file, key), size: Number(acc.file.size),
      fileName: openName(key, acc.file.id, acc.file.name_enc), disposition: 'attachment',
    };
  }

  /** An inline preview; watermarked with the viewer from the org's watermark level (DLP-2). Allowed under no-download. */
  async preview(actor: UserActor, id: string, via?: 'link'): Promise<BinaryBody> {
    const db = this.svc.database.db;
    const acc = await this.svc.runner.run(actor, 'files.preview', { targetType: 'file', targetId: id, details: via ? { via } : undefined }, async (ctx) => {
      const a = await accessFile(ctx.trx, actor, id);
      const kind = previewKind(a.file.content_type);
      ctx.detail({ conversationId: a.conv.id, level: a.level, watermarked: kind !== 'none' && watermarked(a.settings, a.level) });
      if (kind === 'none') throw new AppError('conflict', `no preview for ${a.file.content_type}; download the file instead`, undefined, 'no_preview');
      if (kind !== 'text' && Number(a.file.size) > PREVIEW_MAX) throw new AppError('payload_too_large', 'the file is too large to preview', { limit: PREVIEW_MAX });
      return a;
    });
    const key = await this.svc.keys.get(db, acc.file.key_id);
    const name = openName(key, acc.file.id, acc.file.name_enc);
    const kind = previewKind(acc.file.content_type);
    const mark = watermarked(acc.settings, acc.level);
    const viewer = await this.viewer(actor);
    const bytes = kind === 'text' ? await this.head(acc, key, TEXT_PREVIEW_MAX) : Buffer.concat(await collect(this.actions.content(acc.file, key)));
    if (kind === 'text') {
      const text = bytes.toString('utf8').replace(/\uFFFD$/, '');
      return { contentType: 'text/plain; charset=utf-8', bytes: Buffer.from(mark ? watermarkText(text, viewer) : text, 'utf8'), fileName: name, disposition: 'inline' };
    }
    if (!mark) return { contentType: acc.file.content_type!, bytes, fileName: name, disposition: 'inline' };
    if (kind === 'pdf') {
      try {
        return { contentType: 'application/pdf', bytes: await watermarkPdf(bytes, viewer), fileName: name, disposition: 'inline' };
      } catch {
        // A PDF that pdf-lib cannot parse is not shown unmarked.
        throw new AppError('conflict', 'this PDF cannot be previewed with a watermark', undefined, 'pdf_unreadable');
      }
    }
    return { contentType: 'image/svg+xml', bytes: watermarkImage(bytes, acc.file.content_type!, viewer), fileName: `${name}.svg`, disposition: 'inline' };
  }

  /**
   * The image thumbnail (MSG-2), under the same access rules as the file; watermarked with the
   * viewer from the org's watermark level like previews (DLP-2). Not audited per view: the
   * timeline renders thumbnails all the time; opening the preview or the file is audited. A use
   * of a signed link (`via`) is audited, though: the link works without a session header, so
   * each use is recorded with where it came from.
   */
  async thumbnail(actor: UserActor, id: string, via?: 'link'): Promise<BinaryBody> {
    const db = this.svc.database.db;
    const acc = via
      ? await this.svc.runner.run(actor, 'files.thumbnail', { targetType: 'file', targetId: id, details: { via } }, async (ctx) => {
        const a = await accessFile(ctx.trx, actor, id);
        ctx.detail({ conversationId: a.conv.id, level: a.level });
        if (!a.file.thumb) throw notFound('thumbnail', 'no_thumbnail');
        return a;
      })
      : await accessFile(db, actor, id);
    if (!acc.file.thumb) throw notFound('thumbnail', 'no_thumbnail');
    const key = await this.svc.keys.get(db, acc.file.key_id);
    const t = (await this.actions.thumbnail(acc.file, key))!;
    const name = `${openName(key, acc.file.id, acc.file.name_enc)}.thumb`;
    if (!watermarked(acc.settings, acc.level)) return { contentType: t.type, bytes: t.bytes, fileName: name, disposition: 'inline' };
    return { contentType: 'image/svg+xml', bytes: watermarkImage(t.bytes, t.type, await this.viewer(actor)), fileName: `${name}.svg`, disposition: 'inline' };
  }

  private async viewer(actor: UserActor): Promise<Viewer> {
    const u = await this.svc.database.db.selectFrom('users').select(['name']).where('id', '=', actor.userId).executeTakeFirst();
    return { id: actor.userId, name: u?.name ?? actor.userId, at: this.svc.clock.now() };
  }

  private async head(acc: FileAccess, key: Buffer, max: number): Promise<Buffer> {
    const out: Buffer[] = [];
    let n = 0;
    for await (const c of this.actions.content(acc.file, key)) {
      out.push(c);
      n += c.length;
      if (n >= max) break;
    }
    return Buffer.concat(out).subarray(0, max);
  }
}

/**
 * Refuses a download when the file's level or its message forbids it (DLP-1), naming the rule in
 * the audit row (`detail`) and in the error's details; previews stay available.
 */
export function assertDownloadable(a: FileAccess, detail?: (d: Record<string, unknown>) => void): void {
  const rule = refusingRule(levelPolicy(a.settings, a.level), a.file.restrictions, 'noDownload');
  if (!rule) return;
  detail?.({ rule });
  const why = rule === 'level' ? `downloads are disabled at level "${a.level}"` : 'the sender disabled downloads of this file';
  throw new AppError('forbidden', `${why}; open the preview instead`, { preview: previewKind(a.file.content_type), rule }, 'no_download');
}

/** Text is served as plain UTF-8 text (never as HTML), everything else as sniffed. */
function servedType(contentType: string | null): string {
  if (!contentType) return 'application/octet-stream';
  return contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return out;
}

