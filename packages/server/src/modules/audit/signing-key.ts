/**
 * The server's Ed25519 audit signing key (AUD-2). The private key is sealed (AES-256-GCM)
 * under its own data key, which the master key wraps — so a stolen database without the
 * master key cannot forge checkpoints. One key per deployment; retired keys stay listed so
 * old checkpoints keep verifying.
 */
import { decryptText, encryptText, generateSigningKeyPair, publicKeyFingerprint } from '@conclave/crypto';
import { systemActor } from '../../kernel/actor';
import type { ActionContext } from '../../kernel/action';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import * as store from './audit.store';

/** A usable signing key (private half decrypted, in memory only). */
export interface LoadedSigningKey {
  id: string;
  fingerprint: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

const aad = (id: string) => `conclave-audit-key:${id}`;

export class AuditKeys {
  #loaded: LoadedSigningKey | null = null;
  #creating: Promise<LoadedSigningKey> | null = null;

  constructor(private readonly svc: Services) {}

  /**
   * The current signing key, created on first use. Creation is an audited action of the
   * system actor in `orgId` (`audit.key_create`).
   */
  async current(orgId: string): Promise<LoadedSigningKey> {
    const db = this.svc.database.db;
    const row = await store.currentSigningKey(db);
    if (row && this.#loaded?.id === row.id) return this.#loaded;
    if (row) return (this.#loaded = await this.load(row));
    this.#creating ??= this.create(orgId).finally(() => { this.#creating = null; });
    return this.#creating;
  }

  /**
   * The current signing key, read and — on first use — created inside the caller's action
   * (`ctx`), for signing within a write transaction (deletion receipts): on SQLite the
   * transaction holds the only connection, so `current()` would wait for itself.
   */
  async currentWithin(ctx: ActionContext): Promise<LoadedSigningKey> {
    const row = await store.currentSigningKey(ctx.trx);
    if (row && this.#loaded?.id === row.id) return this.#loaded;
    if (row) {
      const dek = await this.svc.keys.get(ctx.trx, row.data_key_id);
      return (this.#loaded = { id: row.id, fingerprint: row.fingerprint, publicKeyPem: row.public_key_pem, privateKeyPem: decryptText(dek, row.private_key_enc, aad(row.id)) });
    }
    const pair = generateSigningKeyPair();
    const id = newId(ctx.now);
    const dek = await this.svc.keys.create(ctx.trx, `audit-key:${id}`, ctx.now);
    const fingerprint = publicKeyFingerprint(pair.publicKeyPem);
    await store.insertSigningKey(ctx.trx, {
      id, fingerprint, public_key_pem: pair.publicKeyPem, private_key_enc: encryptText(dek.key, pair.privateKeyPem, aad(id)),
      data_key_id: dek.id, created_at: ctx.now, retired_at: null,
    });
    await ctx.audit({ action: 'audit.key_create', outcome: 'success', targetType: 'audit_key', targetId: id, details: { fingerprint, algorithm: 'Ed25519' } });
    return (this.#loaded = { id, fingerprint, publicKeyPem: pair.publicKeyPem, privateKeyPem: pair.privateKeyPem });
  }

  /** Every public key (current first), for the admin API and `conclave audit pubkey`. */
  async list(): Promise<store.SigningKeyRow[]> {
    return store.listSigningKeys(this.svc.database.db);
  }

  private async load(row: store.SigningKeyRow): Promise<LoadedSigningKey> {
    const dek = await this.svc.keys.get(this.svc.database.db, row.data_key_id);
    return { id: row.id, fingerprint: row.fingerprint, publicKeyPem: row.public_key_pem, privateKeyPem: decryptText(dek, row.private_key_enc, aad(row.id)) };
  }

  private async create(orgId: string): Promise<LoadedSigningKey> {
    const pair = generateSigningKeyPair();
    const fingerprint = publicKeyFingerprint(pair.publicKeyPem);
    const row = await this.svc.runner.run(systemActor(orgId, 'audit'), 'audit.key_create', { targetType: 'audit_key' }, async (ctx) => {
      // Another node may have created it meanwhile (writes are serialised): use that one.
      const existing = await store.currentSigningKey(ctx.trx);
      if (existing) {
        ctx.target('audit_key', existing.id);
        ctx.detail({ fingerprint: existing.fingerprint, alreadyExisted: true });
        return existing;
      }
      const id = newId(ctx.now);
      const dek = await this.svc.keys.create(ctx.trx, `audit-key:${id}`, ctx.now);
      const created: store.SigningKeyRow = {
        id, fingerprint, public_key_pem: pair.publicKeyPem, private_key_enc: encryptText(dek.key, pair.privateKeyPem, aad(id)),
        data_key_id: dek.id, created_at: ctx.now, retired_at: null,
      };
      await store.insertSigningKey(ctx.trx, created);
      ctx.target('audit_key', id);
      ctx.detail({ fingerprint, algorithm: 'Ed25519' });
      return created;
    });
    return (this.#loaded = row.id === this.#loaded?.id ? this.#loaded : await this.load(row));
  }
}
