/**
 * Personal profile fields (DLP-4): phone and postal address. Never in clear at rest (rule 5):
 * sealed as one JSON under the user's own data key (scope `user:<id>`, the key erasure
 * destroys, GOV-2), bound to the user id. Read in batches for the directory.
 */
import { decryptText, encryptText } from '@conclave/crypto';
import type { KeyService } from '../../kernel/keys';
import type { Trx } from '../../storage/tx';
import type { UserRow } from './identity.store';

export interface Profile { phone: string | null; address: string | null }

const EMPTY: Profile = { phone: null, address: null };
const aad = (userId: string) => `conclave-profile:${userId}`;

/** The sealed columns for `profile` (null when both fields are empty), creating the user's key once. */
export async function sealProfile(trx: Trx, keys: KeyService, user: Pick<UserRow, 'id' | 'profile_key_id'>, profile: Profile, now: number): Promise<Pick<UserRow, 'profile_enc' | 'profile_key_id'>> {
  if (profile.phone === null && profile.address === null) return { profile_enc: null, profile_key_id: user.profile_key_id };
  let keyId = user.profile_key_id;
  let key = keyId ? await keys.getLive(trx, keyId) : null;
  if (!key) {
    const created = await keys.create(trx, `user:${user.id}`, now);
    keyId = created.id;
    key = created.key;
  }
  return { profile_enc: encryptText(key, JSON.stringify(profile), aad(user.id)), profile_key_id: keyId };
}

/** Decrypted profiles by user id; a destroyed key (erased person) reads as empty. */
export async function openProfiles(db: Trx, keys: KeyService, rows: Array<Pick<UserRow, 'id' | 'profile_enc' | 'profile_key_id'>>): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>();
  for (const r of rows) {
    if (!r.profile_enc || !r.profile_key_id) continue;
    const key = await keys.getLive(db, r.profile_key_id);
    if (key) out.set(r.id, JSON.parse(decryptText(key, r.profile_enc, aad(r.id))) as Profile);
  }
  return out;
}

export function profileOf(map: Map<string, Profile>, id: string): Profile {
  return map.get(id) ?? EMPTY;
}
