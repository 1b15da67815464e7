/**
 * MLS devices, KeyPackages and bad input (E2E-1): stock and claims (one per device, last resort
 * kept, low-stock signal), policy on who may be handed a KeyPackage, and clear 4xx errors or
 * client-side rejections for garbage, replays, wrong credentials, expired lifetimes and oversize.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultCapabilities, encodeMlsMessage, generateKeyPackageWithKey, getCiphersuiteFromName, getCiphersuiteImpl,
  type CiphersuiteImpl, type KeyPackage,
} from 'ts-mls';
import { dialects, expectCode, startTestServer, type TestServer, type TestUser } from '@conclave/testkit';
import { cleanupDirs, openDevice, texts, type Device } from './mls-helpers';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe.each(dialects())('MLS key packages and bad input (E2E-1) [%s]', (dialect) => {
  let t: TestServer;
  let alice: TestUser, bob: TestUser, eve: TestUser;
  let a: Device, b: Device;
  let cs: CiphersuiteImpl;
  beforeAll(async () => {
    t = await startTestServer({ dialect });
    [alice, bob, eve] = await Promise.all([t.createUser({ name: 'Alice' }), t.createUser({ name: 'Bob' }), t.createUser({ name: 'Eve' })]);
    a = await openDevice(t, alice, { upload: false });
    b = await openDevice(t, bob, { upload: false });
    await a.mls.refillKeyPackages(3);
    cs = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  });
  afterAll(async () => {
    await t?.close();
    cleanupDirs();
  });

  /** A raw device of `u` registered over HTTP, and a KeyPackage factory for it. */
  async function rawDevice(u: TestUser) {
    const pair = await cs.signature.keygen();
    const { device } = await u.client.http.request('registerMlsDevice', { body: { name: 'raw', signaturePublicKey: b64(pair.publicKey) } });
    const make = async (o: { identity?: string; notBefore?: bigint; notAfter?: bigint; pair?: typeof pair } = {}): Promise<string> => {
      const now = BigInt(Math.floor(Date.now() / 1000));
      const { publicPackage } = await generateKeyPackageWithKey(
        { credentialType: 'basic', identity: new TextEncoder().encode(o.identity ?? `conclave:${u.user.id}:${device.id}`) }, defaultCapabilities(),
        { notBefore: o.notBefore ?? now - 60n, notAfter: o.notAfter ?? now + 86_400n }, [], o.pair ?? pair, cs,
      );
      return b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage as KeyPackage }));
    };
    return { device, make };
  }

  it('stock: one KeyPackage per claim, the last-resort one is never consumed, the owner is told to refill', async () => {
    const { device, make } = await rawDevice(bob);
    const up = await bob.client.http.request('uploadKeyPackages', { params: { id: device.id }, body: { keyPackages: [await make(), await make()], lastResort: await make() } });
    expect(up).toEqual({ available: 2, hasLastResort: true });
    const conv = await a.mls.createGroup({ name: 'Stock' });
    const claims = [];
    for (let i = 0; i < 4; i++) claims.push(await alice.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: [bob.user.id] } }));
    // Bob's SDK device (b) has none uploaded; the raw device hands out 2 regular, then the last resort twice.
    const fromRaw = claims.map((c) => c.keyPackages.filter((k) => k.deviceId === device.id));
    expect(fromRaw.map((k) => k.length)).toEqual([1, 1, 1, 1]);
    expect(fromRaw.map((k) => k[0]!.lastResort)).toEqual([false, false, true, true]);
    expect(new Set(fromRaw.slice(0, 2).map((k) => k[0]!.keyPackage)).size).toBe(2);
    const mine = (await bob.client.http.request('listMyMlsDevices')).devices.find((d) => d.id === device.id)!;
    expect([mine.availableKeyPackages, mine.hasLastResort]).toEqual([0, true]);
    const events = (await bob.client.sync(0)).events.filter((e) => e.type === 'mls.key_packages_low');
    expect(events.map((e) => e.data)).toContainEqual({ deviceId: device.id, available: 0 });
    // Other members see devices and fingerprints; outsiders see nothing.
    await expectCode(eve.client.http.request('listConversationDevices', { params: { id: conv.id } }), 'not_found');
  });

  it('KeyPackages with a wrong credential, a foreign key, an expired or overlong lifetime, or garbage are 400s', async () => {
    const { device, make } = await rawDevice(eve);
    const other = await cs.signature.keygen();
    const now = BigInt(Math.floor(Date.now() / 1000));
    const cases: Array<[string, Promise<string> | string, RegExp]> = [
      ['wrong identity', make({ identity: `conclave:${alice.user.id}:${device.id}` }), /credential must be/],
      ['not a device credential', make({ identity: 'eve@evil' }), /credential must be/],
      ['foreign signature key', make({ pair: other }), /registered key/],
      ['expired', make({ notBefore: now - 86_400n, notAfter: now - 10n }), /expired/],
      ['overlong lifetime', make({ notAfter: now + 10n * 365n * 86_400n }), /lifetime exceeds/],
      ['garbage', b64(new TextEncoder().encode('definitely not mls')), /not a decodable MLS message/],
    ];
    for (const [what, kp, msg] of cases) {
      const err = await expectCode(eve.client.http.request('uploadKeyPackages', { params: { id: device.id }, body: { keyPackages: [await kp] } }), 'validation_failed');
      expect(err.message, what).toMatch(msg);
      expect(err.message, what).toMatch(/^keyPackages\[0\]/);
    }
    // Someone else's device is not yours to stock.
    await expectCode(alice.client.http.request('uploadKeyPackages', { params: { id: device.id }, body: { keyPackages: [await make()] } }), 'not_found');
  });

  it('the server hands out no KeyPackage for someone who may not join (clearance), and members may not add without permission', async () => {
    const { device, make } = await rawDevice(eve);
    await eve.client.http.request('uploadKeyPackages', { params: { id: device.id }, body: { keyPackages: [await make()] } });
    await t.admin.client.users.update(alice.user.id, { clearance: 'confidential' });
    const secret = await a.mls.createGroup({ name: 'Confidential', level: 'confidential' });
    await expectCode(alice.client.http.request('claimKeyPackages', { params: { id: secret.id }, body: { userIds: [eve.user.id] } }), 'forbidden');
    expect((await eve.client.http.request('listMyMlsDevices')).devices.find((d) => d.id === device.id)!.availableKeyPackages).toBe(1);
    // A plain member of a group cannot pull others in (same rule as addMembers).
    await b.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Members', memberIds: [bob.user.id] });
    await b.mls.sync();
    await expectCode(bob.client.http.request('claimKeyPackages', { params: { id: conv.id }, body: { userIds: [eve.user.id] } }), 'forbidden');
  });

  it('garbage, foreign-group, oversized and stale commits get clear 4xx errors; the group is not stuck', async () => {
    await b.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Bad', memberIds: [bob.user.id] });
    const other = await a.mls.createGroup({ name: 'Other' });
    await b.mls.sync();
    const { groupInfo } = await alice.client.http.request('getMlsGroup', { params: { id: conv.id } });
    const post = (id: string, commit: string, gi = groupInfo) => alice.client.http.request('postMlsCommit', { params: { id }, body: { commit, groupInfo: gi } });
    let err = await expectCode(post(conv.id, b64(new TextEncoder().encode('garbage garbage'))), 'validation_failed');
    expect(err.message).toMatch(/^commit: is not a decodable MLS message/);
    const { handshakes } = await alice.client.http.request('listMlsHandshakes', { params: { id: conv.id }, query: { fromEpoch: 0 } });
    err = await expectCode(post(other.id, handshakes[0]!.data), 'validation_failed');
    expect(err.message).toMatch(/another group/);
    // A GroupInfo in the commit's place is the wrong wire format.
    err = await expectCode(post(conv.id, groupInfo), 'validation_failed');
    expect(err.message).toMatch(/must be an mls_public_message/);
    const huge = b64(new Uint8Array(3 * 1024 * 1024));
    await expectCode(post(conv.id, huge), 'payload_too_large');
    await expectCode(post(conv.id, handshakes[0]!.data), 'stale_epoch');
    // Still healthy: both can talk.
    await a.mls.send(conv.id, 'still fine');
    expect(await texts(b, conv.id)).toEqual(['still fine']);
    // Not a member: no group state, no handshakes.
    await expectCode(eve.client.http.request('getMlsGroup', { params: { id: conv.id } }), 'not_found');
    await expectCode(eve.client.http.request('listMlsHandshakes', { params: { id: conv.id }, query: { fromEpoch: 0 } }), 'not_found');
    // Publishing twice, or for a conversation that is not E2EE, is refused.
    await expectCode(alice.client.http.request('initMlsGroup', { params: { id: conv.id }, body: { groupInfo } }), 'conflict');
    const plain = (await alice.client.conversations.create({ kind: 'group', name: 'Plain' })).conversation;
    expect((await expectCode(alice.client.http.request('initMlsGroup', { params: { id: plain.id }, body: { groupInfo } }), 'conflict')).message).toMatch(/not end-to-end encrypted/);
  });

  it('garbage, replayed and re-attributed application messages become clean client-side rejections', async () => {
    await b.mls.refillKeyPackages(2);
    const e = await openDevice(t, eve, { upload: false });
    await e.mls.refillKeyPackages(2);
    const conv = await a.mls.createGroup({ name: 'Replay', memberIds: [bob.user.id, eve.user.id] });
    await b.mls.sync();
    await e.mls.sync();
    const real = await a.mls.send(conv.id, 'original');
    await alice.client.messages.send(conv.id, { ciphertext: b64(new TextEncoder().encode('not mls at all')) });
    await alice.client.messages.send(conv.id, { ciphertext: real.ciphertext! });
    // Bob re-posts Alice's next ciphertext as his own message: the MLS sender is not the author.
    const next = await a.mls.send(conv.id, 'from alice');
    const forged = (await bob.client.messages.send(conv.id, { ciphertext: next.ciphertext! })).message;
    expect((await e.mls.decrypt(forged)).reason).toMatch(/not the message's author/);
    const seen = await b.mls.messages(conv.id);
    expect(seen.map((m) => m.status)).toEqual(['ok', 'rejected', 'rejected', 'ok', 'rejected']);
    expect(seen.map((m) => m.text)).toEqual(['original', null, null, 'from alice', null]);
    expect(seen[2]!.reason).toMatch(/replayed/);
    expect(b.events.filter((x) => x.type === 'rejected' && x.conversationId === conv.id)).toHaveLength(3);
    // A device that is not in the group gets a rejection, not an exception.
    const outsider = await openDevice(t, await t.createUser(), { upload: false });
    expect((await outsider.mls.decrypt(real)).status).toBe('undecryptable');
  });
});
