/**
 * The server as the groups' MLS external sender (RFC 9420 §12.1.8.1). When someone leaves a
 * conversation (removed, offboarded, clearance lowered) or revokes a device, delivery to them
 * stops at once (membership is gone) and the server posts a signed Remove proposal for each of
 * their leaves at the group's current epoch; the next online member's client commits it. If
 * another commit wins the epoch first, the proposals are re-issued for the new epoch, so a
 * departed device cannot stay in a group by racing.
 */
import { encodeMlsMessage, proposeExternal } from 'ts-mls';
import { decrypt, encrypt } from '@conclave/crypto';
import type { ActionContext } from '../../kernel/action';
import { systemActor } from '../../kernel/actor';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import * as convStore from '../conversations/conversations.store';
import { MAX_GROUP_INFO_BYTES, ciphersuite, decodeMls, hasExternalSender } from './mls.codec';
import * as store from './mls.store';

export interface ServerSender { publicKey: Uint8Array; signKey: Uint8Array }

const aad = (orgId: string) => `conclave-mls-server-key:${orgId}`;

/** Departed leaves: users no longer in the conversation, or revoked devices. */
export async function departedLeaves(db: Trx, conversationId: string): Promise<store.LeafRow[]> {
  const leaves = await store.leaves(db, conversationId);
  if (!leaves.length) return [];
  const members = new Set(await convStore.memberIds(db, conversationId));
  const devices = await store.devicesByIds(db, [...new Set(leaves.map((l) => l.device_id))]);
  const revoked = new Set(devices.filter((d) => d.revoked_at !== null).map((d) => d.id));
  return leaves.filter((l) => !members.has(l.user_id) || revoked.has(l.device_id));
}

export class MlsExternalSender {
  private readonly cache = new Map<string, ServerSender>();

  constructor(private readonly svc: Services) {}

  /** The organisation's external-sender key pair; created (audited) on first use. */
  async ensure(orgId: string): Promise<ServerSender> {
    const existing = await this.load(this.svc.database.db, orgId);
    if (existing) return existing;
    const cs = await ciphersuite();
    const pair = await cs.signature.keygen();
    await this.svc.runner.run(systemActor(orgId, 'mls'), 'mls.server_key_create', { targetType: 'org', targetId: orgId }, async (ctx) => {
      if (await store.findServerKey(ctx.trx, orgId)) return;
      const dek = await this.svc.keys.create(ctx.trx, `mls-server:${orgId}`, ctx.now);
      await store.insertServerKey(ctx.trx, {
        org_id: orgId, signature_public_key: pair.publicKey, signature_private_enc: encrypt(dek.key, pair.signKey, aad(orgId)), key_id: dek.id, created_at: ctx.now,
      });
    });
    return (await this.load(this.svc.database.db, orgId))!;
  }

  /** The key pair if it exists (no write): usable inside any transaction. */
  async load(db: Trx, orgId: string): Promise<ServerSender | null> {
    const hit = this.cache.get(orgId);
    if (hit) return hit;
    const row = await store.findServerKey(db, orgId);
    if (!row) return null;
    const dek = await this.svc.keys.get(db, row.key_id);
    const pair = { publicKey: new Uint8Array(row.signature_public_key), signKey: new Uint8Array(decrypt(dek, row.signature_private_enc, aad(orgId))) };
    this.cache.set(orgId, pair);
    return pair;
  }

  /**
   * Posts a Remove proposal for every departed leaf not yet proposed at the current epoch and
   * tells the remaining members. Runs inside the caller's transaction. Returns how many.
   */
  async proposeRemovals(ctx: ActionContext, conversationId: string): Promise<number> {
    const group = await store.findGroup(ctx.trx, conversationId);
    if (!group) return 0;
    const departed = await departedLeaves(ctx.trx, conversationId);
    if (!departed.length) return 0;
    const done = await store.proposedRemovals(ctx.trx, conversationId, Number(group.epoch));
    const todo = departed.filter((l) => !done.has(Number(l.leaf_index)));
    if (!todo.length) return 0;
    const sender = await this.load(ctx.trx, ctx.actor.orgId);
    const { groupInfo } = decodeMls(new Uint8Array(group.group_info), 'groupInfo', 'mls_group_info', MAX_GROUP_INFO_BYTES);
    if (!sender || !hasExternalSender(groupInfo, sender.publicKey)) {
      this.svc.log.warn({ conversationId }, 'MLS group does not list the server as external sender; removal must be committed by a member');
      return 0;
    }
    const cs = await ciphersuite();
    const recipients = await convStore.memberIds(ctx.trx, conversationId);
    for (const l of todo) {
      const msg = await proposeExternal(groupInfo, { proposalType: 'remove', remove: { removed: Number(l.leaf_index) } }, sender.publicKey, sender.signKey, cs);
      const id = newId(ctx.now);
      await store.insertHandshake(ctx.trx, {
        id, conversation_id: conversationId, epoch: Number(group.epoch), kind: 'proposal', data: encodeMlsMessage(msg), welcome: null,
        sender_user_id: null, sender_device_id: null, removed_leaf: Number(l.leaf_index), created_at: ctx.now,
      });
      await ctx.emit(recipients, { type: 'mls.proposal', conversationId, data: { epoch: Number(group.epoch), handshakeId: id } });
    }
    ctx.detail({ mlsRemovalsProposed: todo.length });
    return todo.length;
  }
}

/*
 * Membership changes happen in other modules (conversations, identity) through
 * removeMembership(ctx, …), which has no reference to this module's services. Each server
 * registers its external sender per organisation; removeMembership calls mlsMemberRemoved.
 * If no sender is registered (e.g. right after a restart, before any MLS call), the next
 * handshake fetch or commit of the group issues the proposals instead (MlsQueries).
 */
const senders = new Map<string, MlsExternalSender>();

export function registerExternalSender(orgId: string, sender: MlsExternalSender): void {
  if (orgId) senders.set(orgId, sender);
}

/** Called by removeMembership for E2EE conversations, inside its transaction. */
export async function mlsMemberRemoved(ctx: ActionContext, conversationId: string): Promise<void> {
  await senders.get(ctx.actor.orgId)?.proposeRemovals(ctx, conversationId);
}

/**
 * Offboarding (ACL-5): every MLS device of the user is revoked and their KeyPackages dropped, in
 * the deactivation's transaction, so nobody can add the leaver's devices back (not even after a
 * reactivation: a returning user registers new devices). Their leaves go with the memberships.
 */
export async function mlsUserOffboarded(ctx: ActionContext, userId: string): Promise<void> {
  const n = await store.revokeUserDevices(ctx.trx, userId, ctx.now);
  if (n) ctx.detail({ mlsDevicesRevoked: n });
}
