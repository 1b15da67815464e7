/**
 * MLS permissions and device revocation (E2E-1, ACL-5): every MLS write a caller may not make
 * is refused (outsiders, someone else's device or leaf, removing a present member by value, an
 * external commit naming another user's device, a non-creator publishing a group), a revoked
 * device loses its KeyPackages, its leaves and any way back in, and offboarding revokes every
 * device of the leaver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCommit, createGroup, createGroupInfoWithExternalPubAndRatchetTree, decodeGroupState, decodeMlsMessage, defaultCapabilities,
  emptyPskIndex, encodeExternalSender, encodeMlsMessage, generateKeyPackageWithKey, getCiphersuiteFromName, getCiphersuiteImpl,
  joinGroupExternal, processPrivateMessage, type CiphersuiteImpl, type Proposal, type ClientState, type GroupInfo,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { EncryptedStorage, FileStorage, type Message } from '@conclave/sdk';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { cleanupDirs, loginAgain, openDevice, texts, type Device } from './mls-helpers';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

interface Stored { deviceId: string; userId: string; publicKey: string; signKey: string }

/** A device's stored secrets, read the way an attacker with the device's disk and key would. */
async function stored(d: Device, conversationId?: string): Promise<{ device: Stored; state: ClientState | null; stateBytes: Uint8Array | null }> {
  const s = await EncryptedStorage.open(new FileStorage(d.dir), d.key);
  const device = JSON.parse(new TextDecoder().decode((await s.get('device'))!)) as Stored;
  const bytes = conversationId ? ((await s.get(`group:${conversationId}`)) ?? null) : null;
  const state = bytes ? { ...decodeGroupState(bytes, 0)![0], clientConfig: defaultClientConfig } : null;
  return { device, state, stateBytes: bytes };
}

describe.each(dialects())('MLS permissions and device revocation (E2E-1) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, carol: TestUser, eve: TestUser;
  let a: Device, b: Device, c: Device, e: Device;
  let cs: CiphersuiteImpl;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, carol, eve] = await Promise.all(['Alice', 'Bob', 'Carol', 'Eve'].map((name) => t.createUser({ name })));
    [a, b, c, e] = await Promise.all([alice, bob, carol, eve].map((u) => openDevice(t, u!, { upload: false })));
    for (const d of [b, c, e]) await d.mls.refillKeyPackages(4);
    cs = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  });
  afterAll(async () => {
    for (const d of [a, b, c, e]) d?.close();
    await t?.close();
    cleanupDirs();
  });

  /** A commit (and the matching next-epoch GroupInfo) made from `state` with `extra` proposals. */
  async function rawCommit(state: ClientState, extra: Proposal[]) {
    const res = await createCommit({ state, cipherSuite: cs }, { extraProposals: extra, wireAsPublicMessage: true, ratchetTreeExtension: true });
    const gi = await createGroupInfoWithExternalPubAndRatchetTree(res.newState, [], cs);
    return {
      commit: b64(encodeMlsMessage(res.commit)),
      groupInfo: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: gi })),
    };
  }

  it('commits the server refuses: outsiders, someone else\'s leaf, removing a present member by value, an external commit naming another user\'s device', async () => {
    const conv = await a.mls.createGroup({ name: 'Denials', memberIds: [bob.user.id, carol.user.id] });
    await b.mls.sync();
    await c.mls.sync();
    const epoch = (await a.mls.epoch(conv.id))!;
    const post = (u: TestUser, body: { commit: string; groupInfo: string }) => u.client.http.request('postMlsCommit', { params: { id: conv.id }, body });

    // Bob's own (valid, signed) commit, submitted by Alice: the sender leaf is not one of her devices.
    const bobCommit = await rawCommit((await stored(b, conv.id)).state!, []);
    expect((await expectCode(post(alice, bobCommit), 'forbidden')).message).toMatch(/not one of your active devices/);
    // The same commit from an outsider: the conversation does not exist for her.
    await expectCode(post(eve, bobCommit), 'not_found');

    // Carol (a plain member) removes Bob by value: removal is policy, it goes through the conversation.
    const carolState = (await stored(c, conv.id)).state!;
    const bobLeaf = carolState.ratchetTree.findIndex((n) => n?.nodeType === 'leaf' && new TextDecoder().decode((n.leaf.credential as { identity: Uint8Array }).identity).includes(bob.user.id)) / 2;
    expect(bobLeaf).toBeGreaterThan(0);
    const kick = await rawCommit(carolState, [{ proposalType: 'remove', remove: { removed: bobLeaf } }]);
    expect((await expectCode(post(carol, kick), 'forbidden')).message).toMatch(/remove them from the conversation/);

    // Alice forges an external commit whose joining leaf names Bob's device (with her own key).
    const { groupInfo } = await alice.client.http.request('getMlsGroup', { params: { id: conv.id } });
    const gi = (decodeMlsMessage(fromB64(groupInfo), 0)![0] as { groupInfo: GroupInfo }).groupInfo;
    const aliceKeys = (await stored(a)).device;
    const bobDevice = (await stored(b)).device;
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: utf8(`conclave:${bob.user.id}:${bobDevice.deviceId}`) }, defaultCapabilities(),
      { notBefore: BigInt(Math.floor(Date.now() / 1000) - 60), notAfter: BigInt(Math.floor(Date.now() / 1000) + 3600) }, [],
      { signKey: fromB64(aliceKeys.signKey), publicKey: fromB64(aliceKeys.publicKey) }, cs,
    );
    const ext = await joinGroupExternal(gi, publicPackage, privatePackage, false, cs);
    const extInfo = await createGroupInfoWithExternalPubAndRatchetTree(ext.newState, [], cs);
    const forged = {
      commit: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: ext.publicMessage })),
      groupInfo: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: extInfo })),
    };
    expect((await expectCode(post(alice, forged), 'forbidden')).message).toMatch(/external commit must come from one of your active devices/);
    // Eve, not a member, cannot join by external commit either.
    await expectCode(post(eve, forged), 'not_found');

    // Nothing of that moved the group; it still works.
    expect((await alice.client.http.request('getMlsGroup', { params: { id: conv.id } })).group.epoch).toBe(epoch);
    await c.mls.send(conv.id, 'still one group');
    expect(await texts(b, conv.id)).toEqual(['still one group']);
  });

  it('reads and claims the server refuses: outsiders, other users\' devices, a non-creator publishing the group', async () => {
    const conv = await a.mls.createGroup({ name: 'Reads', memberIds: [bob.user.id] });
    await b.mls.sync();
    const bobDevice = (await stored(b)).device;
    // Someone else's device: no Welcomes, no revocation, no KeyPackage upload.
    await expectCode(alice.client.http.request('listMlsWelcomes', { params: { id: bobDevice.deviceId } }), 'not_found');
    await expectCode(alice.client.http.request('revokeMlsDevice', { params: { id: bobDevice.deviceId } }), 'not_found');
    // An outsider can neither claim KeyPackages for, nor read the devices or group of, the conversation.
    await expectCode(eve.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: [eve.user.id] } }), 'not_found');
    await expectCode(eve.client.http.request('listConversationDevices', { params: { id: conv.id } }), 'not_found');
    // A KeyPackage claim for an unknown user is a clean 404.
    await expectCode(alice.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] } }), 'not_found');

    // Only the creator publishes a new E2EE conversation's group, even with a well-formed GroupInfo.
    const { conversation } = await alice.client.conversations.create({ kind: 'group', name: 'Unpublished', encryption: 'e2ee', memberIds: [bob.user.id] });
    const cfg = await bob.client.http.request('mlsConfig');
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: utf8(`conclave:${bob.user.id}:${bobDevice.deviceId}`) }, defaultCapabilities(),
      { notBefore: BigInt(Math.floor(Date.now() / 1000) - 60), notAfter: BigInt(Math.floor(Date.now() / 1000) + 3600) }, [],
      { signKey: fromB64(bobDevice.signKey), publicKey: fromB64(bobDevice.publicKey) }, cs,
    );
    const extSender = {
      extensionType: 'external_senders' as const,
      extensionData: encodeExternalSender({ signaturePublicKey: fromB64(cfg.externalSender.signaturePublicKey), credential: { credentialType: 'basic', identity: utf8(cfg.externalSender.identity) } }),
    };
    const state = await createGroup(utf8(`conclave:${conversation.id}`), publicPackage, privatePackage, [extSender], cs);
    const gi = await createGroupInfoWithExternalPubAndRatchetTree(state, [], cs);
    const body = { groupInfo: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: gi })) };
    expect((await expectCode(bob.client.http.request('initMlsGroup', { params: { id: conversation.id }, body }), 'forbidden')).message).toMatch(/creator/);
    await expectCode(eve.client.http.request('initMlsGroup', { params: { id: conversation.id }, body }), 'not_found');
  });

  it('revoking a device: its KeyPackages go, the server proposes its removal, a member commits it, and the device is out for good', async () => {
    const phone = await openDevice(t, bob, { name: 'phone', client: await loginAgain(t, bob), upload: false });
    await phone.mls.refillKeyPackages(3);
    const conv = await a.mls.createGroup({ name: 'Revoke', memberIds: [bob.user.id] });
    await b.mls.sync();
    await phone.mls.sync();
    expect((await a.mls.devices(conv.id)).filter((d) => d.userId === bob.user.id)).toHaveLength(2);
    const before = await stored(phone, conv.id);
    const epoch = (await a.mls.epoch(conv.id))!;

    await bob.client.http.request('revokeMlsDevice', { params: { id: phone.mls.deviceId } });
    const mine = (await bob.client.http.request('listMyMlsDevices')).devices.find((d) => d.id === phone.mls.deviceId)!;
    expect(mine.revokedAt).not.toBeNull();
    expect([mine.availableKeyPackages, mine.hasLastResort]).toEqual([0, false]);
    // The server, as external sender, proposed the removal of the phone's leaf at the current epoch.
    const { handshakes } = await alice.client.http.request('listMlsHandshakes', { params: { id: conv.id }, query: { fromEpoch: epoch } });
    expect(handshakes.map((h) => [h.kind, h.epoch, h.senderUserId])).toEqual([['proposal', epoch, null]]);
    // Members no longer list it; the next member online commits the Remove.
    expect((await a.mls.devices(conv.id)).filter((d) => d.userId === bob.user.id).map((d) => d.name)).toEqual(['laptop']);
    await a.mls.sync();
    expect(await a.mls.epoch(conv.id)).toBe(epoch + 1);
    const m: Message = await a.mls.send(conv.id, 'after the phone was revoked');
    expect((await b.mls.decrypt(m)).text).toBe('after the phone was revoked');
    // The phone's last state (a thief with the disk and its key) does not open the new message.
    expect(await cannotDecrypt(before.stateBytes!, m, cs)).toBe(true);
    // The revoked device cannot fetch Welcomes, stock KeyPackages, or join back by external commit.
    await expectCode(bob.client.http.request('listMlsWelcomes', { params: { id: phone.mls.deviceId } }), 'not_found');
    await expect(phone.mls.refillKeyPackages(1)).rejects.toThrow(/revoked/);
    await expectCode(bob.client.http.request('uploadKeyPackages', { params: { id: phone.mls.deviceId }, body: { keyPackages: [] } }), 'not_found');
    const { groupInfo } = await bob.client.http.request('getMlsGroup', { params: { id: conv.id } });
    const gi = (decodeMlsMessage(fromB64(groupInfo), 0)![0] as { groupInfo: GroupInfo }).groupInfo;
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: utf8(`conclave:${bob.user.id}:${phone.mls.deviceId}`) }, defaultCapabilities(),
      { notBefore: BigInt(Math.floor(Date.now() / 1000) - 60), notAfter: BigInt(Math.floor(Date.now() / 1000) + 3600) }, [],
      { signKey: fromB64(before.device.signKey), publicKey: fromB64(before.device.publicKey) }, cs,
    );
    const ext = await joinGroupExternal(gi, publicPackage, privatePackage, false, cs);
    const extInfo = await createGroupInfoWithExternalPubAndRatchetTree(ext.newState, [], cs);
    await expectCode(bob.client.http.request('postMlsCommit', {
      params: { id: conv.id },
      body: {
        commit: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: ext.publicMessage })),
        groupInfo: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: extInfo })),
      },
    }), 'forbidden');
    // Claims hand out nothing for it; Bob's laptop is unaffected.
    const claim = await alice.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: [bob.user.id] } });
    expect(claim.keyPackages.map((k) => k.deviceId)).not.toContain(phone.mls.deviceId);
    phone.close();
  });

  it('offboarding revokes every MLS device of the leaver and drops their KeyPackages, also after a reactivation', async () => {
    const gina = await t.createUser({ name: 'Gina' });
    const g1 = await openDevice(t, gina, { upload: false });
    const g2 = await openDevice(t, gina, { name: 'phone', client: await loginAgain(t, gina), upload: false });
    await g1.mls.refillKeyPackages(3);
    await g2.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Leaver', memberIds: [gina.user.id] });
    await g1.mls.sync();
    await g2.mls.sync();
    const { removedFrom } = await t.admin.client.users.deactivate(gina.user.id);
    expect(removedFrom).toBeGreaterThan(0);
    const db = t.server.svc.database.db;
    const devices = await db.selectFrom('mls_devices').select(['id', 'revoked_at']).where('user_id', '=', gina.user.id).execute();
    expect(devices).toHaveLength(2);
    expect(devices.every((d) => d.revoked_at !== null)).toBe(true);
    const kps = await db.selectFrom('mls_key_packages').select('id').where('user_id', '=', gina.user.id).execute();
    expect(kps).toHaveLength(0);
    // Her leaves are proposed for removal and committed by the next member online.
    const epoch = (await a.mls.epoch(conv.id))!;
    await a.mls.sync();
    expect(await a.mls.epoch(conv.id)).toBe(epoch + 1);
    expect((await a.mls.devices(conv.id)).some((d) => d.userId === gina.user.id)).toBe(false);
    // Reactivated, she is a user again, but her old devices are not: re-adding her finds no KeyPackage.
    await t.admin.client.users.reactivate(gina.user.id);
    await alice.client.conversations.addMembers(conv.id, [gina.user.id]);
    const claim = await alice.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: [gina.user.id] } });
    expect(claim).toEqual({ keyPackages: [], missingUserIds: [gina.user.id] });
    g1.close();
    g2.close();
  });
});

/** Tries to open `message` with a raw group state taken from storage (ts-mls directly, no SDK). */
async function cannotDecrypt(stateBytes: Uint8Array, message: Message, cs: CiphersuiteImpl): Promise<boolean> {
  const state = { ...decodeGroupState(stateBytes, 0)![0], clientConfig: defaultClientConfig };
  const msg = decodeMlsMessage(fromB64(message.ciphertext!), 0)![0];
  if (msg.wireformat !== 'mls_private_message') return false;
  try {
    await processPrivateMessage(state, msg.privateMessage, emptyPskIndex, cs);
    return false;
  } catch {
    return true;
  }
}
