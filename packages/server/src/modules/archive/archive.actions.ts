/**
 * Compliance archive writes (GOV-5, ENC-2), each through runAction with its audit row: officer
 * keys, the setup ceremony's upload, archived levels, and decryption requests with their
 * k-of-n releases. Audit details carry ids, counts and fingerprints — never a share, a key
 * other than public ones, a reason text or any message content.
 */
import { ARCHIVE_SHARE_BYTES, isArchivePublicKey, parseArchiveEnvelope } from '@conclave/crypto';
import { ARCHIVE_REQUEST_TTL_MS, type BodyOf, type ResponseOf } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import type { UserActor } from '../../kernel/actor';
import { AppError, conflict, forbidden, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { activeHoldersOf } from '../audit/audit.store';
import { getOrgSettings } from '../org/org.store';
import { ARCHIVE_PERMISSION, accessRequest, accessScopeConversation, assertRequester, requireOfficer } from './archive.policy';
import { effectiveStatus, fingerprint, presentArchiveKey, presentOfficerKey, presentRequest } from './archive.presenter';
import * as store from './archive.store';

const GCM_TAG = 16;

export class ArchiveActions {
  constructor(private readonly svc: Services) {}

  /** Registers the caller's device public key; private keys never reach the server. */
  async registerOfficerKey(actor: UserActor, body: BodyOf<'registerArchiveOfficerKey'>): Promise<ResponseOf<'registerArchiveOfficerKey'>> {
    const row = await this.svc.runner.run(actor, 'archive.register_officer_key', { targetType: 'archive_officer_key' }, async (ctx) => {
      requireOfficer(actor);
      await checkPublicKey(body.publicKey, 'publicKey');
      if (await store.activeOfficerKeyOf(ctx.trx, actor.orgId, actor.userId)) throw conflict('you already have an active officer key; revoke it first (then run a new ceremony: shares sealed to it become unusable)');
      if (await store.officerKeyByPublicKey(ctx.trx, actor.orgId, body.publicKey)) throw new AppError('conflict', 'this public key is already registered', { field: 'publicKey' });
      const r: store.OfficerKeyRow = { id: newId(ctx.now), org_id: actor.orgId, user_id: actor.userId, name: body.name ?? 'officer device', public_key: body.publicKey, created_at: ctx.now, revoked_at: null };
      await store.insertOfficerKey(ctx.trx, r);
      ctx.target('archive_officer_key', r.id);
      ctx.detail({ fingerprint: fingerprint(r.public_key) });
      return r;
    });
    return { key: presentOfficerKey(row) };
  }

  async revokeOfficerKey(actor: UserActor, id: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'archive.revoke_officer_key', { targetType: 'archive_officer_key', targetId: id }, async (ctx) => {
      requireOfficer(actor);
      const k = await store.findOfficerKey(ctx.trx, actor.orgId, id);
      if (!k || k.user_id !== actor.userId) throw notFound('officer key', k ? 'not_owner' : 'missing');
      if (k.revoked_at === null) await store.revokeOfficerKey(ctx.trx, id, ctx.now);
    });
    return { ok: true };
  }

  /**
   * Stores a ceremony's result. Each share must go to a distinct current officer's active key,
   * and look like a sealed share for that key (the server cannot check more: it cannot open it).
   * The previous archive key is retired in the same transaction; its messages keep needing it.
   */
  async setup(actor: UserActor, body: BodyOf<'setupArchiveKey'>): Promise<ResponseOf<'setupArchiveKey'>> {
    const res = await this.svc.runner.run(actor, 'archive.setup', { targetType: 'archive_key' }, async (ctx) => {
      requireOfficer(actor);
      await checkPublicKey(body.publicKey, 'publicKey');
      if (await store.archiveKeyWithPublicKey(ctx.trx, actor.orgId, body.publicKey)) throw new AppError('conflict', 'this archive public key was used before: run a new ceremony', { field: 'publicKey' });
      const officers = new Set(await activeHoldersOf(ctx.trx, actor.orgId, ARCHIVE_PERMISSION));
      const keys = new Map((await store.activeOfficerKeys(ctx.trx, actor.orgId, [...officers])).map((k) => [k.id, k]));
      const users = new Set<string>();
      const id = newId(ctx.now);
      const shares: store.ShareRow[] = body.shares.map((s, i) => {
        const field = `shares[${i}]`;
        const k = keys.get(s.officerKeyId);
        if (!k) throw invalid(`${field}.officerKeyId`, 'is not the active officer key of a current compliance officer');
        if (users.has(k.user_id)) throw invalid(`${field}.officerKeyId`, 'another share already goes to this officer: one share per officer');
        users.add(k.user_id);
        const bytes = Buffer.from(s.sealedShare, 'base64');
        checkSealed(bytes, k.id, `${field}.sealedShare`, 'officer key');
        return { archive_key_id: id, user_id: k.user_id, officer_key_id: k.id, sealed_share: bytes };
      });
      const previous = await store.currentArchiveKey(ctx.trx, actor.orgId);
      await store.retireArchiveKeys(ctx.trx, actor.orgId, ctx.now);
      const row: store.ArchiveKeyRow = {
        id, org_id: actor.orgId, public_key: body.publicKey, threshold: body.threshold, share_count: shares.length,
        created_by: actor.userId, created_at: ctx.now, retired_at: null,
      };
      await store.insertArchiveKey(ctx.trx, row, shares);
      ctx.target('archive_key', id);
      ctx.detail({ fingerprint: fingerprint(body.publicKey), threshold: body.threshold, shareCount: shares.length, holders: [...users], replaced: previous?.id ?? null });
      return { row, holders: shares.map((s) => ({ userId: s.user_id, officerKeyId: s.officer_key_id })) };
    });
    return { archiveKey: presentArchiveKey(res.row, res.holders) };
  }

  /** Sets the archived levels (replacing the list). Turning the archive on needs an archive key. */
  async setLevels(actor: UserActor, body: BodyOf<'setArchiveLevels'>): Promise<ResponseOf<'setArchiveLevels'>> {
    const levels = await this.svc.runner.run(actor, 'archive.set_levels', { targetType: 'archive' }, async (ctx) => {
      requireOfficer(actor);
      const known = (await getOrgSettings(ctx.trx, actor.orgId)).levels;
      const wanted = [...new Set(body.levels)];
      wanted.forEach((l, i) => { if (!known.includes(l)) throw invalid(`levels[${i}]`, `"${l}" is not a confidentiality level of this organisation (${known.join(', ')})`); });
      if (wanted.length && !(await store.currentArchiveKey(ctx.trx, actor.orgId))) throw conflict('there is no archive key yet: run the setup ceremony before enabling the archive');
      const before = await store.archivedLevels(ctx.trx, actor.orgId);
      await store.replaceLevels(ctx.trx, actor.orgId, wanted, actor.userId, ctx.now);
      ctx.detail({ levels: wanted, enabled: wanted.filter((l) => !before.has(l)), disabled: [...before].filter((l) => !wanted.includes(l)) });
      return known.filter((l) => wanted.includes(l));
    });
    return { levels };
  }

  /** Opens a decryption request over one conversation and time range. */
  async createRequest(actor: UserActor, body: BodyOf<'createArchiveRequest'>): Promise<ResponseOf<'createArchiveRequest'>> {
    const row = await this.svc.runner.run(actor, 'archive.request_create', { targetType: 'archive_request', details: { conversationId: body.conversationId, from: body.from, to: body.to } }, async (ctx) => {
      requireOfficer(actor);
      await checkPublicKey(body.requesterPublicKey, 'requesterPublicKey');
      await accessScopeConversation(ctx.trx, actor, body.conversationId);
      const key = body.archiveKeyId ? await store.findArchiveKey(ctx.trx, actor.orgId, body.archiveKeyId) : await store.currentArchiveKey(ctx.trx, actor.orgId);
      if (!key) throw body.archiveKeyId ? notFound('archive key') : conflict('there is no archive key: nothing has been archived');
      const r: store.RequestRow = {
        id: newId(ctx.now), org_id: actor.orgId, requester_id: actor.userId, conversation_id: body.conversationId, from_at: body.from, to_at: body.to,
        reason: body.reason, requester_public_key: body.requesterPublicKey, archive_key_id: key.id, threshold: Number(key.threshold), status: 'pending',
        created_at: ctx.now, expires_at: ctx.now + ARCHIVE_REQUEST_TTL_MS, closed_at: null,
      };
      await store.insertRequest(ctx.trx, r);
      ctx.target('archive_request', r.id);
      ctx.detail({ archiveKeyId: key.id, threshold: r.threshold });
      return r;
    });
    return { request: presentRequest(row, [], this.svc.clock.now()) };
  }

  /** Approves by releasing the caller's share, resealed on their device to the requester's key. */
  async release(actor: UserActor, id: string, body: BodyOf<'releaseArchiveShare'>): Promise<ResponseOf<'releaseArchiveShare'>> {
    return this.decide(actor, id, 'archive.share_release', async (ctx, req) => {
      const bytes = Buffer.from(body.sealedShare, 'base64');
      checkSealed(bytes, req.id, 'sealedShare', 'request');
      await store.insertDecision(ctx.trx, { request_id: req.id, officer_id: actor.userId, decision: 'released', reason: null, sealed_share: bytes, at: ctx.now });
      const released = (await store.releasedShares(ctx.trx, req.id)).length;
      if (released >= Number(req.threshold)) await store.updateRequest(ctx.trx, req.id, { status: 'approved' });
      ctx.detail({ released, threshold: Number(req.threshold), approved: released >= Number(req.threshold) });
    });
  }

  /** Refuses, with a reason; the request fails once too few holders are left to reach k. */
  async refuse(actor: UserActor, id: string, body: BodyOf<'refuseArchiveRequest'>): Promise<ResponseOf<'refuseArchiveRequest'>> {
    return this.decide(actor, id, 'archive.request_refuse', async (ctx, req) => {
      await store.insertDecision(ctx.trx, { request_id: req.id, officer_id: actor.userId, decision: 'refused', reason: body.reason, sealed_share: null, at: ctx.now });
      const holders = (await store.holdersOf(ctx.trx, [req.archive_key_id])).get(req.archive_key_id)!.length;
      const refusals = (await store.decisionsOf(ctx.trx, [req.id])).get(req.id)!.filter((d) => d.decision === 'refused').length;
      const failed = holders - refusals < Number(req.threshold);
      if (failed) await store.updateRequest(ctx.trx, req.id, { status: 'refused' });
      ctx.detail({ refusals, holders, threshold: Number(req.threshold), refused: failed });
    });
  }

  /** Closes a request (its requester): released shares are deleted from the server. */
  async close(actor: UserActor, id: string): Promise<ResponseOf<'closeArchiveRequest'>> {
    const row = await this.svc.runner.run(actor, 'archive.request_close', { targetType: 'archive_request', targetId: id }, async (ctx) => {
      const req = await accessRequest(ctx.trx, actor, id);
      assertRequester(actor, req);
      if (req.status === 'closed') return req;
      await store.updateRequest(ctx.trx, id, { status: 'closed', closed_at: ctx.now });
      await store.dropReleasedShares(ctx.trx, id);
      ctx.detail({ previousStatus: effectiveStatus(req, ctx.now) });
      return (await store.findRequest(ctx.trx, actor.orgId, id))!;
    });
    return { request: await this.present(row) };
  }

  /** Shared steps of release and refuse: access, pending, the caller holds a share, one decision each. */
  private async decide(actor: UserActor, id: string, action: string, apply: (ctx: ActionContext, req: store.RequestRow) => Promise<void>) {
    const row = await this.svc.runner.run(actor, action, { targetType: 'archive_request', targetId: id }, async (ctx) => {
      const req = await accessRequest(ctx.trx, actor, id);
      const status = effectiveStatus(req, ctx.now);
      if (status !== 'pending') throw new AppError('conflict', `this request is ${status}; only pending requests take decisions`, { status });
      if (!(await store.findShare(ctx.trx, req.archive_key_id, actor.userId))) throw forbidden('you hold no share of this request\'s archive key', 'not_share_holder');
      const mine = (await store.decisionsOf(ctx.trx, [req.id])).get(req.id)!.find((d) => d.officer_id === actor.userId);
      if (mine) throw conflict(`you already ${mine.decision} this request`);
      await apply(ctx, req);
      return (await store.findRequest(ctx.trx, actor.orgId, id))!;
    });
    return { request: await this.present(row) };
  }

  private async present(row: store.RequestRow) {
    return presentRequest(row, (await store.decisionsOf(this.svc.database.db, [row.id])).get(row.id)!, this.svc.clock.now());
  }
}

async function checkPublicKey(b64: string, field: string): Promise<void> {
  if (!(await isArchivePublicKey(Buffer.from(b64, 'base64')))) throw invalid(field, 'must be a 32-byte X25519 public key, base64');
}

/** A sealed share is an archive envelope for `keyId` holding exactly one Shamir share. */
function checkSealed(bytes: Buffer, keyId: string, field: string, what: string): void {
  let env;
  try {
    env = parseArchiveEnvelope(bytes);
  } catch {
    throw invalid(field, 'is not an archive envelope (seal it with the SDK\'s archive helpers)');
  }
  if (env.keyId !== keyId) throw invalid(field, `is sealed for another ${what} (${env.keyId})`);
  if (env.ct.length !== ARCHIVE_SHARE_BYTES + GCM_TAG) throw invalid(field, 'does not hold one archive key share');
}
