/**
 * Who may do what with the compliance archive (GOV-5). Collection endpoints answer `forbidden`
 * without `archive.manage` (nothing about an object leaks); an archive request is reached only
 * through {@link accessRequest}, where a caller without the permission, or without clearance for
 * the conversation's level, gets `not_found` exactly as for a missing request (rule 2).
 */
import type { OrgSettings } from '@conclave/protocol';
import type { Actor, UserActor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import { actorClears } from '../access/levels';
import { findConversation, type ConversationRow } from '../conversations/conversations.store';
import { requirePermission } from '../identity/identity.policy';
import { getOrgSettings } from '../org/org.store';
import * as store from './archive.store';

export const ARCHIVE_PERMISSION = 'archive.manage' as const;

/** Collection-level check: officers only. */
export function requireOfficer(actor: Actor): void {
  requirePermission(actor, ARCHIVE_PERMISSION);
}

/**
 * A conversation an officer may open a request on: it exists in the org and the officer is
 * cleared for its level (archive access never outranks clearance, ACL-2).
 */
export async function accessScopeConversation(db: Trx, actor: UserActor, id: string, settings?: OrgSettings): Promise<ConversationRow> {
  const conv = await findConversation(db, actor.orgId, id);
  if (!conv) throw notFound('conversation', 'missing');
  if (!actorClears(settings ?? (await getOrgSettings(db, actor.orgId)), actor, conv.level)) throw notFound('conversation', 'clearance');
  return conv;
}

/** The access helper for decryption requests: permission, existence, clearance — all as not_found. */
export async function accessRequest(db: Trx, actor: UserActor, id: string): Promise<store.RequestRow> {
  if (!actor.permissions.has(ARCHIVE_PERMISSION)) throw notFound('archive request', `missing_permission:${ARCHIVE_PERMISSION}`);
  const req = await store.findRequest(db, actor.orgId, id);
  if (!req) throw notFound('archive request');
  const conv = await findConversation(db, actor.orgId, req.conversation_id);
  const settings = await getOrgSettings(db, actor.orgId);
  if (!conv || !actorClears(settings, actor, conv.level)) throw notFound('archive request', 'clearance');
  return req;
}

/** Only the officer who opened a request receives its shares and ciphertexts. */
export function assertRequester(actor: UserActor, req: store.RequestRow): void {
  if (req.requester_id !== actor.userId) throw forbidden('only the officer who opened this request can read what it unlocks', 'not_requester');
}
