/**
 * MLS membership and reliability (E2E-1, ACL-5, MSG-4): concurrent commits, offline catch-up,
 * removal and offboarding through the server's external Remove proposals, new devices joining
 * by external commit, and recovery from missed epochs.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGroupState, decodeMlsMessage, emptyPskIndex, processPrivateMessage } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { ConclaveClient, EncryptedStorage, FileStorage, type Message } from '@conclave/sdk';
import { dialects, eventually, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { cleanupDirs, loginAgain, openDevice, texts, type Device } from './mls-helpers';

describe.each(dialects())('MLS membership (E2E-1) [%s]', (dialect) => {
  let t: TestServer;
  const users: Record<string, TestUser> = {};
  const devs: Record<string, Device> = {};
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    for (const n of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) users[n] = await t.createUser({ name: n });
    for (const n of Object.keys(users)) devs[n] = await openDevice(t, users[n]!, { upload: false });
    for (const d of Object.values(devs)) await d.mls.refillKeyPackages(5);
  });
  afterAll(async () => {
    for (const d of Object.values(devs)) d.close();
    await t?.close();
    cleanupDirs();
  });

  it('concurrent commits: the first wins the epoch, the other gets stale_epoch, rebases and lands next', async () => {
    const { alice, bob } = devs as Required<typeof devs>;
    const conv = await alice!.mls.createGroup({ name: 'Race', memberIds: [users.bob!.user.id] });
    await users.alice!.client.conversations.updateMember(conv.id, users.bob!.user.id, 'admin');
    await bob!.mls.sync();
    // Bob's commit is held at the network until Alice's commit for the same epoch has been accepted.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let held = 0;
    const gated = new ConclaveClient({
      baseUrl: t.url, token: users.bob!.client.token,
      fetch: async (input, init) => {
        if (String(input).includes('/commits') && held++ === 0) await gate;
        return fetch(input, init);
      },
    });
    const bobGated = await openDevice(t, users.bob!, { client: gated, dir: bob!.dir, key: bob!.key, upload: false });
    const bobAdds = bobGated.mls.addMembers(conv.id, [users.dave!.user.id]);
    await eventually(() => held === 1, 5_000, 'bob commit held');
    await alice!.mls.addMembers(conv.id, [users.carol!.user.id]);
    release();
    await bobAdds;
    expect(held).toBe(2); // first attempt (stale) + rebased attempt
    const { group } = await users.alice!.client.http.request('getMlsGroup', { params: { id: conv.id } });
    expect(group.epoch).toBe(3);
    for (const d of [alice!, bob!, devs.carol!, devs.dave!]) await d.mls.sync();
    for (const d of [alice!, bob!, devs.carol!, devs.dave!]) expect(await d.mls.epoch(conv.id)).toBe(3);
    await devs.dave!.mls.send(conv.id, 'dave here');
    for (const d of [alice!, bob!, devs.carol!]) expect(await texts(d, conv.id)).toEqual(['dave here']);
    // A replayed (stale) commit is refused with the dedicated code.
    const { handshakes } = await users.alice!.client.http.request('listMlsHandshakes', { params: { id: conv.id }, query: { fromEpoch: 0 } });
    const old = handshakes.find((h) => h.kind === 'commit' && h.epoch === 1)!;
    const { groupInfo } = await users.alice!.client.http.request('getMlsGroup', { params: { id: conv.id } });
    const err = await expectCode(users.alice!.client.http.request('postMlsCommit', { params: { id: conv.id }, body: { commit: old.data, groupInfo } }), 'stale_epoch');
    expect(err.status).toBe(409);
    expect((err.details as { epoch: number }).epoch).toBe(3);
    gated.close();
  });

  it('an offline member catches up across several epochs and reads everything', async () => {
    const { alice, erin } = devs;
    const conv = await alice!.mls.createGroup({ name: 'Offline', memberIds: [users.erin!.user.id] });
    await erin!.mls.sync();
    // Erin goes offline; the group moves through several epochs with messages in between.
    await alice!.mls.send(conv.id, 'm1');
    await alice!.mls.addMembers(conv.id, [users.frank!.user.id]);
    await alice!.mls.send(conv.id, 'm2');
    await alice!.mls.addMembers(conv.id, [users.carol!.user.id]);
    await devs.frank!.mls.sync();
    await devs.frank!.mls.send(conv.id, 'm3');
    await alice!.mls.removeMember(conv.id, users.carol!.user.id);
    await alice!.mls.send(conv.id, 'm4');
    expect(await alice!.mls.epoch(conv.id)).toBe(4);
    expect(await erin!.mls.epoch(conv.id)).toBe(1);
    await erin!.mls.sync();
    expect(await erin!.mls.epoch(conv.id)).toBe(4);
    expect(await texts(erin!, conv.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('removing a member: delivery stops at once, the server proposes the Remove, and the removed device cannot decrypt', async () => {
    const { alice, bob, carol } = devs;
    const conv = await alice!.mls.createGroup({ name: 'Removal', memberIds: [users.bob!.user.id, users.carol!.user.id] });
    await bob!.mls.sync();
    await carol!.mls.sync();
    await alice!.mls.send(conv.id, 'before');
    expect(await texts(bob!, conv.id)).toEqual(['before']);
    const bobState = await (await EncryptedStorage.open(new FileStorage(bob!.dir), bob!.key)).get(`group:${conv.id}`);
    // Policy removal: the membership goes in the same transaction as the server's Remove proposal.
    await users.alice!.client.conversations.removeMember(conv.id, users.bob!.user.id);
    const { handshakes } = await users.carol!.client.http.request('listMlsHandshakes', { params: { id: conv.id }, query: { fromEpoch: 1 } });
    expect(handshakes.map((h) => [h.kind, h.senderUserId])).toEqual([['proposal', null]]);
    await expectCode(users.bob!.client.messages.list(conv.id), 'not_found');
    // The next member who comes online commits it.
    await carol!.mls.sync();
    expect(await carol!.mls.epoch(conv.id)).toBe(2);
    await alice!.mls.sync();
    const after = await alice!.mls.send(conv.id, 'after bob left');
    expect(await texts(carol!, conv.id)).toEqual(['before', 'after bob left']);
    const devices = await alice!.mls.devices(conv.id);
    expect(devices.map((d) => d.userId)).not.toContain(users.bob!.user.id);
    // Bob's last group state (kept from before the removal) cannot open the new message.
    expect(await cannotDecrypt(bobState!, after)).toBe(true);
    // And Bob's client drops the group when told it was removed.
    await bob!.mls.sync();
    expect(await bob!.mls.epoch(conv.id)).toBeNull();
  });

  it('offboarding: the user is removed everywhere and the next online member commits automatically', async () => {
    const { alice, dave } = devs;
    const frank = await t.createUser({ name: 'frank2' });
    const f = await openDevice(t, frank, { upload: false });
    await f.mls.refillKeyPackages(3);
    const conv = await alice!.mls.createGroup({ name: 'Offboard', memberIds: [users.dave!.user.id, frank.user.id] });
    await dave!.mls.sync();
    await f.mls.sync();
    dave!.live();
    try {
      await eventually(() => dave!.sub?.state === 'open', 5_000, 'dave live');
      const epochBefore = (await dave!.mls.epoch(conv.id))!;
      await t.admin.client.users.deactivate(frank.user.id);
      // Dave's client receives mls.proposal and commits the Remove on its own.
      await eventually(async () => (await dave!.mls.epoch(conv.id)) === epochBefore + 1, 10_000, 'dave commits the removal');
      await alice!.mls.sync();
      const m = await alice!.mls.send(conv.id, 'frank is gone');
      expect((await dave!.mls.decrypt(m)).text).toBe('frank is gone');
      const { group } = await users.alice!.client.http.request('getMlsGroup', { params: { id: conv.id } });
      expect(group.epoch).toBe(epochBefore + 1);
      expect((await alice!.mls.devices(conv.id)).some((d) => d.userId === frank.user.id)).toBe(false);
    } finally {
      dave!.close();
      dave!.sub = null;
      f.close();
    }
  });

  it('a new device of a member joins by external commit and reads new messages', async () => {
    const { alice, bob } = devs;
    const conv = await alice!.mls.createGroup({ name: 'Devices', memberIds: [users.bob!.user.id] });
    await bob!.mls.sync();
    const phone = await openDevice(t, users.bob!, { name: 'phone', client: await loginAgain(t, users.bob!), upload: false });
    await phone.mls.sync();
    expect(await phone.mls.epoch(conv.id)).toBe(2);
    expect(phone.events.some((e) => e.type === 'joined' && e.conversationId === conv.id && e.via === 'external')).toBe(true);
    const m = await alice!.mls.send(conv.id, 'to both of your devices');
    expect((await phone.mls.decrypt(m)).text).toBe('to both of your devices');
    expect((await bob!.mls.decrypt(m)).text).toBe('to both of your devices');
    const names = (await alice!.mls.devices(conv.id)).filter((d) => d.userId === users.bob!.user.id).map((d) => d.name).sort();
    expect(names).toEqual(['laptop', 'phone']);
    // The two fingerprints differ and are what people compare out of band.
    const fps = (await alice!.mls.devices(conv.id)).map((d) => d.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
    phone.close();
  });

  it('a device that missed epochs it can no longer fetch re-joins instead of staying undecryptable', async () => {
    const { alice, erin } = devs;
    const conv = await alice!.mls.createGroup({ name: 'Recover', memberIds: [users.erin!.user.id] });
    await erin!.mls.sync();
    await alice!.mls.addMembers(conv.id, [users.frank!.user.id]);
    await alice!.mls.addMembers(conv.id, [users.dave!.user.id]);
    // The commits Erin needs are gone (as after retention pruning).
    await t.server.svc.database.db.deleteFrom('mls_handshakes').where('conversation_id', '=', conv.id).where('epoch', '<', 2).execute();
    await erin!.mls.sync();
    expect(erin!.events.some((e) => e.type === 'rejoined' && e.conversationId === conv.id)).toBe(true);
    expect(await erin!.mls.epoch(conv.id)).toBe(4);
    await alice!.mls.sync();
    const m = await alice!.mls.send(conv.id, 'welcome back');
    expect((await erin!.mls.decrypt(m)).text).toBe('welcome back');
    // Erin's old leaf was replaced, not duplicated.
    expect((await alice!.mls.devices(conv.id)).filter((d) => d.userId === users.erin!.user.id)).toHaveLength(1);
  });
});

/** Tries to open `message` with a raw group state taken from storage (ts-mls directly, no SDK). */
async function cannotDecrypt(stateBytes: Uint8Array, message: Message): Promise<boolean> {
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  const state = { ...decodeGroupState(stateBytes, 0)![0], clientConfig: defaultClientConfig };
  const msg = decodeMlsMessage(new Uint8Array(Buffer.from(message.ciphertext!, 'base64')), 0)![0];
  if (msg.wireformat !== 'mls_private_message') return false;
  try {
    await processPrivateMessage(state, msg.privateMessage, emptyPskIndex, cs);
    return false;
  } catch {
    return true;
  }
}

void fs;
