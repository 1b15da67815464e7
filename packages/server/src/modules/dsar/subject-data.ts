/**
 * Reads of one person's own data for an export (GOV-3): the messages they authored, the files
 * they uploaded and their own auth.* audit rows, paged by id / seq. Only rows *about the
 * subject as author or actor* are selected here; the access checks (conversations they can
 * still see) are applied by the caller, per conversation and per file.
 */
import { sql } from 'kysely';
import type { Trx } from '../../storage/tx';
import type { AuditRow } from '../audit/audit.store';
import type { FileRow } from '../files/files.store';
import type { MessageRow } from '../messages/messages.store';

const PAGE = 500;

export type AuthoredMessage = MessageRow & { conversation_name: string | null; conversation_kind: string };

/** Messages `userId` wrote in organisation `orgId`, in id (time) order, page by page. */
export async function* authoredMessages(db: Trx, orgId: string, userId: string): AsyncGenerator<AuthoredMessage[]> {
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .selectAll('messages').select(['conversations.name as conversation_name', 'conversations.kind as conversation_kind'])
      .where('conversations.org_id', '=', orgId).where('messages.author_id', '=', userId).where('messages.id', '>', after)
      .orderBy('messages.id').limit(PAGE).execute();
    if (!rows.length) return;
    yield rows as AuthoredMessage[];
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Completed files `userId` uploaded, in id order. */
export async function* uploadedFiles(db: Trx, orgId: string, userId: string): AsyncGenerator<FileRow[]> {
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('files').selectAll().where('org_id', '=', orgId).where('uploader_id', '=', userId)
      .where('status', '=', 'ready').where('id', '>', after).orderBy('id').limit(PAGE).execute();
    if (!rows.length) return;
    yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Who uploaded the original of a forwarded copy (copies share the original's blob and key). */
export async function originalUploader(db: Trx, orgId: string, blobId: string): Promise<string | null> {
  const r = await db.selectFrom('files').select('uploader_id').where('org_id', '=', orgId).where('id', '=', blobId).executeTakeFirst();
  return r?.uploader_id ?? null;
}

/**
 * The subject's own auth.* audit rows, in seq order: those they performed, and those about
 * their account made before anyone was signed in (failed logins with their email). Rows by
 * other people (an admin revoking a session) are theirs, not the subject's, and stay out.
 */
export async function* ownAuthRows(db: Trx, orgId: string, userId: string): AsyncGenerator<AuditRow[]> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId)
      .where(sql<boolean>`action like 'auth.%'`)
      .where((eb) => eb.or([eb('actor_id', '=', userId), eb.and([eb('target_id', '=', userId), eb('actor_id', 'is', null)])]))
      .where('seq', '>', after).orderBy('seq').limit(PAGE).execute();
    if (!rows.length) return;
    yield rows;
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
