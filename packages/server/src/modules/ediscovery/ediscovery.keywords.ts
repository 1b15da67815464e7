/**
 * Keywords of an export at rest (GOV-5, rule 5). Search terms reveal what an investigation is
 * about, so they are sealed under the export's own data key (scope `ediscovery:<id>`) with the
 * salt of their audited digest, and erased — the key destroyed — once the export is delivered,
 * refused or expired. Audit rows carry only the count and the salted digest.
 */
import { randomBytes } from 'node:crypto';
import { decryptText, encryptText, keywordsDigest } from '@conclave/crypto';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import type { ExportRow } from './ediscovery.store';

const aad = (id: string) => `conclave-ediscovery-keywords:${id}`;

export interface SealedKeywords { keyId: string; sealed: Buffer; digest: string | null; salt: string }

export async function sealKeywords(trx: Trx, keys: KeyService, exportId: string, keywords: string[], now: number): Promise<SealedKeywords> {
  const dek = await keys.create(trx, `ediscovery:${exportId}`, now);
  const salt = randomBytes(16).toString('base64url');
  return { keyId: dek.id, sealed: encryptText(dek.key, JSON.stringify({ k: keywords, s: salt }), aad(exportId)), digest: keywordsDigest(keywords, salt), salt };
}

/** The keywords and salt, or null once erased. */
export async function openKeywords(db: Trx, keys: KeyService, row: ExportRow): Promise<{ keywords: string[]; salt: string } | null> {
  if (!row.keywords_enc || !row.key_id) return null;
  try {
    const { k, s } = JSON.parse(decryptText(await keys.get(db, row.key_id), row.keywords_enc, aad(row.id))) as { k: string[]; s: string };
    return { keywords: k, salt: s };
  } catch {
    return null; // key destroyed
  }
}

/** Erases the keywords for good: the sealed copy goes and its key is crypto-shredded (GOV-2). */
export async function eraseKeywords(trx: Trx, keys: KeyService, rows: ExportRow[], now: number): Promise<void> {
  const ids = rows.map((r) => r.key_id).filter((k): k is string => !!k);
  if (!ids.length) return;
  await trx.updateTable('ediscovery_exports').set({ keywords_enc: null }).where('id', 'in', rows.map((r) => r.id)).execute();
  await keys.destroy(trx, ids, now);
}
