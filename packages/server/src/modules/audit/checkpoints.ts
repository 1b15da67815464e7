/**
 * Signed checkpoints (AUD-2): every N new rows or T time (config), the server signs
 * (org, row count, head hash, time) with its audit key. Rows cut off the end of the chain,
 * or a chain rewritten with recomputed hashes, then no longer match a signed checkpoint.
 *
 * Taking a checkpoint is bookkeeping, not an action: it is not itself audited (an audit row
 * per checkpoint would move the head and call for the next checkpoint, forever). It runs in
 * the organisation's write transaction so the head it signs is committed and final.
 */
import { signCheckpoint } from '@conclave/crypto';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { withWriteTransaction } from '../../storage/tx';
import * as store from './audit.store';
import type { AuditKeys } from './signing-key';

export class AuditCheckpoints {
  /** When this process started: the interval of an organisation without checkpoints counts from here. */
  private readonly startedAt: number;

  constructor(private readonly svc: Services, private readonly keys: AuditKeys) {
    this.startedAt = svc.clock.now();
  }

  /**
   * Signs a checkpoint at the current head, unless the latest checkpoint already covers it.
   * Returns the new checkpoint, or null when there was nothing new to sign.
   */
  async checkpoint(orgId: string): Promise<store.CheckpointRow | null> {
    const head = await store.auditHead(this.svc.database.db, orgId);
    if (!head) return null;
    const key = await this.keys.current(orgId);
    return withWriteTransaction(this.svc.database, orgId, async (trx) => {
      const now = await store.auditHead(trx, orgId);
      if (!now) return null;
      const last = await store.latestCheckpoint(trx, orgId);
      if (last && Number(last.count) >= now.seq) return null;
      const at = this.svc.clock.now();
      const cp = signCheckpoint(key.privateKeyPem, key.publicKeyPem, { org: orgId, count: now.seq, headHash: now.hash, at });
      const row: store.CheckpointRow = { id: newId(at), org_id: orgId, count: cp.count, head_hash: cp.headHash, at: cp.at, key_fingerprint: cp.keyFingerprint, signature: cp.signature };
      await store.insertCheckpoint(trx, row);
      return row;
    });
  }

  /** Whether `orgId` is due: ≥ N rows since the last checkpoint, or some rows and T elapsed. */
  async due(orgId: string): Promise<boolean> {
    const db = this.svc.database.db;
    const head = await store.auditHead(db, orgId);
    if (!head) return false;
    const last = await store.latestCheckpoint(db, orgId);
    const covered = last ? Number(last.count) : 0;
    if (head.seq <= covered) return false;
    if (head.seq - covered >= this.svc.config.auditCheckpointRows) return true;
    return this.svc.clock.now() - (last ? Number(last.at) : this.startedAt) >= this.svc.config.auditCheckpointIntervalMs;
  }

  /** One pass over every organisation (the job's tick). */
  async tick(): Promise<number> {
    let made = 0;
    for (const orgId of await store.orgIds(this.svc.database.db)) {
      if (await this.due(orgId)) if (await this.checkpoint(orgId)) made++;
    }
    return made;
  }

  /** Seals every organisation's chain now (graceful shutdown, `conclave audit checkpoint`). */
  async sealAll(): Promise<number> {
    let made = 0;
    for (const orgId of await store.orgIds(this.svc.database.db)) if (await this.checkpoint(orgId)) made++;
    return made;
  }
}
