/** File rows → wire objects (names decrypted; restrictions from the level policy and the file's message, DLP-1). */
import type { FileInfo, OrgSettings } from '@conclave/protocol';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import { levelPolicy, levelRank, watermarked } from '../access/levels';
import { effectiveRestrictions } from '../messages/messages.restrictions';
import { getOrgSettings } from '../org/org.store';
import { openName } from './files.crypto';
import * as store from './files.store';

/** The stricter of two levels (a file keeps its level when its conversation's is lower). */
export function stricterLevel(settings: Pick<OrgSettings, 'levels'>, a: string, b: string): string {
  return levelRank(settings, a) >= levelRank(settings, b) ? a : b;
}

export function previewKind(contentType: string | null): FileInfo['preview'] {
  if (!contentType) return 'none';
  if (/^image\/(png|jpeg|gif|webp)$/.test(contentType)) return 'image';
  if (contentType === 'application/pdf') return 'pdf';
  if (contentType === 'text/plain') return 'text';
  return 'none';
}

export { watermarked };

export async function presentFiles(db: Trx, keys: KeyService, settings: OrgSettings, rows: store.FileRow[], convLevels?: Map<string, string>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for (const r of rows) {
    const level = stricterLevel(settings, r.level, convLevels?.get(r.conversation_id) ?? r.level);
    const policy = levelPolicy(settings, level);
    // A destroyed key means the file is gone (GOV-2 crypto-shredding). Any other failure — a
    // missing key, a name that does not decrypt — is an integrity problem and is not hidden.
    const key = await keys.getLive(db, r.key_id);
    if (!key) continue;
    const name = openName(key, r.id, r.name_enc);
    out.push({
      id: r.id,
      conversationId: r.conversation_id,
      messageId: r.message_id,
      name,
      size: Number(r.size),
      contentType: r.content_type ?? 'application/octet-stream',
      level,
      uploaderId: r.uploader_id,
      createdAt: Number(r.created_at),
      restrictions: effectiveRestrictions(policy, r.restrictions),
      preview: previewKind(r.content_type),
      watermarked: watermarked(settings, level) && previewKind(r.content_type) !== 'none',
      thumbnail: r.thumb ? thumbSize(JSON.parse(r.thumb) as store.Thumb) : null,
    });
  }
  return out;
}

/**
 * Files of several messages, for the message presenter; `known` passes the settings and levels of
 * the messages' conversations when the caller has them already.
 */
export async function filesForMessages(db: Trx, keys: KeyService, messageIds: string[], known?: { settings: OrgSettings; levels: Map<string, string> }): Promise<Map<string, FileInfo[]>> {
  const rows = await store.filesOfMessages(db, messageIds);
  const out = new Map<string, FileInfo[]>();
  if (!rows.length) return out;
  const settings = known?.settings ?? await getOrgSettings(db, rows[0]!.org_id);
  const levels = known?.levels ?? new Map((await db.selectFrom('conversations').select(['id', 'level'])
    .where('id', 'in', [...new Set(rows.map((r) => r.conversation_id))]).execute()).map((c) => [c.id, c.level]));
  for (const f of await presentFiles(db, keys, settings, rows, levels)) {
    const list = out.get(f.messageId!);
    if (list) list.push(f);
    else out.set(f.messageId!, [f]);
  }
  return out;
}

function thumbSize(t: store.Thumb): { width: number; height: number } {
  return { width: t.w, height: t.h };
}
