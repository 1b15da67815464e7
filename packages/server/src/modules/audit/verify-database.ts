/**
 * Verifies the audit trail stored in a database (`conclave audit verify --data-dir …`): reads
 * each organisation's rows in seq order and its signed checkpoints, and hands them to the
 * @conclave/crypto verifier — the same code that verifies export files. Reads only.
 */
import type { Kysely } from 'kysely';
import { verifyAuditTrail, type AuditVerification } from '@conclave/crypto';
import type { DB } from '../../storage/schema';
import * as store from './audit.store';
import { presentCheckpoint } from './audit.presenter';

export interface DatabaseVerification {
  ok: boolean;
  /** Where the trusted public keys came from: given by the caller, or read from the database. */
  keySource: 'given' | 'database';
  /** The verdict per organisation (each has its own chain). */
  orgs: Array<{ orgId: string; result: AuditVerification }>;
}

/**
 * @param publicKeys - trusted keys (PEM). Without them the keys stored in the database are
 *   used, which detects tampering by anyone who cannot also replace the key table: pin the
 *   published key (`conclave audit pubkey`) to rule that out.
 */
export async function verifyDatabaseAudit(db: Kysely<DB>, opts: { publicKeys?: string[] } = {}): Promise<DatabaseVerification> {
  const publicKeys = opts.publicKeys ?? (await store.listSigningKeys(db)).map((k) => k.public_key_pem);
  const fromLog = await db.selectFrom('audit_log').select('org_id').distinct().execute();
  const ids = [...new Set([...(await store.orgIds(db)), ...fromLog.map((r) => r.org_id)])].sort();
  const orgs: DatabaseVerification['orgs'] = [];
  for (const orgId of ids) {
    const checkpoints = (await store.checkpointsInRange(db, orgId, 0, Number.MAX_SAFE_INTEGER)).map(presentCheckpoint);
    const result = await verifyAuditTrail(store.iterateAuditRows(db, orgId), { publicKeys, checkpoints, org: orgId });
    orgs.push({ orgId, result });
  }
  return { ok: orgs.every((o) => o.result.ok), keySource: opts.publicKeys ? 'given' : 'database', orgs };
}
