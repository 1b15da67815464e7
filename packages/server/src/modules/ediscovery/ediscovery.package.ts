/**
 * Builds an eDiscovery package (GOV-5) in memory, on download — it is never written to disk
 * or the blob store, so there is no plaintext at rest (rule 5) and nothing to expire but the
 * request. Layout: `messages.jsonl` (one JSON object per message, oldest first), `files/<id>/<name>`
 * (decrypted attachments of exported messages) and `manifest.json` (criteria, counts, each
 * entry's SHA-256 and size, requester and approver, the audit chain head), signed with the
 * audit key over its canonical JSON (@conclave/crypto `signEdiscoveryManifest`).
 */
import { ediscoveryEntries, sha256Hex, signEdiscoveryManifest, type EdiscoveryManifest } from '@conclave/crypto';
import type { OrgSettings } from '@conclave/protocol';
import { zipSync, type Zippable } from 'fflate';
import { AppError } from '../../kernel/errors';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import { auditHead } from '../audit/audit.store';
import type { AuditKeys } from '../audit/signing-key';
import type { FileActions } from '../files/files.actions';
import { openName } from '../files/files.crypto';
import { stricterLevel } from '../files/files.presenter';
import { filesOfMessages, type FileRow } from '../files/files.store';
import { openBody } from '../messages/messages.body';
import { listVersions, type MessageRow } from '../messages/messages.store';
import type { ResolvedCriteria } from './ediscovery.criteria';
import type { Selection } from './ediscovery.select';
import type { ExportRow } from './ediscovery.store';

/** Decrypted attachment bytes one package may hold (it is built in memory). */
export const MAX_PACKAGE_FILE_BYTES = 512 * 1024 * 1024;

/** Said of every E2EE message: the server holds only ciphertext. */
export const E2EE_NOTE = 'end-to-end encrypted: the server cannot read this message; the ciphertext (base64) is decryptable only through the compliance archive (GOV-5, ENC-2)';
const SHREDDED_NOTE = 'content destroyed: its data key was crypto-shredded by retention or erasure (GOV-2)';

export interface PackageDeps { db: Trx; keys: KeyService; files: FileActions; auditKeys: AuditKeys }

export interface PackageInput {
  row: ExportRow;
  criteria: ResolvedCriteria;
  salt: string;
  keywordsDigest: string | null;
  selection: Selection;
  settings: OrgSettings;
  producedBy: string;
  now: number;
}

export interface BuiltPackage {
  zip: Uint8Array;
  manifest: EdiscoveryManifest;
  manifestSha256: string;
  counts: { messages: number; files: number; bytes: number };
}

type Person = { id: string; name: string; email: string } | null;

export async function buildPackage(d: PackageDeps, p: PackageInput): Promise<BuiltPackage> {
  const { selection: sel, row } = p;
  const people = await peopleOf(d.db, [...sel.rows.map((r) => r.author_id), row.requested_by, row.decided_by, p.producedBy]);
  const person = (id: string | null): Person => (id ? people.get(id) ?? { id, name: '', email: '' } : null);

  const files: Array<[string, Uint8Array]> = [];
  const attached = new Map<string, Array<Record<string, unknown>>>();
  let fileBytes = 0;
  let excludedByLevel = 0;
  let unavailable = 0;
  for (let i = 0; i < sel.rows.length; i += 500) {
    for (const f of await filesOfMessages(d.db, sel.rows.slice(i, i + 500).map((r) => r.id))) {
      const conv = sel.conversations.get(f.conversation_id)!;
      const level = stricterLevel(p.settings, f.level, conv.level);
      const list = attached.get(f.message_id!) ?? [];
      attached.set(f.message_id!, list);
      // A file uploaded at a higher level than its conversation's keeps it: only the approved levels go out.
      if (!p.criteria.levels.includes(level)) {
        excludedByLevel++;
        list.push({ id: f.id, level, path: null, note: `not exported: level "${level}" is outside the export's levels` });
        continue;
      }
      const got = await fileContent(d, f);
      if (!got) {
        unavailable++;
        list.push({ id: f.id, level, path: null, note: SHREDDED_NOTE });
        continue;
      }
      fileBytes += got.bytes.byteLength;
      if (fileBytes > MAX_PACKAGE_FILE_BYTES) {
        throw new AppError('conflict', `the attachments exceed ${MAX_PACKAGE_FILE_BYTES} bytes; split the export (narrower time range, fewer custodians)`, { maxBytes: MAX_PACKAGE_FILE_BYTES }, 'too_large');
      }
      const path = `files/${f.id}/${safeName(got.name)}`;
      files.push([path, got.bytes]);
      list.push({ id: f.id, name: got.name, size: got.bytes.byteLength, contentType: f.content_type, level, path });
    }
  }

  const lines: string[] = [];
  let e2ee = 0;
  let unreadable = 0;
  for (const m of sel.rows) {
    const conv = sel.conversations.get(m.conversation_id)!;
    const author = person(m.author_id)!;
    const entry: Record<string, unknown> = {
      id: m.id, conversationId: conv.id, conversationName: conv.name, conversationKind: conv.kind, level: conv.level, encryption: m.encryption,
      authorId: m.author_id, authorName: author.name, authorEmail: author.email, createdAt: Number(m.created_at), createdAtIso: new Date(Number(m.created_at)).toISOString(),
      editedAt: m.edited_at === null ? null : Number(m.edited_at), threadRootId: m.thread_root_id, version: m.version,
    };
    if (m.encryption === 'e2ee') {
      e2ee++;
      Object.assign(entry, { text: null, ciphertext: m.body ? Buffer.from(m.body).toString('base64') : null, note: E2EE_NOTE });
    } else {
      const text = sel.texts.get(m.id) ?? null;
      if (text === null) unreadable++;
      Object.assign(entry, { text, ...(text === null ? { note: SHREDDED_NOTE } : {}) });
    }
    if (m.version > 1) entry.history = await history(d, m);
    entry.files = attached.get(m.id) ?? [];
    lines.push(JSON.stringify(entry));
  }
  const jsonl = Buffer.from(lines.length ? `${lines.join('\n')}\n` : '', 'utf8');
  const content: Array<[string, Uint8Array]> = [['messages.jsonl', jsonl], ...files];

  const key = await d.auditKeys.current(row.org_id);
  // The head before this export's own audit row, which then records the manifest's SHA-256.
  const head = await auditHead(d.db, row.org_id);
  const manifest = signEdiscoveryManifest(key.privateKeyPem, key.publicKeyPem, {
    exportId: row.id, org: row.org_id, matter: row.matter,
    criteria: {
      custodians: p.criteria.custodians, conversationIds: p.criteria.conversationIds, from: p.criteria.from, to: p.criteria.to, levels: p.criteria.levels,
      keywords: p.criteria.keywords, keywordMode: 'any', keywordsSalt: p.salt, keywordsDigest: p.keywordsDigest,
      custodianScope: 'authored, delivered (delivery log), or readable as a current member',
    },
    sensitiveLevels: JSON.parse(row.sensitive_levels) as string[],
    requestedBy: person(row.requested_by), requestedAt: Number(row.requested_at),
    approvedBy: row.decided_by ? person(row.decided_by) : null, approvedAt: row.decided_at === null ? null : Number(row.decided_at),
    producedBy: person(p.producedBy), producedAt: p.now,
    auditHead: { seq: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64) },
    counts: {
      messages: sel.rows.length, serverEncrypted: sel.rows.length - e2ee, e2ee, unreadable, e2eeNotSearchable: sel.e2eeNotSearchable,
      conversations: new Set(sel.rows.map((r) => r.conversation_id)).size, files: files.length, filesExcludedByLevel: excludedByLevel, filesUnavailable: unavailable, fileBytes,
    },
    entries: ediscoveryEntries(content),
  });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const zippable: Zippable = {};
  // Stored, not deflated: attachments are mostly compressed already, and a verifier can see the bytes as they are.
  for (const [path, bytes] of [...content, ['manifest.json', manifestBytes] as [string, Uint8Array]]) zippable[path] = [bytes, { level: 0, mtime: p.now }];
  const zip = zipSync(zippable);
  return { zip, manifest, manifestSha256: sha256Hex(manifestBytes), counts: { messages: sel.rows.length, files: files.length, bytes: zip.byteLength } };
}

async function peopleOf(db: Trx, ids: Array<string | null>): Promise<Map<string, NonNullable<Person>>> {
  const want = [...new Set(ids.filter((x): x is string => !!x))];
  const out = new Map<string, NonNullable<Person>>();
  for (let i = 0; i < want.length; i += 500) {
    for (const u of await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', want.slice(i, i + 500)).execute()) out.set(u.id, u);
  }
  return out;
}

async function fileContent(d: PackageDeps, f: FileRow): Promise<{ name: string; bytes: Buffer } | null> {
  let key: Buffer;
  try {
    key = await d.keys.get(d.db, f.key_id);
  } catch {
    return null;
  }
  const parts: Buffer[] = [];
  for await (const c of d.files.content(f, key)) parts.push(c);
  return { name: openName(key, f.id, f.name_enc), bytes: Buffer.concat(parts) };
}

/** Earlier versions of an edited message, oldest first (the current text is the entry's own). */
async function history(d: PackageDeps, m: MessageRow): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const v of await listVersions(d.db, m.id)) {
    const at = { version: v.version, editedAt: Number(v.edited_at) };
    if (m.encryption === 'e2ee') { out.push({ ...at, ciphertext: Buffer.from(v.body).toString('base64') }); continue; }
    try {
      out.push({ ...at, text: v.key_id ? openBody(await d.keys.get(d.db, v.key_id), v.body, m.conversation_id, m.id, v.version) : null });
    } catch {
      out.push({ ...at, text: null, note: SHREDDED_NOTE });
    }
  }
  return out;
}

/** A file name safe as one zip path segment (no separators, control characters or dot-only names). */
export function safeName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').trim().slice(0, 150);
  return !cleaned || /^\.+$/.test(cleaned) ? 'file' : cleaned;
}
