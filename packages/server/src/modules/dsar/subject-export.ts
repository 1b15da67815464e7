/**
 * The export of one data subject (GOV-3): a zip holding manifest.json (every other file with
 * its size and SHA-256), profile.json, messages.jsonl (what they authored, decrypted, with
 * edit history), files/ (what they uploaded, decrypted) and logins.jsonl (their own auth.*
 * audit rows). Built on download for the requester's own session, so it applies the access
 * rules of that moment: messages and files in conversations they can no longer see — or whose
 * level forbids downloads (DLP-1) — are left out and only counted under `withheld`.
 * Nothing of it is ever written to disk (rule 5).
 */
import { sha256Hex } from '@conclave/crypto';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { DsarExportManifest } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { levelPolicy } from '../access/levels';
import { listDepartments, userDepartments } from '../access/access.store';
import { presentAuditRow } from '../audit/audit.presenter';
import { accessConversation, type ConversationAccess } from '../conversations/conversations.access';
import type { FileActions } from '../files/files.actions';
import { openName } from '../files/files.crypto';
import { accessFile } from '../files/files.queries';
import { filesOfMessages } from '../files/files.store';
import { findUserById } from '../identity/identity.store';
import { openBody } from '../messages/messages.body';
import { listVersions } from '../messages/messages.store';
import { authoredMessages, originalUploader, ownAuthRows, uploadedFiles, type AuthoredMessage } from './subject-data';

export interface SubjectExport {
  zip: Uint8Array;
  manifest: DsarExportManifest;
}

/** Reasons an item of the subject's is left out (counted in the manifest, never named). */
type Withheld = 'conversation_not_visible' | 'history_hidden' | 'file_not_visible' | 'downloads_disabled' | 'content_destroyed';

const jsonl = (items: unknown[]) => strToU8(items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : ''));

/** A file name safe inside a zip path: no separators, control characters or dot-only names. */
export function safeName(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return clean || 'file';
}

/** A denial of the access helpers (not found, forbidden) as opposed to a real failure. */
function isDenial(err: unknown): boolean {
  return err instanceof AppError && (err.code === 'not_found' || err.code === 'forbidden');
}

export async function buildSubjectExport(svc: Services, files: FileActions, actor: UserActor, requestId: string): Promise<SubjectExport> {
  const db = svc.database.db;
  const withheld: Partial<Record<Withheld, number>> = {};
  const skip = (why: Withheld) => { withheld[why] = (withheld[why] ?? 0) + 1; };
  const entries: Zippable = {};

  entries['profile.json'] = strToU8(JSON.stringify(await profile(db, actor), null, 2));

  const messages = await collectMessages(svc, db, actor, skip);
  entries['messages.jsonl'] = jsonl(messages);

  let fileCount = 0;
  for await (const page of uploadedFiles(db, actor.orgId, actor.userId)) {
    for (const f of page) {
      // A forwarded copy names the forwarder as uploader but holds someone else's upload.
      if (f.blob_id !== f.id && (await originalUploader(db, actor.orgId, f.blob_id)) !== actor.userId) continue;
      let level: string;
      try {
        const acc = await accessFile(db, actor, f.id);
        level = acc.level;
        if (!levelPolicy(acc.settings, level).downloadsAllowed) { skip('downloads_disabled'); continue; }
      } catch (err) {
        if (!isDenial(err)) throw err;
        skip('file_not_visible');
        continue;
      }
      try {
        const key = await svc.keys.get(db, f.key_id);
        const chunks: Buffer[] = [];
        for await (const c of files.content(f, key)) chunks.push(c);
        entries[`files/${f.id}-${safeName(openName(key, f.id, f.name_enc))}`] = new Uint8Array(Buffer.concat(chunks));
        fileCount++;
      } catch (err) {
        if (!(err instanceof AppError && err.reason === 'key_destroyed')) throw err;
        skip('content_destroyed');
      }
    }
  }

  const logins: unknown[] = [];
  for await (const page of ownAuthRows(db, actor.orgId, actor.userId)) logins.push(...page.map(presentAuditRow));
  entries['logins.jsonl'] = jsonl(logins);

  const manifest: DsarExportManifest = {
    format: 'conclave-dsar-export/1', requestId, userId: actor.userId, orgId: actor.orgId, generatedAt: svc.clock.now(),
    files: Object.entries(entries).map(([path, data]) => ({ path, size: (data as Uint8Array).length, sha256: sha256Hex(data as Uint8Array) })),
    counts: { messages: messages.length, files: fileCount, logins: logins.length },
    withheld: withheld as Record<string, number>,
  };
  const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)), ...entries }, { level: 6 });
  return { zip, manifest };
}

async function profile(db: Trx, actor: UserActor) {
  const u = await findUserById(db, actor.orgId, actor.userId);
  if (!u) throw new AppError('not_found', 'user not found', undefined, 'missing');
  const deptIds = (await userDepartments(db, [u.id])).get(u.id) ?? [];
  const depts = deptIds.length ? (await listDepartments(db, actor.orgId)).filter((d) => deptIds.includes(d.id)) : [];
  // Registered security keys are the person's data too (IAM-1): what they named them and when used.
  const keys = await db.selectFrom('webauthn_credentials').select(['name', 'created_at', 'last_used_at']).where('user_id', '=', u.id).orderBy('created_at').execute();
  return {
    id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, clearance: u.clearance, mfaEnabled: u.totp_enabled === 1 || keys.length > 0,
    securityKeys: keys.map((k) => ({ name: k.name, createdAt: Number(k.created_at), lastUsedAt: k.last_used_at === null ? null : Number(k.last_used_at) })),
    createdAt: Number(u.created_at), updatedAt: Number(u.updated_at), deactivatedAt: u.deactivated_at === null ? null : Number(u.deactivated_at),
    departments: depts.map((d) => ({ id: d.id, name: d.name })),
  };
}

/**
 * Every message the subject authored in a conversation they may still read, decrypted, with
 * its earlier versions: an author always may see their own edit history (messages.policy).
 * E2EE bodies are exported as the stored ciphertext: the server has no key for them.
 */
async function collectMessages(svc: Services, db: Trx, actor: UserActor, skip: (why: Withheld) => void): Promise<unknown[]> {
  const access = new Map<string, ConversationAccess | null>();
  const out: unknown[] = [];
  for await (const page of authoredMessages(db, actor.orgId, actor.userId)) {
    const attached = await attachmentsOf(db, page.map((m) => m.id));
    for (const m of page) {
      if (m.deleted_at !== null || !m.body) continue;
      if (!access.has(m.conversation_id)) {
        try {
          access.set(m.conversation_id, await accessConversation(db, actor, m.conversation_id, 'member'));
        } catch (err) {
          if (!isDenial(err)) throw err;
          access.set(m.conversation_id, null);
        }
      }
      const acc = access.get(m.conversation_id);
      if (!acc) { skip('conversation_not_visible'); continue; }
      if (Number(m.position) <= Number(acc.member!.history_from)) { skip('history_hidden'); continue; }
      try {
        out.push(await messageEntry(svc, db, m, attached.get(m.id) ?? []));
      } catch (err) {
        if (!(err instanceof AppError && err.reason === 'key_destroyed')) throw err;
        skip('content_destroyed');
      }
    }
  }
  return out;
}

async function messageEntry(svc: Services, db: Trx, m: AuthoredMessage, fileIds: string[]) {
  const e2ee = m.encryption === 'e2ee';
  const edits: Array<{ version: number; text: string; editedAt: number }> = [];
  // Only edited messages have earlier versions: no query for the others.
  if (!e2ee && m.edited_at !== null) {
    for (const v of await listVersions(db, m.id)) {
      if (!v.key_id) continue;
      edits.push({ version: v.version, text: openBody(await svc.keys.get(db, v.key_id), v.body, m.conversation_id, m.id, v.version), editedAt: Number(v.edited_at) });
    }
  }
  return {
    id: m.id, conversationId: m.conversation_id, conversationName: m.conversation_name, conversationKind: m.conversation_kind,
    createdAt: Number(m.created_at), editedAt: m.edited_at === null ? null : Number(m.edited_at), threadRootId: m.thread_root_id,
    encryption: m.encryption,
    text: e2ee ? null : openBody(await svc.keys.get(db, m.key_id!), m.body!, m.conversation_id, m.id, m.version),
    ciphertext: e2ee ? Buffer.from(m.body!).toString('base64') : null,
    fileIds, edits,
  };
}

async function attachmentsOf(db: Trx, messageIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!messageIds.length) return out;
  for (const r of await filesOfMessages(db, messageIds)) {
    if (r.status === 'ready') out.set(r.message_id!, [...(out.get(r.message_id!) ?? []), r.id]);
  }
  return out;
}
