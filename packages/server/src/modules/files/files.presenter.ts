/** File rows → wire objects (names decrypted; restrictions from the level policy). */
import type { FileInfo, OrgSettings } from '@conclave/protocol';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import { levelPolicy, levelRank, watermarked } from '../access/levels';
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
    let name: string;
    try {
      name = openName(await keys.get(db, r.key_id), r.id, r.name_enc);
    } catch {
      continue; // key destroyed: the file is gone
    }
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
      restrictions: { noForward: !policy.forwardingAllowed, noCopy: !policy.copyAllowed, noDownload: !policy.downloadsAllowed },
      preview: previewKind(r.content_type),
      watermarked: watermarked(settings, level) && previewKind(r.content_type) !== 'none',
      thumbnail: r.thumb ? thumbSize(JSON.parse(r.thumb) as store.Thumb) : null,
    });
  }
  return out;
}

/** Files of several messages, for the message presenter. */
export async function filesForMessages(db: Trx, keys: KeyService, messageIds: string[]): Promise<Map<string, FileInfo[]>> {
  const rows = await store.filesOfMessages(db, messageIds);
  const out = new Map<string, FileInfo[]>();
  if (!rows.length) return out;
  const settings = await getOrgSettings(db, rows[0]!.org_id);
  const convs = await db.selectFrom('conversations').select(['id', 'level']).where('id', 'in', [...new Set(rows.map((r) => r.conversation_id))]).execute();
  const levels = new Map(convs.map((c) => [c.id, c.level]));
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
