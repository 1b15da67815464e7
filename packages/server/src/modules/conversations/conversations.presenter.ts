/** Row → Conversation wire object, for one viewer (role and read state are per viewer). */
import type { Conversation, OrgSettings } from '@conclave/protocol';
import { levelPolicy, watermarked } from '../access/levels';
import type { ConversationRow, MemberRow } from './conversations.store';

/** Per-render context: the org settings (level policies) and which conversations have guests. */
export interface PresentContext {
  settings: OrgSettings;
  external: Set<string>;
  /** Levels archived for compliance (GOV-5): their E2EE conversations carry `complianceArchive`. */
  archivedLevels?: ReadonlySet<string>;
}

export function presentConversation(
  row: ConversationRow,
  viewerId: string,
  member: Pick<MemberRow, 'role' | 'last_read_position'> | null,
  counts: { unread: number; mentions: number } | undefined,
  ctx: PresentContext,
): Conversation {
  const policy = levelPolicy(ctx.settings, row.level);
  let dmPeerId: string | null = null;
  if (row.kind === 'dm' && row.dm_key) {
    const [a, b] = row.dm_key.split(':') as [string, string];
    dmPeerId = a === viewerId ? b : a;
  }
  return {
    id: row.id,
    kind: row.kind as Conversation['kind'],
    name: row.name,
    topic: row.topic,
    encryption: row.encryption as Conversation['encryption'],
    level: row.level,
    hasExternal: ctx.external.has(row.id),
    departmentId: row.department_id,
    restrictions: { noForward: !policy.forwardingAllowed, noCopy: !policy.copyAllowed, noDownload: !policy.downloadsAllowed },
    createdAt: row.created_at,
    createdBy: row.created_by,
    archived: row.archived_at !== null,
    memberCount: row.member_count,
    dmPeerId,
    lastPosition: Number(row.last_position),
    lastMessageAt: row.last_message_at,
    myRole: (member?.role as Conversation['myRole']) ?? null,
    lastReadPosition: Number(member?.last_read_position ?? 0),
    unreadCount: counts?.unread ?? 0,
    mentionCount: counts?.mentions ?? 0,
    complianceArchive: row.encryption === 'e2ee' && !!ctx.archivedLevels?.has(row.level),
    watermarked: watermarked(ctx.settings, row.level),
  };
}
