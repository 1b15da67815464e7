/** Member row → wire object. */
import type { Member } from '@conclave/protocol';
import type { MemberRow } from './conversations.store';

export function presentMember(m: MemberRow): Member {
  return { userId: m.user_id, role: m.role as Member['role'], joinedAt: m.joined_at, lastReadPosition: Number(m.last_read_position) };
}
