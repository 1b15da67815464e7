/** MLS reads (E2E-1), each through accessConversation or the caller's own devices. */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import { accessConversation } from '../conversations/conversations.access';
import * as convStore from '../conversations/conversations.store';
import { KEY_PACKAGE_LOW_WATER, KEY_PACKAGE_TARGET } from './mls.actions';
import { MAX_KEY_PACKAGE_LIFETIME_S, MLS_CIPHERSUITE, SERVER_SENDER_IDENTITY } from './mls.codec';
import { departedLeaves, registerExternalSender, type MlsExternalSender } from './mls.external';
import { b64, presentDevice, presentGroup, presentHandshake } from './mls.presenter';
import * as store from './mls.store';

export class MlsQueries {
  constructor(private readonly svc: Services, private readonly sender: MlsExternalSender) {}

  async config(actor: UserActor): Promise<ResponseOf<'mlsConfig'>> {
    registerExternalSender(actor.orgId, this.sender);
    const s = await this.sender.ensure(actor.orgId);
    return {
      ciphersuite: MLS_CIPHERSUITE,
      externalSender: { signaturePublicKey: b64(s.publicKey), identity: SERVER_SENDER_IDENTITY },
      keyPackageTarget: KEY_PACKAGE_TARGET, keyPackageLowWater: KEY_PACKAGE_LOW_WATER, maxKeyPackageLifetimeSeconds: MAX_KEY_PACKAGE_LIFETIME_S,
    };
  }

  async myDevices(actor: UserActor): Promise<ResponseOf<'listMyMlsDevices'>> {
    const db = this.svc.database.db;
    const devices = await store.devicesOfUsers(db, [actor.userId], false);
    const stock = await store.stock(db, devices.map((d) => d.id));
    return { devices: devices.map((d) => presentDevice(d, stock.get(d.id))) };
  }

  /** Members' active devices, so members can compare fingerprints (and notice a new device). */
  async conversationDevices(actor: UserActor, conversationId: string): Promise<ResponseOf<'listConversationDevices'>> {
    const db = this.svc.database.db;
    await accessConversation(db, actor, conversationId, 'member');
    const devices = await store.devicesOfUsers(db, await convStore.memberIds(db, conversationId));
    return { devices: devices.map((d) => presentDevice(d)) };
  }

  async group(actor: UserActor, conversationId: string): Promise<ResponseOf<'getMlsGroup'>> {
    const db = this.svc.database.db;
    await accessConversation(db, actor, conversationId, 'member');
    const g = await store.findGroup(db, conversationId);
    if (!g) throw notFound('MLS group', 'not_published');
    return { group: presentGroup(g), groupInfo: b64(g.group_info) };
  }

  /**
   * Handshakes from `fromEpoch`. If members left while no MLS-aware server object was
   * registered (e.g. after a restart), the missing Remove proposals are issued first, so the
   * caller can commit them: nobody departed stays in a group because of timing.
   */
  async handshakes(actor: UserActor, conversationId: string, fromEpoch: number, limit = 200): Promise<ResponseOf<'listMlsHandshakes'>> {
    registerExternalSender(actor.orgId, this.sender);
    const db = this.svc.database.db;
    await accessConversation(db, actor, conversationId, 'member');
    const g = await store.findGroup(db, conversationId);
    if (!g) throw notFound('MLS group', 'not_published');
    const departed = await departedLeaves(db, conversationId);
    if (departed.length) {
      const done = await store.proposedRemovals(db, conversationId, Number(g.epoch));
      if (departed.some((l) => !done.has(Number(l.leaf_index)))) {
        await this.svc.runner.run(actor, 'mls.propose_removals', { targetType: 'conversation', targetId: conversationId }, (ctx) => this.sender.proposeRemovals(ctx, conversationId));
      }
    }
    if (fromEpoch > Number(g.epoch)) throw new AppError('conflict', `the group is at epoch ${g.epoch}; fromEpoch ${fromEpoch} is ahead of it`, { epoch: Number(g.epoch) });
    const rows = await store.handshakesFrom(db, conversationId, fromEpoch, limit + 1);
    return { handshakes: rows.slice(0, limit).map(presentHandshake), epoch: Number(g.epoch), hasMore: rows.length > limit };
  }

  async welcomes(actor: UserActor, deviceId: string): Promise<ResponseOf<'listMlsWelcomes'>> {
    const db = this.svc.database.db;
    const d = await store.findDevice(db, deviceId);
    if (!d || d.user_id !== actor.userId) throw notFound('device', d ? 'not_owner' : 'missing');
    if (d.revoked_at !== null) throw notFound('device', 'revoked');
    const rows = await store.welcomesFor(db, deviceId, actor.userId);
    return { welcomes: rows.filter((r) => r.welcome).map((r) => ({ conversationId: r.conversation_id, epoch: Number(r.epoch) + 1, handshakeId: r.id, welcome: b64(r.welcome!) })) };
  }
}
