/**
 * Compliance archive reads (GOV-5). Reads that hand out sealed material — an officer's share,
 * the released shares, the archived ciphertexts — are sensitive: each is audited when it
 * succeeds (ids and counts only), and a denied attempt is audited by the HTTP layer.
 */
import type { QueryOf, ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, forbidden } from '../../kernel/errors';
import type { Services } from '../../services';
import { activeHoldersOf } from '../audit/audit.store';
import { accessConversation } from '../conversations/conversations.access';
import { actorClears } from '../access/levels';
import { findConversation } from '../conversations/conversations.store';
import { getOrgSettings } from '../org/org.store';
import { isArchivedConversation } from './archive.hooks';
import { ARCHIVE_PERMISSION, accessRequest, assertRequester, requireOfficer } from './archive.policy';
import { effectiveStatus, fingerprint, presentArchiveKey, presentArchivedMessage, presentOfficerKey, presentRequest } from './archive.presenter';
import * as store from './archive.store';

export class ArchiveQueries {
  constructor(private readonly svc: Services) {}

  async status(actor: UserActor): Promise<ResponseOf<'getArchiveStatus'>> {
    requireOfficer(actor);
    const db = this.svc.database.db;
    const current = await store.currentArchiveKey(db, actor.orgId);
    const retired = await store.retiredArchiveKeys(db, actor.orgId);
    const holders = await store.holdersOf(db, [...(current ? [current.id] : []), ...retired.map((k) => k.id)]);
    const settings = await getOrgSettings(db, actor.orgId);
    const levels = await store.archivedLevels(db, actor.orgId);
    return {
      archiveKey: current ? presentArchiveKey(current, holders.get(current.id)!) : null,
      retiredKeys: retired.map((k) => presentArchiveKey(k, holders.get(k.id)!)),
      levels: settings.levels.filter((l) => levels.has(l)),
      officerKeys: (await this.officerKeys(actor)).keys,
    };
  }

  /** Active keys of current officers: who a ceremony can give a share to. */
  async officerKeys(actor: UserActor): Promise<ResponseOf<'listArchiveOfficerKeys'>> {
    requireOfficer(actor);
    const db = this.svc.database.db;
    const officers = await activeHoldersOf(db, actor.orgId, ARCHIVE_PERMISSION);
    return { keys: (await store.activeOfficerKeys(db, actor.orgId, officers)).map(presentOfficerKey) };
  }

  /** For members: must I seal my messages to the archive, and to which key? */
  async conversationArchive(actor: UserActor, id: string): Promise<ResponseOf<'getConversationArchive'>> {
    const db = this.svc.database.db;
    const { conv } = await accessConversation(db, actor, id, 'view');
    const key = (await isArchivedConversation(db, actor.orgId, conv)) ? await store.currentArchiveKey(db, actor.orgId) : undefined;
    return { archived: !!key, archiveKey: key ? { id: key.id, publicKey: key.public_key, fingerprint: fingerprint(key.public_key) } : null };
  }

  /** Requests on conversations the officer is cleared for, newest first. */
  async requests(actor: UserActor, q: QueryOf<'listArchiveRequests'>): Promise<ResponseOf<'listArchiveRequests'>> {
    requireOfficer(actor);
    const db = this.svc.database.db;
    const now = this.svc.clock.now();
    const settings = await getOrgSettings(db, actor.orgId);
    const rows = [];
    for (const r of await store.listRequests(db, actor.orgId, 1000)) {
      if (q.status && effectiveStatus(r, now) !== q.status) continue;
      const conv = await findConversation(db, actor.orgId, r.conversation_id);
      if (conv && actorClears(settings, actor, conv.level)) rows.push(r);
      if (rows.length >= Number(q.limit ?? 100)) break;
    }
    const decisions = await store.decisionsOf(db, rows.map((r) => r.id));
    return { requests: rows.map((r) => presentRequest(r, decisions.get(r.id)!, now)) };
  }

  async request(actor: UserActor, id: string): Promise<ResponseOf<'getArchiveRequest'>> {
    const db = this.svc.database.db;
    const r = await accessRequest(db, actor, id);
    return { request: presentRequest(r, (await store.decisionsOf(db, [id])).get(id)!, this.svc.clock.now()) };
  }

  /** The caller's sealed share of a pending request's archive key (to open and reseal on their device). */
  async myShare(actor: UserActor, id: string): Promise<ResponseOf<'getMyArchiveShare'>> {
    const db = this.svc.database.db;
    const r = await accessRequest(db, actor, id);
    const status = effectiveStatus(r, this.svc.clock.now());
    if (status !== 'pending') throw new AppError('conflict', `this request is ${status}; shares are handed out for pending requests only`, { status });
    const share = await store.findShare(db, r.archive_key_id, actor.userId);
    if (!share) throw forbidden('you hold no share of this request\'s archive key', 'not_share_holder');
    const key = (await store.findArchiveKey(db, actor.orgId, r.archive_key_id))!;
    await this.audited(actor, 'archive.share_download', id, { archiveKeyId: key.id, officerKeyId: share.officer_key_id });
    return { officerKeyId: share.officer_key_id, sealedShare: b64(share.sealed_share), archivePublicKey: key.public_key, requesterPublicKey: r.requester_public_key };
  }

  /** The released shares, once k are in — to the requester only. */
  async releasedShares(actor: UserActor, id: string): Promise<ResponseOf<'listReleasedArchiveShares'>> {
    const db = this.svc.database.db;
    const r = await this.approvedForRequester(actor, id);
    const shares = (await store.releasedShares(db, id)).filter((s) => s.sealed_share !== null);
    const key = (await store.findArchiveKey(db, actor.orgId, r.archive_key_id))!;
    await this.audited(actor, 'archive.shares_download', id, { archiveKeyId: key.id, shares: shares.length });
    return { archiveKeyId: key.id, archivePublicKey: key.public_key, shares: shares.map((s) => ({ officerId: s.officer_id, sealedShare: b64(s.sealed_share!) })) };
  }

  /** Archived ciphertexts inside the request's scope only (conversation, key, time range). */
  async messages(actor: UserActor, id: string, q: QueryOf<'listArchivedMessages'>): Promise<ResponseOf<'listArchivedMessages'>> {
    const r = await this.approvedForRequester(actor, id);
    const limit = Number(q.limit ?? 200);
    const rows = await store.archivedInScope(this.svc.database.db, {
      orgId: actor.orgId, conversationId: r.conversation_id, archiveKeyId: r.archive_key_id, from: Number(r.from_at), to: Number(r.to_at),
    }, q.after, limit + 1);
    const page = rows.slice(0, limit);
    await this.audited(actor, 'archive.messages_read', id, { conversationId: r.conversation_id, messages: page.length, ...(q.after ? { after: q.after } : {}) });
    return { messages: page.map(presentArchivedMessage), hasMore: rows.length > limit };
  }

  private async approvedForRequester(actor: UserActor, id: string) {
    const r = await accessRequest(this.svc.database.db, actor, id);
    assertRequester(actor, r);
    const status = effectiveStatus(r, this.svc.clock.now());
    if (status !== 'approved') {
      const released = (await store.releasedShares(this.svc.database.db, id)).length;
      throw new AppError('conflict', status === 'pending'
        ? `this request needs ${r.threshold} released shares; ${released} so far`
        : `this request is ${status}`, { status, released, threshold: Number(r.threshold) });
    }
    return r;
  }

  private async audited(actor: UserActor, action: string, requestId: string, details: Record<string, unknown>): Promise<void> {
    await this.svc.runner.run(actor, action, { targetType: 'archive_request', targetId: requestId, details }, async () => undefined);
  }
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
