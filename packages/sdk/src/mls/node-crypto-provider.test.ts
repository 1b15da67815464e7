/**
 * The native provider must be indistinguishable from ts-mls's default one (E2E-1): a Node client
 * uses it, a browser client uses the default, and they share groups. Each piece is checked
 * against the default provider (same outputs; what one makes the other accepts), against RFC
 * vectors where they exist, and in a group with one member on each provider.
 */
import { spawnSync } from 'node:child_process';
import { hkdfSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  acceptAll, createApplicationMessage, createCommit, createGroup, createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage, defaultCapabilities, defaultCryptoProvider, defaultLifetime, emptyPskIndex, encodeMlsMessage,
  generateKeyPackage, getCiphersuiteFromName, joinGroup, joinGroupExternal, processMessage,
  type CiphersuiteImpl, type CiphersuiteName, type ClientState, type MLSMessage, type Proposal,
} from 'ts-mls';
import { hkdfExpand, hkdfExtract, nodeCryptoProvider, nodeHpkeCipherSuite, NodeHpkeKey } from './node-crypto-provider';
import { runtimeCryptoProvider } from './runtime-crypto';
import { publicKeyEquality } from './key-package-equality';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';

const SUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
const hexOf = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');
const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const rnd = (n: number) => new Uint8Array(randomBytes(n));
const enc = new TextEncoder();
const dec = new TextDecoder();

async function impls(name: CiphersuiteName = SUITE): Promise<{ native: CiphersuiteImpl; dflt: CiphersuiteImpl }> {
  const cs = getCiphersuiteFromName(name);
  return { native: await nodeCryptoProvider.getCiphersuiteImpl(cs), dflt: await defaultCryptoProvider.getCiphersuiteImpl(cs) };
}

describe('native crypto provider: pieces against the default provider', () => {
  it('is what the SDK picks on Node', async () => {
    const { kind, provider } = await runtimeCryptoProvider();
    expect(kind).toBe('node');
    expect(provider).toBe(nodeCryptoProvider);
  });

  for (const name of ['MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519', 'MLS_256_DHKEMP384_AES256GCM_SHA384_P384', 'MLS_256_DHKEMP521_AES256GCM_SHA512_P521'] as const) {
    it(`hash, HMAC and HKDF give the default provider's bytes (${name})`, async () => {
      const { native, dflt } = await impls(name);
      const size = native.kdf.size;
      expect(size).toBe(dflt.kdf.size);
      for (const n of [0, 1, 31, 64, 129, 5000]) {
        const data = rnd(n);
        const key = rnd(n % 7 === 0 ? 32 : n);
        expect(hexOf(await native.hash.digest(data))).toBe(hexOf(await dflt.hash.digest(data)));
        const mac = await native.hash.mac(key, data);
        expect(hexOf(mac)).toBe(hexOf(await dflt.hash.mac(key, data)));
        expect(await native.hash.verifyMac(key, mac, data)).toBe(true);
        const bad = mac.slice();
        bad[0]! ^= 1;
        expect(await native.hash.verifyMac(key, bad, data)).toBe(false);
        expect(await dflt.hash.verifyMac(key, bad, data)).toBe(false);
        expect(await native.hash.verifyMac(key, mac.subarray(1), data)).toBe(false);

        for (const salt of [new Uint8Array(0), rnd(size)]) {
          const prk = await native.kdf.extract(salt, data);
          expect(hexOf(prk)).toBe(hexOf(await dflt.kdf.extract(salt, data)));
          for (const len of [0, 1, 12, 16, size, size + 1, 3 * size + 5]) {
            expect(hexOf(await native.kdf.expand(prk, data, len))).toBe(hexOf(await dflt.kdf.expand(prk, data, len)));
          }
        }
      }
      // Both refuse what @hpke/core's HKDF refuses, so the two clients reject the same inputs.
      await expect(native.kdf.extract(rnd(size - 1), rnd(8))).rejects.toThrow();
      await expect(dflt.kdf.extract(rnd(size - 1), rnd(8))).rejects.toThrow();
      await expect(native.kdf.expand(rnd(size), rnd(8), 255 * size + 1)).rejects.toThrow();
      await expect(dflt.kdf.expand(rnd(size), rnd(8), 255 * size + 1)).rejects.toThrow();
    });
  }

  it('HKDF matches RFC 5869 (test cases 1 and 3) and node:crypto hkdfSync', () => {
    // Case 1: its 13-byte salt is refused by both providers' extract (see above), so its PRK is
    // taken from the RFC and expand is checked; case 3 (no salt) goes through both steps.
    const okm1 = hkdfExpand('sha256', bytes('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5'), bytes('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(hexOf(okm1)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
    const ikm = new Uint8Array(22).fill(0x0b);
    const prk3 = hkdfExtract('sha256', new Uint8Array(0), ikm);
    expect(hexOf(prk3)).toBe('19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
    expect(hexOf(hkdfExpand('sha256', prk3, new Uint8Array(0), 42))).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
    for (const h of ['sha256', 'sha384', 'sha512'] as const) {
      const size = { sha256: 32, sha384: 48, sha512: 64 }[h];
      const [i, s, inf] = [rnd(40), rnd(size), rnd(70)];
      expect(hexOf(hkdfExpand(h, hkdfExtract(h, s, i), inf, 200))).toBe(hexOf(new Uint8Array(hkdfSync(h, i, s, inf, 200))));
    }
  });

  it('Ed25519 matches RFC 8032 (tests 1 and 2) with a 32-byte seed as the default provider accepts it', async () => {
    const { native, dflt } = await impls();
    const vectors = [
      { sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', msg: '',
        sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b' },
      { sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', msg: '72',
        sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00' },
    ];
    for (const v of vectors) {
      expect(hexOf(await native.signature.sign(bytes(v.sk), bytes(v.msg)))).toBe(v.sig);
      expect(hexOf(await dflt.signature.sign(bytes(v.sk), bytes(v.msg)))).toBe(v.sig);
      expect(await native.signature.verify(bytes(v.pk), bytes(v.msg), bytes(v.sig))).toBe(true);
    }
  });

  it('Ed25519 keys and signatures cross over in both directions', async () => {
    const { native, dflt } = await impls();
    for (const [maker, other] of [[native, dflt], [dflt, native]] as const) {
      const kp = await maker.signature.keygen();
      // Same formats as the default provider on Node: raw public key, PKCS#8 secret key.
      expect(kp.publicKey.byteLength).toBe(32);
      expect(kp.signKey.byteLength).toBe(48);
      const msg = rnd(300);
      const s1 = await maker.signature.sign(kp.signKey, msg);
      const s2 = await other.signature.sign(kp.signKey, msg);
      expect(hexOf(s1)).toBe(hexOf(s2)); // Ed25519 is deterministic
      for (const v of [maker, other]) {
        expect(await v.signature.verify(kp.publicKey, msg, s1)).toBe(true);
        const bad = s1.slice();
        bad[10]! ^= 4;
        expect(await v.signature.verify(kp.publicKey, msg, bad)).toBe(false);
        expect(await v.signature.verify(kp.publicKey, rnd(300), s1)).toBe(false);
        expect(await v.signature.verify(kp.publicKey, msg, s1.subarray(1))).toBe(false);
        await expect(v.signature.verify(kp.publicKey.subarray(1), msg, s1)).rejects.toThrow();
        // Not points of the curve, or of small order: refused the same way by both.
        for (const odd of [new Uint8Array(32).fill(0xff), new Uint8Array(32), bytes('01' + '00'.repeat(31))]) {
          expect(await v.signature.verify(odd, msg, s1)).toBe(false);
        }
      }
    }
  });

  it('HPKE: what one seals the other opens, keys cross over, DeriveKeyPair and exporter agree', async () => {
    const { native, dflt } = await impls();
    const info = rnd(40);
    const aad = rnd(17);
    const pt = rnd(1000);
    for (const [maker, other] of [[native, dflt], [dflt, native]] as const) {
      // The recipient's key pair is made by one provider and serialised; the sender imports it with the other.
      const kp = await maker.hpke.generateKeyPair();
      const pub = await maker.hpke.exportPublicKey(kp.publicKey);
      const priv = await maker.hpke.exportPrivateKey(kp.privateKey);
      expect([pub.byteLength, priv.byteLength]).toEqual([32, 32]);
      const sealed = await other.hpke.seal(await other.hpke.importPublicKey(pub), pt, info, aad);
      expect(hexOf(await maker.hpke.open(kp.privateKey, sealed.enc, sealed.ct, info, aad))).toBe(hexOf(pt));
      expect(hexOf(await other.hpke.open(await other.hpke.importPrivateKey(priv), sealed.enc, sealed.ct, info, aad))).toBe(hexOf(pt));
      const back = await maker.hpke.seal(kp.publicKey, pt, info);
      expect(hexOf(await other.hpke.open(await other.hpke.importPrivateKey(priv), back.enc, back.ct, info))).toBe(hexOf(pt));
      // Tampering is refused by both.
      const bad = sealed.ct.slice();
      bad[5]! ^= 1;
      await expect(maker.hpke.open(kp.privateKey, sealed.enc, bad, info, aad)).rejects.toThrow();
      await expect(maker.hpke.open(kp.privateKey, sealed.enc, sealed.ct, info, rnd(17))).rejects.toThrow();
      // Exporter (MLS external init uses it).
      const ex = await other.hpke.exportSecret(await other.hpke.importPublicKey(pub), rnd(0), 32, info);
      expect(hexOf(await maker.hpke.importSecret(kp.privateKey, rnd(0), ex.enc, 32, info))).toBe(hexOf(ex.secret));
      // MLS's own AEAD.
      const key = rnd(16);
      const nonce = rnd(12);
      const c = await maker.hpke.encryptAead(key, nonce, aad, pt);
      expect(hexOf(await other.hpke.decryptAead(key, nonce, aad, c))).toBe(hexOf(pt));
      expect(hexOf(await other.hpke.encryptAead(key, nonce, undefined, pt))).toBe(hexOf(await maker.hpke.encryptAead(key, nonce, new Uint8Array(0), pt)));
      await expect(other.hpke.decryptAead(key, nonce, rnd(3), c)).rejects.toThrow();
    }
    for (let i = 0; i < 5; i++) {
      const ikm = rnd(32);
      const a = await native.hpke.deriveKeyPair(ikm);
      const b = await dflt.hpke.deriveKeyPair(ikm);
      expect(a.privateKey).toBeInstanceOf(NodeHpkeKey);
      expect(hexOf(await native.hpke.exportPrivateKey(a.privateKey))).toBe(hexOf(await dflt.hpke.exportPrivateKey(b.privateKey)));
      expect(hexOf(await native.hpke.exportPublicKey(a.publicKey))).toBe(hexOf(await dflt.hpke.exportPublicKey(b.publicKey)));
    }
    // The info_hash memo (same info for every new member of a Welcome) must never serve a stale
    // hash: equal, different, same-length-but-different and mutated-after-use infos alike.
    const kpm = await dflt.hpke.generateKeyPair();
    const pubm = await native.hpke.importPublicKey(await dflt.hpke.exportPublicKey(kpm.publicKey));
    const big = rnd(50_000);
    const variants = [big, big.slice(), rnd(50_000), Uint8Array.from(big, (x, i) => (i === big.length - 1 ? x ^ 1 : x)), big.subarray(1), new Uint8Array(0), big];
    for (const v of variants) {
      const s = await native.hpke.seal(pubm, pt, v);
      expect(hexOf(await dflt.hpke.open(kpm.privateKey, s.enc, s.ct, v))).toBe(hexOf(pt));
      if (!v.length) continue;
      v.fill(v[0]! ^ 0xff); // the caller may reuse its buffer
      await expect(dflt.hpke.open(kpm.privateKey, s.enc, s.ct, v)).rejects.toThrow();
      const again = await native.hpke.seal(pubm, pt, v);
      expect(hexOf(await dflt.hpke.open(kpm.privateKey, again.enc, again.ct, v))).toBe(hexOf(pt));
    }
    // A low-order ephemeral key (all-zero shared secret) is refused, as RFC 9180 §7.1.4 requires.
    const kp = await native.hpke.generateKeyPair();
    const sealed = await native.hpke.seal(kp.publicKey, pt, info);
    await expect(native.hpke.open(kp.privateKey, new Uint8Array(32), sealed.ct, info)).rejects.toThrow();
    await expect(native.hpke.importPublicKey(rnd(31))).rejects.toThrow();
  });

  // RFC 9180 Appendix A.1.1 (AES-128-GCM) and A.2.1 (ChaCha20-Poly1305), base mode, sequence 0,
  // with the appendix's ephemeral key: the native suite must produce exactly its enc and ciphertext.
  for (const v of [
    { aead: 'AES128GCM' as const, skEm: '52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736', skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
      pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d', enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
      ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a' },
    { aead: 'CHACHA20POLY1305' as const, skEm: 'f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600', skRm: '8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb',
      pkRm: '4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a', enc: null,
      ct: '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28' },
  ]) {
    it(`HPKE reproduces RFC 9180's ${v.aead} base-mode vector`, async () => {
      const suite = nodeHpkeCipherSuite({ kem: 'DHKEM-X25519-HKDF-SHA256', kdf: 'HKDF-SHA256', aead: v.aead });
      const info = bytes('4f6465206f6e2061204772656369616e2055726e');
      const aad = bytes('436f756e742d30');
      const pt = bytes('4265617574792069732074727574682c20747275746820626561757479');
      const skE = await suite.kem.deserializePrivateKey(bytes(v.skEm));
      const pkE = await (suite.kem as unknown as { _prim: { derivePublicKey(k: CryptoKey): Promise<CryptoKey> } })._prim.derivePublicKey(skE);
      const pkR = await suite.kem.deserializePublicKey(bytes(v.pkRm));
      const sealed = await suite.seal({ recipientPublicKey: pkR, info, ekm: { privateKey: skE, publicKey: pkE } }, pt, aad);
      if (v.enc) expect(hexOf(sealed.enc)).toBe(v.enc);
      expect(hexOf(sealed.ct)).toBe(v.ct);
      const skR = await suite.kem.deserializePrivateKey(bytes(v.skRm));
      expect(hexOf(await suite.kem.serializePublicKey(await (suite.kem as unknown as { _prim: { derivePublicKey(k: CryptoKey): Promise<CryptoKey> } })._prim.derivePublicKey(skR)))).toBe(v.pkRm);
      expect(hexOf(await suite.open({ recipientKey: skR, enc: sealed.enc, info }, bytes(v.ct), aad))).toBe(hexOf(pt));
    });
  }

  it('makes and serialises keys under GC pressure without deadlocking (Node 20 JWK-export bug)', () => {
    // A JWK export of a generated X25519/Ed25519 key can deadlock Node 20 inside a GC (see
    // exportRawPublic). Run in a child process so that a regression fails by timeout here
    // instead of hanging the test runner.
    const provider = fileURLToPath(new URL('./node-crypto-provider.ts', import.meta.url));
    // Many key pairs first, then their exports: the generation jobs are garbage by then, so a GC
    // during an export can collect them (this pattern hangs the JWK-exporting code in seconds).
    const script = `
      const { nodeCryptoProvider } = await import(${JSON.stringify(provider)});
      const { getCiphersuiteFromName } = await import('ts-mls');
      const cs = await nodeCryptoProvider.getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
      for (let round = 0; round < 100; round++) {
        const pairs = await Promise.all(Array.from({ length: 200 }, () => cs.hpke.generateKeyPair()));
        for (const kp of pairs) {
          await cs.hpke.exportPublicKey(kp.publicKey);
          await cs.hpke.exportPrivateKey(kp.privateKey);
        }
        await Promise.all(Array.from({ length: 20 }, () => cs.signature.keygen()));
      }
      process.stdout.write('done');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 45_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.stdout).toBe('done');
  });

  it('suites without a native KEM or signature fall back to the default provider for those pieces', async () => {
    const { native, dflt } = await impls('MLS_256_DHKEMP384_AES256GCM_SHA384_P384');
    const kp = await native.hpke.generateKeyPair();
    const sealed = await dflt.hpke.seal(await dflt.hpke.importPublicKey(await native.hpke.exportPublicKey(kp.publicKey)), enc.encode('p384'), rnd(8));
    expect(sealed.enc.byteLength).toBe(97);
    expect(native.rng.randomBytes(48).byteLength).toBe(48);
    expect(hexOf(native.rng.randomBytes(32))).not.toBe(hexOf(native.rng.randomBytes(32)));
  });
});

// ---------------------------------------------------------------------------------- interop

/** Sends an MLS message over "the wire": encoded to bytes and decoded again. */
function wire(m: MLSMessage): MLSMessage {
  const decoded = decodeMlsMessage(encodeMlsMessage(m), 0);
  if (!decoded) throw new Error('undecodable');
  return decoded[0];
}

async function member(name: string, cs: CiphersuiteImpl) {
  return { name, cs, kp: await generateKeyPackage({ credentialType: 'basic', identity: enc.encode(name) }, defaultCapabilities(), defaultLifetime, [], cs) };
}

async function apply(state: ClientState, m: MLSMessage, cs: CiphersuiteImpl): Promise<ClientState> {
  const res = await processMessage(wire(m) as never, state, emptyPskIndex, acceptAll, cs);
  expect(res.kind).toBe('newState');
  return res.newState;
}

async function say(from: { state: ClientState; cs: CiphersuiteImpl }, text: string, to: Array<{ state: ClientState; cs: CiphersuiteImpl }>): Promise<void> {
  const out = await createApplicationMessage(from.state, enc.encode(text), from.cs);
  from.state = out.newState;
  for (const r of to) {
    const res = await processMessage(wire({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: out.privateMessage }) as never, r.state, emptyPskIndex, acceptAll, r.cs);
    if (res.kind !== 'applicationMessage') throw new Error(`expected an application message, got ${res.kind}`);
    expect(dec.decode(res.message)).toBe(text);
    r.state = res.newState;
  }
}

describe('native crypto provider: a group shared with default-provider (browser) members', () => {
  it('creates, adds, commits, sends and decrypts in both directions', async () => {
    const { native, dflt } = await impls();
    const alice = await member('alice (node)', native);
    const bob = await member('bob (browser)', dflt);
    const carol = await member('carol (node)', native);
    const dave = await member('dave (browser)', dflt);

    // Alice (native) creates the group and adds Bob (default) with a PublicMessage commit.
    const a = { cs: native, state: await createGroup(enc.encode('interop'), alice.kp.publicPackage, alice.kp.privatePackage, [], native) };
    const add = (kp: typeof bob.kp) => ({ proposalType: 'add', add: { keyPackage: kp.publicPackage } }) as Proposal;
    let res = await createCommit({ state: a.state, cipherSuite: native }, { extraProposals: [add(bob.kp)], wireAsPublicMessage: true, ratchetTreeExtension: true });
    a.state = res.newState;
    const welcome = wire({ version: 'mls10', wireformat: 'mls_welcome', welcome: res.welcome! });
    if (welcome.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
    const b = { cs: dflt, state: await joinGroup(welcome.welcome, bob.kp.publicPackage, bob.kp.privatePackage, emptyPskIndex, dflt) };
    await say(a, 'hello from node', [b]);
    await say(b, 'hello from the browser', [a]);

    // Bob (default) adds Carol (native) with an encrypted (PrivateMessage) commit.
    res = await createCommit({ state: b.state, cipherSuite: dflt }, { extraProposals: [add(carol.kp)], ratchetTreeExtension: true });
    b.state = res.newState;
    a.state = await apply(a.state, res.commit, native);
    const c = { cs: native, state: await joinGroup(res.welcome!, carol.kp.publicPackage, carol.kp.privatePackage, emptyPskIndex, native) };
    await say(c, 'carol here', [a, b]);
    await say(b, 'bob again', [a, c]);

    // Alice (native) commits a path update (fresh keys HPKE-encrypted to Bob and Carol).
    res = await createCommit({ state: a.state, cipherSuite: native }, { wireAsPublicMessage: true });
    a.state = res.newState;
    b.state = await apply(b.state, res.commit, dflt);
    c.state = await apply(c.state, res.commit, native);
    await say(a, 'after the update', [b, c]);

    // Dave (default) joins by external commit from a GroupInfo Carol (native) published.
    const gi = wire({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: await createGroupInfoWithExternalPubAndRatchetTree(c.state, [], native) });
    if (gi.wireformat !== 'mls_group_info') throw new Error('not a GroupInfo');
    const ext = await joinGroupExternal(gi.groupInfo, dave.kp.publicPackage, dave.kp.privatePackage, false, dflt);
    const d = { cs: dflt, state: ext.newState };
    const extMsg: MLSMessage = { version: 'mls10', wireformat: 'mls_public_message', publicMessage: ext.publicMessage };
    a.state = await apply(a.state, extMsg, native);
    b.state = await apply(b.state, extMsg, dflt);
    c.state = await apply(c.state, extMsg, native);
    await say(d, 'dave joined', [a, b, c]);
    await say(c, 'welcome dave', [a, b, d]);

    // Bob (default) removes Alice (native); the rest carry on, and every member agrees on the epoch.
    res = await createCommit({ state: b.state, cipherSuite: dflt }, { extraProposals: [{ proposalType: 'remove', remove: { removed: 0 } } as Proposal], wireAsPublicMessage: true });
    b.state = res.newState;
    c.state = await apply(c.state, res.commit, native);
    d.state = await apply(d.state, res.commit, dflt);
    await say(d, 'without alice', [b, c]);
    expect(new Set([b, c, d].map((m) => m.state.groupContext.epoch)).size).toBe(1);
    expect(hexOf(b.state.keySchedule.epochAuthenticator)).toBe(hexOf(c.state.keySchedule.epochAuthenticator));
  });
});

describe('MlsClient\'s duplicate-Add comparison (key-package-equality.ts)', () => {
  it('still refuses a commit adding the same client twice, and the same client already in the group', async () => {
    const { native } = await impls();
    const config = { ...defaultClientConfig, keyPackageEqualityConfig: publicKeyEquality };
    const alice = await member('alice', native);
    const bob = await member('bob', native);
    const state = await createGroup(enc.encode('dup'), alice.kp.publicPackage, alice.kp.privatePackage, [], native, config);
    const add = { proposalType: 'add', add: { keyPackage: bob.kp.publicPackage } } as Proposal;
    await expect(createCommit({ state, cipherSuite: native }, { extraProposals: [add, add] })).rejects.toThrow(/same client/);
    const addAlice = { proposalType: 'add', add: { keyPackage: alice.kp.publicPackage } } as Proposal;
    await expect(createCommit({ state, cipherSuite: native }, { extraProposals: [addAlice] })).rejects.toThrow(/already in the group/);
    const ok = await createCommit({ state, cipherSuite: native }, { extraProposals: [add] });
    expect(ok.welcome).toBeDefined();
  });
});
