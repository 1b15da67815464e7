/**
 * MLS delivery-service writes (E2E-1): devices, KeyPackage stock and claims, group
 * publication and commits. Decoding and signature checks run before the transaction (slow work
 * stays outside the org write lock); the epoch check, policy and writes run inside it, so the
 * first valid commit of an epoch wins and every later one gets stale_epoch.
 */
import { createHash } from 'node:crypto';
import type { BodyOf, ResponseOf } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import type { UserActor } from '../../kernel/actor';
import { AppError, forbidden, invalid, notFound } from '../../kernel/errors';
import { newId } from '../../kernel/ids';
import type { Services } from '../../services';
import { accessConversation } from '../conversations/conversations.access';
import { assertCanAddMembers } from '../conversations/conversations.policy';
import { assertAdmissible, memberData } from '../conversations/membership';
import * as convStore from '../conversations/conversations.store';
import { findUsersByIds } from '../identity/identity.store';
import { analyseCommit, verifyCommitSignature } from './mls.commit';
import {
  MAX_COMMIT_BYTES, MAX_GROUP_INFO_BYTES, MAX_WELCOME_BYTES, MLS_CIPHERSUITE, checkGroupInfo, checkKeyPackage, decodeMls, fromB64,
  groupIdFor, hasExternalSender, sameBytes, type Leaf,
} from './mls.codec';
import type { MlsExternalSender } from './mls.external';
import { b64, presentDevice, presentGroup, presentHandshake } from './mls.presenter';
import * as store from './mls.store';

/** Stock a client keeps per device, and the level under which it is told to refill. */
export const KEY_PACKAGE_TARGET = 50;
export const KEY_PACKAGE_LOW_WATER = 10;
const MAX_STOCK = 200;
const MAX_DEVICES_PER_USER = 20;

export class MlsActions {
  constructor(private readonly svc: Services, private readonly sender: MlsExternalSender) {}

  async registerDevice(actor: UserActor, body: BodyOf<'registerMlsDevice'>): Promise<ResponseOf<'registerMlsDevice'>> {
    const key = fromB64(body.signaturePublicKey);
    if (key.length !== 32) throw invalid('signaturePublicKey', 'must be a 32-byte Ed25519 public key');
    const keyB64 = b64(key);
    const row = await this.svc.runner.run(actor, 'mls.register_device', { targetType: 'mls_device' }, async (ctx) => {
      if (await store.findDeviceByKey(ctx.trx, keyB64)) throw new AppError('conflict', 'this signature key is already registered', { field: 'signaturePublicKey' });
      if ((await store.devicesOfUsers(ctx.trx, [actor.userId])).length >= MAX_DEVICES_PER_USER) {
        throw new AppError('conflict', `you have ${MAX_DEVICES_PER_USER} active devices; revoke one first`);
      }
      const d: store.DeviceRow = { id: newId(ctx.now), org_id: actor.orgId, user_id: actor.userId, name: body.name, signature_key: keyB64, created_at: ctx.now, revoked_at: null };
      await store.insertDevice(ctx.trx, d);
      ctx.target('mls_device', d.id);
      return d;
    });
    return { device: presentDevice(row, { available: 0, lastResort: false }) };
  }

  /** Revokes one of your devices: its KeyPackages go, and every group is asked to remove it. */
  async revokeDevice(actor: UserActor, id: string): Promise<{ ok: true }> {
    await this.svc.runner.run(actor, 'mls.revoke_device', { targetType: 'mls_device', targetId: id }, async (ctx) => {
      const d = await store.findDevice(ctx.trx, id);
      if (!d || d.user_id !== actor.userId) throw notFound('device', d ? 'not_owner' : 'missing');
      if (d.revoked_at !== null) return;
      await store.revokeDevice(ctx.trx, id, ctx.now);
      for (const conv of await store.groupsWithDevice(ctx.trx, id)) await this.sender.proposeRemovals(ctx, conv);
    });
    return { ok: true };
  }

  async uploadKeyPackages(actor: UserActor, deviceId: string, body: BodyOf<'uploadKeyPackages'>): Promise<ResponseOf<'uploadKeyPackages'>> {
    const db = this.svc.database.db;
    const device = await store.findDevice(db, deviceId);
    if (!device || device.user_id !== actor.userId || device.revoked_at !== null) throw notFound('device');
    const now = this.svc.clock.now();
    const expect = { userId: actor.userId, deviceId, signatureKey: fromB64(device.signature_key), nowMs: now };
    const parsed: Array<{ bytes: Uint8Array; hash: string; expires: number; lastResort: boolean }> = [];
    const items = [...body.keyPackages.map((k, i) => ({ k, field: `keyPackages[${i}]`, lastResort: false })),
      ...(body.lastResort ? [{ k: body.lastResort, field: 'lastResort', lastResort: true }] : [])];
    for (const { k, field, lastResort } of items) {
      const bytes = fromB64(k);
      const { notAfterMs } = await checkKeyPackage(bytes, field, expect);
      parsed.push({ bytes, hash: createHash('sha256').update(bytes).digest('hex'), expires: notAfterMs, lastResort });
    }
    const out = await this.svc.runner.run(actor, 'mls.upload_key_packages', { targetType: 'mls_device', targetId: deviceId }, async (ctx) => {
      const seen = await store.hashesExisting(ctx.trx, parsed.map((p) => p.hash));
      const fresh = parsed.filter((p) => !seen.has(p.hash) && (seen.add(p.hash), true));
      const before = (await store.stock(ctx.trx, [deviceId])).get(deviceId)!;
      const regular = fresh.filter((p) => !p.lastResort);
      if (before.available + regular.length > MAX_STOCK) throw new AppError('conflict', `a device keeps at most ${MAX_STOCK} KeyPackages; it has ${before.available}`, { available: before.available });
      if (fresh.some((p) => p.lastResort)) await store.deleteLastResort(ctx.trx, deviceId);
      await store.insertKeyPackages(ctx.trx, fresh.map((p) => ({
        id: newId(ctx.now), device_id: deviceId, user_id: actor.userId, data: p.bytes, hash: p.hash, last_resort: p.lastResort ? 1 : 0, created_at: ctx.now, expires_at: p.expires,
      })));
      ctx.detail({ uploaded: regular.length, lastResort: fresh.some((p) => p.lastResort) });
      return (await store.stock(ctx.trx, [deviceId])).get(deviceId)!;
    });
    return { available: out.available, hasLastResort: out.lastResort };
  }

  /**
   * One KeyPackage per device (not already in the group) of each user. Users who are not yet
   * members must pass the same checks as adding them (permission, clearance, guest rules): the
   * server hands out nothing for someone who may not join.
   */
  async claimKeyPackages(actor: UserActor, conversationId: string, userIds: string[]): Promise<ResponseOf<'claimKeyPackages'>> {
    return this.svc.runner.run(actor, 'mls.claim_key_packages', { targetType: 'conversation', targetId: conversationId }, async (ctx) => {
      const { conv, member, settings } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      requireE2ee(conv);
      const unique = [...new Set(userIds)];
      const users = (await findUsersByIds(ctx.trx, actor.orgId, unique)).filter((u) => u.status === 'active');
      const missing = unique.filter((id) => !users.some((u) => u.id === id));
      if (missing.length) throw new AppError('not_found', `user not found: ${missing.join(', ')}`, { userIds: missing }, 'unknown_or_inactive_user');
      const members = new Set(await convStore.memberIds(ctx.trx, conversationId));
      const joining = users.filter((u) => !members.has(u.id));
      if (joining.length) {
        assertCanAddMembers(actor, conv, member);
        await assertAdmissible(ctx, conv, settings, joining);
      }
      const inGroup = new Set((await store.leaves(ctx.trx, conversationId)).map((l) => l.device_id));
      const devices = (await store.devicesOfUsers(ctx.trx, unique)).filter((d) => !inGroup.has(d.id));
      const keyPackages: ResponseOf<'claimKeyPackages'>['keyPackages'] = [];
      for (const d of devices) {
        await store.dropExpired(ctx.trx, d.id, ctx.now);
        const kp = await store.takeKeyPackage(ctx.trx, d.id);
        if (kp) keyPackages.push({ userId: d.user_id, deviceId: d.id, keyPackage: b64(kp.data), lastResort: kp.last_resort === 1 });
      }
      const stock = await store.stock(ctx.trx, devices.map((d) => d.id));
      for (const d of devices) {
        const s = stock.get(d.id)!;
        if (s.available === KEY_PACKAGE_LOW_WATER - 1 || s.available === 0) await ctx.emit([d.user_id], { type: 'mls.key_packages_low', data: { deviceId: d.id, available: s.available } });
      }
      const served = new Set(keyPackages.map((k) => k.userId));
      ctx.detail({ claimed: keyPackages.length, users: unique.length });
      return { keyPackages, missingUserIds: unique.filter((u) => !served.has(u)) };
    });
  }

  /** Publishes a new group's epoch-0 state: the creator's single leaf and the server as external sender. */
  async initGroup(actor: UserActor, conversationId: string, body: BodyOf<'initMlsGroup'>): Promise<ResponseOf<'initMlsGroup'>> {
    const pre = await accessConversation(this.svc.database.db, actor, conversationId, 'member');
    requireE2ee(pre.conv);
    if (await store.findGroup(this.svc.database.db, conversationId)) throw new AppError('conflict', 'this conversation\'s MLS group is already published');
    const bytes = fromB64(body.groupInfo);
    const { groupInfo, leaves } = await checkGroupInfo(bytes, 'groupInfo', conversationId, 0);
    const sender = await this.sender.ensure(actor.orgId);
    if (!hasExternalSender(groupInfo, sender.publicKey)) throw invalid('groupInfo', 'must list the server as external sender (GET /api/v1/mls/config)');
    if (leaves.length !== 1) throw invalid('groupInfo', 'a new group has exactly one member: its creator\'s device');
    const row = await this.svc.runner.run(actor, 'mls.init_group', { targetType: 'conversation', targetId: conversationId }, async (ctx) => {
      const { conv } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      requireE2ee(conv);
      if (conv.created_by !== actor.userId) throw forbidden('only the conversation\'s creator publishes its MLS group', 'not_creator');
      if (await store.findGroup(ctx.trx, conversationId)) throw new AppError('conflict', 'this conversation\'s MLS group is already published');
      await this.checkLeaves(ctx, leaves);
      if (leaves[0]!.userId !== actor.userId) throw invalid('groupInfo', 'the only leaf must be one of your devices');
      const g: store.GroupRow = {
        conversation_id: conversationId, org_id: actor.orgId, group_id: groupIdFor(conversationId), ciphersuite: MLS_CIPHERSUITE, epoch: 0,
        group_info: bytes, created_at: ctx.now, updated_at: ctx.now,
      };
      await store.insertGroup(ctx.trx, g);
      await store.replaceLeaves(ctx.trx, conversationId, leafRows(conversationId, leaves));
      return g;
    });
    return { group: presentGroup(row) };
  }

  /** The delivery service's core: accept the first valid commit of the current epoch. */
  async commit(actor: UserActor, conversationId: string, body: BodyOf<'postMlsCommit'>): Promise<ResponseOf<'postMlsCommit'>> {
    const db = this.svc.database.db;
    const commitBytes = fromB64(body.commit);
    const pm = decodeMls(commitBytes, 'commit', 'mls_public_message', MAX_COMMIT_BYTES).publicMessage;
    const a = analyseCommit(pm);
    if (!sameBytes(pm.content.groupId, groupIdFor(conversationId))) throw invalid('commit', 'belongs to another group');
    // Reads for the signature check happen outside the write lock; the epoch is re-checked inside.
    await accessConversation(db, actor, conversationId, 'member');
    const current = await store.findGroup(db, conversationId);
    if (!current) throw new AppError('conflict', 'this conversation\'s MLS group has not been published yet');
    if (Number(current.epoch) !== a.epoch) throw staleEpoch(Number(current.epoch), a.epoch);
    const welcomeBytes = body.welcome ? fromB64(body.welcome) : null;
    const welcome = welcomeBytes ? decodeMls(welcomeBytes, 'welcome', 'mls_welcome', MAX_WELCOME_BYTES).welcome : null;
    if (a.adds.length && !welcome) throw invalid('welcome', 'is required when the commit adds members');
    if (!a.adds.length && welcome) throw invalid('welcome', 'was sent but the commit adds nobody');
    if (welcome && welcome.secrets.length !== a.adds.length) throw invalid('welcome', `must carry one secret per added device (${a.adds.length})`);
    const oldInfo = decodeMls(new Uint8Array(current.group_info), 'groupInfo', 'mls_group_info', MAX_GROUP_INFO_BYTES).groupInfo;
    const oldLeaves = new Map((await store.leaves(db, conversationId)).map((l) => [Number(l.leaf_index), l]));
    let signer: store.DeviceRow | undefined;
    if (a.external) {
      signer = await store.findDevice(db, a.joiner!.deviceId);
      if (!signer || signer.user_id !== actor.userId || a.joiner!.userId !== actor.userId || signer.revoked_at !== null) throw forbidden('an external commit must come from one of your active devices', 'mls_foreign_device');
      if (!sameBytes(fromB64(signer.signature_key), a.joiner!.signatureKey)) throw invalid('commit', 'the joining leaf does not carry the device\'s registered key');
    } else {
      const leaf = oldLeaves.get(a.senderLeaf!);
      signer = leaf && (await store.findDevice(db, leaf.device_id));
      if (!leaf || !signer || leaf.user_id !== actor.userId || signer.revoked_at !== null) throw forbidden('the commit\'s sender is not one of your active devices in this group', 'mls_foreign_sender');
    }
    await verifyCommitSignature(pm, fromB64(signer.signature_key), oldInfo.groupContext);
    const next = await checkGroupInfo(fromB64(body.groupInfo), 'groupInfo', conversationId, a.epoch + 1);

    const res = await this.svc.runner.run(actor, 'mls.commit', { targetType: 'conversation', targetId: conversationId, details: { epoch: a.epoch, adds: a.adds.length, removes: a.removes.length, external: a.external } }, async (ctx) => {
      const { conv, member, settings } = await accessConversation(ctx.trx, actor, conversationId, 'member');
      requireE2ee(conv);
      const group = await store.findGroup(ctx.trx, conversationId);
      if (!group || Number(group.epoch) !== a.epoch) throw staleEpoch(Number(group?.epoch ?? 0), a.epoch);
      const members = new Set(await convStore.memberIds(ctx.trx, conversationId));

      // Removals by value: only departed people, revoked devices, or your own devices.
      const departed = new Set((await this.departed(ctx, [...oldLeaves.values()], members)).map((l) => Number(l.leaf_index)));
      for (const idx of a.removes) {
        const leaf = oldLeaves.get(idx);
        if (!leaf) throw invalid('commit', `removes leaf ${idx}, which is empty`);
        const own = a.external ? leaf.device_id === a.joiner!.deviceId || leaf.user_id === actor.userId : leaf.user_id === actor.userId;
        if (!own && !departed.has(idx)) throw forbidden('to remove someone, remove them from the conversation; the server then asks the group to drop their devices', 'mls_remove_member');
      }

      // Adds: registered active devices; people not yet in the conversation join it under the usual rules.
      const addDevices = await store.devicesByIds(ctx.trx, a.adds.map((x) => x.deviceId));
      for (const add of a.adds) {
        const d = addDevices.find((x) => x.id === add.deviceId);
        if (!d || d.user_id !== add.userId || d.revoked_at !== null || !sameBytes(fromB64(d.signature_key), add.signatureKey)) {
          throw invalid('commit', `adds device ${add.deviceId}, which is not an active registered device of user ${add.userId}`);
        }
      }
      const joiningIds = [...new Set(a.adds.map((x) => x.userId))].filter((u) => !members.has(u));
      if (joiningIds.length) {
        assertCanAddMembers(actor, conv, member);
        const users = (await findUsersByIds(ctx.trx, actor.orgId, joiningIds)).filter((u) => u.status === 'active');
        if (users.length !== joiningIds.length) throw new AppError('not_found', 'a user to add is not found or not active', undefined, 'unknown_or_inactive_user');
        await assertAdmissible(ctx, conv, settings, users);
        await this.admit(ctx, conv, joiningIds, settings.historyVisibleToNewMembers ? 0 : Number(conv.last_position));
      }

      // The new epoch's public state must match the commit.
      await this.checkLeaves(ctx, next.leaves);
      const nextByDevice = new Set(next.leaves.map((l) => l.deviceId));
      for (const add of a.adds) if (!nextByDevice.has(add.deviceId)) throw invalid('groupInfo', `does not contain added device ${add.deviceId}`);
      for (const idx of a.removes) {
        const still = next.leaves.find((l) => l.leafIndex === idx);
        if (still && still.deviceId === oldLeaves.get(idx)!.device_id && !a.external) throw invalid('groupInfo', `still contains removed leaf ${idx}`);
      }
      if (!nextByDevice.has(signer!.id)) throw invalid('groupInfo', 'does not contain the committer');

      const id = newId(ctx.now);
      const h: store.HandshakeRow = {
        id, conversation_id: conversationId, epoch: a.epoch, kind: 'commit', data: commitBytes, welcome: welcomeBytes,
        sender_user_id: actor.userId, sender_device_id: signer!.id, removed_leaf: null, created_at: ctx.now,
      };
      await store.insertHandshake(ctx.trx, h);
      await store.advanceGroup(ctx.trx, conversationId, a.epoch + 1, fromB64(body.groupInfo), ctx.now);
      await store.replaceLeaves(ctx.trx, conversationId, leafRows(conversationId, next.leaves));
      const everyone = await convStore.memberIds(ctx.trx, conversationId);
      await ctx.emit(everyone, { type: 'mls.commit', conversationId, data: { epoch: a.epoch, handshakeId: id } });
      if (a.adds.length) {
        await store.insertWelcomeTargets(ctx.trx, a.adds.map((x) => ({ handshake_id: id, device_id: x.deviceId, user_id: x.userId, conversation_id: conversationId })));
        const byUser = new Map<string, string[]>();
        for (const x of a.adds) byUser.set(x.userId, [...(byUser.get(x.userId) ?? []), x.deviceId]);
        for (const [userId, deviceIds] of byUser) await ctx.emit([userId], { type: 'mls.welcome', conversationId, data: { epoch: a.epoch + 1, handshakeId: id, deviceIds } });
      }
      // Anyone who left while this epoch was open still has a leaf: ask again at the new epoch.
      await this.sender.proposeRemovals(ctx, conversationId);
      return { h, group: (await store.findGroup(ctx.trx, conversationId))!, added: joiningIds };
    });
    return { handshake: presentHandshake(res.h), group: presentGroup(res.group), addedUserIds: res.added };
  }

  private async departed(ctx: ActionContext, leaves: store.LeafRow[], members: Set<string>): Promise<store.LeafRow[]> {
    const devices = await store.devicesByIds(ctx.trx, [...new Set(leaves.map((l) => l.device_id))]);
    const revoked = new Set(devices.filter((d) => d.revoked_at !== null).map((d) => d.id));
    return leaves.filter((l) => !members.has(l.user_id) || revoked.has(l.device_id));
  }

  /** Every leaf must be a registered device of the user it names, with that device's key. */
  private async checkLeaves(ctx: ActionContext, leaves: Leaf[]): Promise<void> {
    const devices = new Map((await store.devicesByIds(ctx.trx, leaves.map((l) => l.deviceId))).map((d) => [d.id, d]));
    for (const l of leaves) {
      const d = devices.get(l.deviceId);
      if (!d || d.user_id !== l.userId || !sameBytes(fromB64(d.signature_key), l.signatureKey)) throw invalid('groupInfo', `leaf ${l.leafIndex} is not a registered device of its user`);
    }
  }

  /** Adds conversation memberships for people joining through an MLS Add (as addMembers does). */
  private async admit(ctx: ActionContext, conv: convStore.ConversationRow, userIds: string[], historyFrom: number): Promise<void> {
    const rows = userIds.map((u) => ({ conversation_id: conv.id, user_id: u, role: 'member', joined_at: ctx.now, last_read_position: Number(conv.last_position), history_from: historyFrom }));
    await convStore.insertMembers(ctx.trx, rows);
    const all = await convStore.memberIds(ctx.trx, conv.id);
    await convStore.updateConversation(ctx.trx, conv.id, { member_count: all.length });
    await ctx.emit(all, { type: 'conversation.updated', conversationId: conv.id });
    for (const r of rows) await ctx.emit(all, { type: 'member.added', conversationId: conv.id, data: memberData(r) });
    ctx.detail({ added: userIds });
  }
}

function requireE2ee(conv: convStore.ConversationRow): void {
  if (conv.encryption !== 'e2ee') throw new AppError('conflict', 'this conversation is not end-to-end encrypted');
}

function staleEpoch(current: number, yours: number): AppError {
  return new AppError('stale_epoch', `the group is at epoch ${current}; your commit is for epoch ${yours}: process the newer commits and commit again`, { epoch: current, commitEpoch: yours });
}

function leafRows(conversationId: string, leaves: Leaf[]): store.LeafRow[] {
  return leaves.map((l) => ({ conversation_id: conversationId, leaf_index: l.leafIndex, user_id: l.userId, device_id: l.deviceId }));
}
