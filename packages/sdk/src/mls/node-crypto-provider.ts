/**
 * A ts-mls {@link CryptoProvider} on Node's native crypto (node:crypto / OpenSSL), for E2E-1's
 * performance target (a commit adding 1 000 members in < 600 ms).
 *
 * Why: ts-mls's default provider does every hash, HMAC, HKDF step, X25519 and AES-GCM operation
 * through WebCrypto's `crypto.subtle`. On Node each of those calls is a round trip through
 * libuv's thread pool, and ts-mls awaits them one after another, so a large commit spends most
 * of its time waiting rather than computing (a profile of bench/mls.ts showed the main thread
 * ~92 % idle). node:crypto does the same operations synchronously, in microseconds; here they
 * are returned as already-resolved promises.
 *
 * What is native, and what is not:
 * - `hash`, `kdf`, `rng`: every MLS ciphersuite's SHA-2 (createHash / createHmac, HKDF per
 *   RFC 5869 composed from HMAC), randomFillSync.
 * - `signature`: Ed25519 (sign/verify with KeyObjects built from the raw 32-byte public key and
 *   the PKCS#8 or 32-byte-seed secret key, the formats ts-mls's default provider produces and
 *   accepts). Other signature schemes: the default provider's.
 * - `hpke`: for DHKEM(X25519, HKDF-SHA256) with AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305.
 *   HPKE itself (RFC 9180: encap/decap, key schedule, labeled KDF, nonces, exporter) stays in
 *   @hpke/core's `CipherSuite` and `Dhkem`; only the primitives under it are native: X25519
 *   key generation, serialisation and Diffie-Hellman, HKDF extract/expand, the AEAD. DHKEM's
 *   DeriveKeyPair (rare: one per UpdatePath node) is left to @hpke/core's own WebCrypto
 *   implementation and its result converted. Other KEMs: the default provider's.
 *
 * Two things make it fast beyond being synchronous: public keys are imported from JWK (OpenSSL's
 * DER decoder costs 10-20x more per key; keys are never *exported* as JWK, see exportRawPublic)
 * and cached, and HPKE's info_hash is remembered for the
 * next seal with the same info (a Welcome uses one ~345 KB info for every new member; see
 * {@link nodeHkdf}).
 *
 * No primitive is implemented here: everything is node:crypto or @hpke/core. Outputs are
 * byte-identical to the default provider's (node-crypto-provider.test.ts checks each piece
 * against it, RFC 5869 / RFC 8032 / RFC 9180 vectors, and a group with one native and one
 * default member), so a Node client and a browser client (default provider) interoperate.
 *
 * Node only: it imports node:crypto. Browser bundles must not import this module; the SDK
 * loads it dynamically on Node (see runtime-crypto.ts).
 */
import {
  KeyObject, type JsonWebKey as NodeJsonWebKey, createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman,
  generateKeyPairSync, randomFillSync, sign as nodeSign, timingSafeEqual, verify as nodeVerify,
} from 'node:crypto';
import {
  AeadId, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, HkdfSha384, HkdfSha512, KemId,
  type AeadEncryptionContext, type AeadInterface,
} from '@hpke/core';
import {
  defaultCryptoProvider, type AeadAlgorithm, type Ciphersuite, type CiphersuiteImpl, type CryptoProvider, type Hash,
  type HashAlgorithm, type Hpke, type HpkeAlgorithm, type Kdf, type KdfAlgorithm, type Rng, type Signature,
} from 'ts-mls';
import { makeGenericHpke } from 'ts-mls/crypto/implementation/hpke.js';

type NodeHash = 'sha256' | 'sha384' | 'sha512';

const NODE_HASH: Record<HashAlgorithm, NodeHash> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const KDF_HASH: Record<KdfAlgorithm, NodeHash> = { 'HKDF-SHA256': 'sha256', 'HKDF-SHA384': 'sha384', 'HKDF-SHA512': 'sha512' };
const HASH_SIZE: Record<NodeHash, number> = { sha256: 32, sha384: 48, sha512: 64 };

// DER wrappers for raw keys (RFC 8410): the fixed prefix of a PrivateKeyInfo / SubjectPublicKeyInfo
// whose only variable part is the 32-byte key. Encoding, not cryptography.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * A fresh plain Uint8Array. node:crypto returns Buffers, which may be views into a shared pool
 * and whose `slice` does not copy; ts-mls treats its byte arrays as owned, plain Uint8Arrays.
 */
function own(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** A standalone ArrayBuffer holding exactly `b` (what @hpke/core's interfaces return). */
function arrayBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
}

/** A view of @hpke/core's `ArrayBufferLike | ArrayBufferView` inputs, without copying. */
function view(x: ArrayBufferLike | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x);
}

// ------------------------------------------------------------------------------------ hash, HKDF

/** HKDF-Extract (RFC 5869 §2.2) = HMAC-Hash(salt, IKM); an absent salt is HashLen zero bytes. */
export function hkdfExtract(hash: NodeHash, salt: Uint8Array, ikm: Uint8Array): Buffer {
  const size = HASH_SIZE[hash];
  // Same rule as the default provider (@hpke/core's HKDF): MLS and HPKE only ever extract with
  // an empty or hash-sized salt, and refusing anything else keeps both providers rejecting the
  // same inputs.
  if (salt.byteLength !== 0 && salt.byteLength !== size) throw new Error('The salt length must be the same as the hashSize');
  return createHmac(hash, salt.byteLength === 0 ? Buffer.alloc(size) : salt).update(ikm).digest();
}

/**
 * HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = first L bytes.
 * node:crypto has no expand-only call (hkdfSync always extracts first), so it is composed here
 * from HMAC exactly as @hpke/core composes it from WebCrypto HMAC.
 */
export function hkdfExpand(hash: NodeHash, prk: Uint8Array, info: Uint8Array, len: number): Buffer {
  const size = HASH_SIZE[hash];
  if (len > 255 * size) throw new Error('Entropy limit reached');
  const blocks: Buffer[] = [];
  let prev: Buffer = Buffer.alloc(0);
  for (let i = 1, have = 0; have < len; i++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Uint8Array.of(i)).digest();
    blocks.push(prev);
    have += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, len);
}

function makeHash(alg: HashAlgorithm): Hash {
  const h = NODE_HASH[alg];
  return {
    async digest(data) {
      return own(createHash(h).update(data).digest());
    },
    async mac(key, data) {
      return own(createHmac(h, key).update(data).digest());
    },
    async verifyMac(key, mac, data) {
      const expected = createHmac(h, key).update(data).digest();
      return mac.byteLength === expected.byteLength && timingSafeEqual(expected, mac);
    },
  };
}

function makeKdf(alg: KdfAlgorithm): Kdf {
  const h = KDF_HASH[alg];
  return {
    async extract(salt, ikm) {
      return own(hkdfExtract(h, salt, ikm));
    },
    async expand(prk, info, len) {
      return own(hkdfExpand(h, prk, info, len));
    },
    size: HASH_SIZE[h],
  };
}

// RFC 9180's "info_hash" label (b"info_hash").
const LABEL_INFO_HASH = Buffer.from('info_hash', 'ascii');

/**
 * @hpke/core's HKDF class (which builds RFC 9180's labeled inputs and suite ids) with its three
 * HKDF operations swapped for the native ones above, and one memo.
 *
 * The memo: HPKE's key schedule hashes the whole `info` for every seal/open
 * (info_hash = LabeledExtract("", "info_hash", info)), and MLS's Welcome uses the entire
 * encrypted GroupInfo — ratchet tree included, ~345 KB at 1 000 members — as that info for every
 * new member, so adding N members hashes N copies of it (quadratic). The result depends on the
 * bytes only, so the last one is remembered and reused when the next info is byte-for-byte equal
 * (one memcmp instead of one HMAC over it). Only this label is memoised: its input is public
 * context; secrets (DH output, PSKs) never enter the memo.
 * (`any[]` below: the constructor signature TypeScript requires of a mixin's base.)
 */
function nodeHkdf<B extends new (...args: any[]) => InstanceType<typeof HkdfSha256>>(Base: B, hash: NodeHash) {
  return class NodeHkdf extends Base {
    private lastInfo: Buffer | undefined;
    private lastInfoHash: Buffer | undefined;

    override async extract(salt: ArrayBufferLike | ArrayBufferView, ikm: ArrayBufferLike | ArrayBufferView): Promise<ArrayBuffer> {
      return arrayBuffer(hkdfExtract(hash, view(salt), view(ikm)));
    }
    override async expand(prk: ArrayBufferLike | ArrayBufferView, info: ArrayBufferLike | ArrayBufferView, len: number): Promise<ArrayBuffer> {
      return arrayBuffer(hkdfExpand(hash, view(prk), view(info), len));
    }
    override async extractAndExpand(salt: ArrayBufferLike | ArrayBufferView, ikm: ArrayBufferLike | ArrayBufferView, info: ArrayBufferLike | ArrayBufferView, len: number): Promise<ArrayBuffer> {
      return arrayBuffer(hkdfExpand(hash, hkdfExtract(hash, view(salt), view(ikm)), view(info), len));
    }
    override async labeledExtract(salt: ArrayBufferLike | ArrayBufferView, label: Uint8Array, ikm: Uint8Array): Promise<ArrayBuffer> {
      const memo = salt.byteLength === 0 && LABEL_INFO_HASH.equals(label);
      if (memo && this.lastInfo && this.lastInfoHash && this.lastInfo.equals(ikm)) return arrayBuffer(this.lastInfoHash);
      // What @hpke/core's labeledExtract does, without an await in between: ts-mls seals a
      // Welcome's secrets concurrently, and the memo must be in place before the next one looks.
      const out = hkdfExtract(hash, view(salt), this.buildLabeledIkm(label, ikm));
      if (memo) {
        this.lastInfo = Buffer.from(ikm);
        this.lastInfoHash = out;
      }
      return arrayBuffer(out);
    }
  };
}

/** @hpke/core's HKDF-SHA256 with native extract/expand (see {@link nodeHkdf}). */
export const NodeHkdfSha256 = nodeHkdf(HkdfSha256, 'sha256');
/** @hpke/core's HKDF-SHA384 with native extract/expand. */
export const NodeHkdfSha384 = nodeHkdf(HkdfSha384, 'sha384');
/** @hpke/core's HKDF-SHA512 with native extract/expand. */
export const NodeHkdfSha512 = nodeHkdf(HkdfSha512, 'sha512');

// ------------------------------------------------------------------------------------ raw keys

/**
 * Public KeyObjects from raw keys, imported as JWK: node:crypto builds those straight from the
 * raw bytes, while a DER (SPKI) import goes through OpenSSL 3's decoder framework and costs
 * 10-20x more (~40 µs against ~400 µs here) — at 1 000 members that alone was most of a commit.
 * Public keys are public, so a bounded cache is harmless; it catches the same key being checked
 * twice (a KeyPackage's and its leaf node's signature) and members' keys reused across commits.
 */
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE = 4096;

function rawPublicKey(crv: 'Ed25519' | 'X25519', raw: Uint8Array): KeyObject {
  if (raw.byteLength !== 32) throw new Error(`${crv} public key must be 32 bytes`);
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  const id = crv + x;
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv, x }, format: 'jwk' });
    if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(id, key);
  }
  return key;
}

// Raw keys out of KeyObjects go through DER, never JWK: in Node 20 a JWK export of an Ed25519/
// X25519 key holds the key's mutex while allocating, and if that allocation runs a GC which
// collects the generateKeyPairSync job that made the key, the job's destructor takes the same
// mutex and the process deadlocks (reproduced: a loop of generateKeyPairSync('x25519') +
// export({ format: 'jwk' }) hangs within seconds). DER export takes no lock.

/** The 32 raw key bytes of a DER encoding that must be exactly `prefix` + 32 bytes. */
function unwrapDer(der: Buffer, prefix: Buffer): Buffer {
  if (der.byteLength !== prefix.byteLength + 32 || !prefix.equals(der.subarray(0, prefix.byteLength))) throw new Error('unexpected DER key encoding');
  return der.subarray(prefix.byteLength);
}

/** The raw 32-byte public value of an Ed25519 / X25519 KeyObject. */
function exportRawPublic(key: KeyObject): Buffer {
  return unwrapDer(key.export({ format: 'der', type: 'spki' }), key.asymmetricKeyType === 'ed25519' ? ED25519_SPKI_PREFIX : X25519_SPKI_PREFIX);
}

/** The raw 32-byte private value of an X25519 KeyObject. */
function exportRawPrivate(key: KeyObject): Buffer {
  return unwrapDer(key.export({ format: 'der', type: 'pkcs8' }), X25519_PKCS8_PREFIX);
}

// ------------------------------------------------------------------------------------ Ed25519

function ed25519PrivateKey(signKey: Uint8Array): KeyObject {
  // The default provider hands out PKCS#8 secret keys (WebCrypto) but also signs with a bare
  // 32-byte seed (what @noble produces, e.g. in a browser without WebCrypto Ed25519): accept both.
  const der = signKey.byteLength === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, signKey]) : signKey;
  return createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
}

/** Ed25519 (RFC 8032) on node:crypto, in the default provider's key formats. */
const ed25519: Signature = {
  async sign(signKey, message) {
    return own(nodeSign(null, message, ed25519PrivateKey(signKey)));
  },
  async verify(publicKey, message, signature) {
    return nodeVerify(null, message, rawPublicKey('Ed25519', publicKey), signature);
  },
  async keygen() {
    // Encoded by the key generation itself (no KeyObjects to export, see exportRawPublic).
    const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    // PKCS#8 and raw, exactly what the default provider's WebCrypto keygen exports.
    return { signKey: own(privateKey), publicKey: own(unwrapDer(publicKey, ED25519_SPKI_PREFIX)) };
  },
};

// ------------------------------------------------------------------------------------ AEAD

type NodeAeadCipher = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
const TAG_SIZE = 16;

function aeadSeal(cipher: NodeAeadCipher, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = cipher === 'chacha20-poly1305' ? createCipheriv(cipher, key, nonce, { authTagLength: TAG_SIZE }) : createCipheriv(cipher, key, nonce, { authTagLength: TAG_SIZE });
  if (aad.byteLength) c.setAAD(aad, { plaintextLength: plaintext.byteLength });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function aeadOpen(cipher: NodeAeadCipher, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Buffer {
  if (ciphertext.byteLength < TAG_SIZE) throw new Error('ciphertext shorter than the authentication tag');
  const d = cipher === 'chacha20-poly1305' ? createDecipheriv(cipher, key, nonce, { authTagLength: TAG_SIZE }) : createDecipheriv(cipher, key, nonce, { authTagLength: TAG_SIZE });
  d.setAuthTag(ciphertext.subarray(ciphertext.byteLength - TAG_SIZE));
  if (aad.byteLength) d.setAAD(aad, { plaintextLength: ciphertext.byteLength - TAG_SIZE });
  // final() throws when the tag does not verify: nothing unauthenticated is returned.
  return Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.byteLength - TAG_SIZE)), d.final()]);
}

const AEADS: Record<AeadAlgorithm, { cipher: NodeAeadCipher; id: AeadId; keySize: number }> = {
  AES128GCM: { cipher: 'aes-128-gcm', id: AeadId.Aes128Gcm, keySize: 16 },
  AES256GCM: { cipher: 'aes-256-gcm', id: AeadId.Aes256Gcm, keySize: 32 },
  CHACHA20POLY1305: { cipher: 'chacha20-poly1305', id: AeadId.Chacha20Poly1305, keySize: 32 },
};

/** An HPKE AEAD (@hpke/core's AeadInterface) on node:crypto. */
export class NodeAead implements AeadInterface {
  readonly id: AeadId;
  readonly keySize: number;
  readonly nonceSize = 12;
  readonly tagSize = TAG_SIZE;
  private readonly cipher: NodeAeadCipher;

  constructor(alg: AeadAlgorithm) {
    const a = AEADS[alg];
    this.id = a.id;
    this.keySize = a.keySize;
    this.cipher = a.cipher;
  }

  createEncryptionContext(key: ArrayBufferLike | ArrayBufferView): AeadEncryptionContext {
    const k = own(view(key));
    const cipher = this.cipher;
    return {
      async seal(iv, data, aad) {
        return arrayBuffer(aeadSeal(cipher, k, view(iv), view(aad), view(data)));
      },
      async open(iv, data, aad) {
        return arrayBuffer(aeadOpen(cipher, k, view(iv), view(aad), view(data)));
      },
    };
  }
}

// ------------------------------------------------------------------------------------ X25519 DHKEM

/**
 * An HPKE key for node:crypto. @hpke/core types its keys as WebCrypto CryptoKeys but only passes
 * them between the KEM's own primitives, so any object of that shape will do (its noble-based
 * KEMs use the same trick). A public key keeps its raw bytes and makes its KeyObject only when
 * a Diffie-Hellman needs it (an ephemeral key is only ever serialised).
 */
export class NodeHpkeKey implements CryptoKey {
  readonly algorithm: KeyAlgorithm = { name: 'X25519' };
  readonly extractable = true;
  readonly usages: KeyUsage[];
  private keyObject: KeyObject | undefined;
  private rawBytes: Buffer | undefined;

  constructor(readonly type: 'public' | 'private', key: KeyObject | undefined, raw?: Buffer) {
    if (!key && !(type === 'public' && raw)) throw new Error('an HPKE key needs a KeyObject or, when public, its bytes');
    this.usages = type === 'private' ? ['deriveBits'] : [];
    this.keyObject = key;
    this.rawBytes = raw;
  }

  /** The node:crypto key. */
  get key(): KeyObject {
    this.keyObject ??= rawPublicKey('X25519', this.rawBytes!);
    return this.keyObject;
  }

  /** The RFC 9180 serialisation: the 32-byte public value, or the 32-byte private scalar as given. */
  raw(): Buffer {
    this.rawBytes ??= this.type === 'public' ? exportRawPublic(this.key) : exportRawPrivate(this.key);
    return this.rawBytes;
  }
}

function nodeKey(k: CryptoKey, type: 'public' | 'private'): NodeHpkeKey {
  if (!(k instanceof NodeHpkeKey) || k.type !== type) throw new Error(`not a native X25519 ${type} key`);
  return k;
}

function x25519Public(raw: Uint8Array): NodeHpkeKey {
  if (raw.byteLength !== 32) throw new Error('Invalid public key for the ciphersuite');
  return new NodeHpkeKey('public', rawPublicKey('X25519', raw), Buffer.from(raw));
}

function x25519Private(raw: Uint8Array): NodeHpkeKey {
  if (raw.byteLength !== 32) throw new Error('Invalid private key for the ciphersuite');
  // DER: a JWK private key import would need the public value too. Private keys are imported
  // rarely (a joiner's init key, UpdatePath secrets), so the slower decoder does not matter.
  const bytes = Buffer.from(raw);
  return new NodeHpkeKey('private', createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' }), bytes);
}

/**
 * generateKeyPairSync with only the public half encoded: node:crypto documents that each half is
 * encoded when its encoding is given and a KeyObject otherwise; @types/node's overloads only
 * cover both-or-neither.
 */
const generateX25519 = generateKeyPairSync as unknown as (type: 'x25519', options: { publicKeyEncoding: { type: 'spki'; format: 'der' } }) => { publicKey: Buffer; privateKey: KeyObject };

/** The primitives @hpke/core's Dhkem runs its RFC 9180 encap/decap over (its DhkemPrimitives shape). */
class NodeX25519Primitives {
  /** @param webcrypto @hpke/core's own X25519 primitives, used for DeriveKeyPair only. */
  constructor(private readonly webcrypto: { deriveKeyPair(ikm: ArrayBufferLike | ArrayBufferView): Promise<CryptoKeyPair> }) {}

  async serializePublicKey(key: CryptoKey): Promise<ArrayBuffer> {
    return arrayBuffer(nodeKey(key, 'public').raw());
  }
  async deserializePublicKey(key: ArrayBufferLike | ArrayBufferView): Promise<CryptoKey> {
    return x25519Public(view(key));
  }
  async serializePrivateKey(key: CryptoKey): Promise<ArrayBuffer> {
    return arrayBuffer(nodeKey(key, 'private').raw());
  }
  async deserializePrivateKey(key: ArrayBufferLike | ArrayBufferView): Promise<CryptoKey> {
    return x25519Private(view(key));
  }
  async importKey(format: 'raw' | 'jwk', key: ArrayBuffer | JsonWebKey, isPublic: boolean): Promise<CryptoKey> {
    if (format === 'raw') return isPublic ? x25519Public(view(key as ArrayBuffer)) : x25519Private(view(key as ArrayBuffer));
    const jwk = key as NodeJsonWebKey;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'X25519' || (isPublic && jwk.d !== undefined)) throw new Error('Invalid X25519 JWK');
    const obj = isPublic ? createPublicKey({ key: jwk, format: 'jwk' }) : createPrivateKey({ key: jwk, format: 'jwk' });
    return new NodeHpkeKey(isPublic ? 'public' : 'private', obj);
  }
  async generateKeyPair(): Promise<CryptoKeyPair> {
    // The public half comes encoded from the key generation (see exportRawPublic).
    const { privateKey, publicKey } = generateX25519('x25519', { publicKeyEncoding: { type: 'spki', format: 'der' } });
    return { privateKey: new NodeHpkeKey('private', privateKey), publicKey: new NodeHpkeKey('public', undefined, unwrapDer(publicKey, X25519_SPKI_PREFIX)) };
  }
  async deriveKeyPair(ikm: ArrayBufferLike | ArrayBufferView): Promise<CryptoKeyPair> {
    // RFC 9180 §7.1.3 stays in @hpke/core; only its result (WebCrypto keys) is carried over.
    const pair = await this.webcrypto.deriveKeyPair(ikm);
    return { privateKey: new NodeHpkeKey('private', KeyObject.from(pair.privateKey)), publicKey: new NodeHpkeKey('public', KeyObject.from(pair.publicKey)) };
  }
  async derivePublicKey(key: CryptoKey): Promise<CryptoKey> {
    return new NodeHpkeKey('public', createPublicKey(nodeKey(key, 'private').key));
  }
  async dh(sk: CryptoKey, pk: CryptoKey): Promise<ArrayBuffer> {
    // OpenSSL refuses an all-zero shared secret (low-order peer key), as RFC 9180 §7.1.4 asks
    // and as WebCrypto does for the default provider.
    return arrayBuffer(diffieHellman({ privateKey: nodeKey(sk, 'private').key, publicKey: nodeKey(pk, 'public').key }));
  }
}

/** RFC 9180 §4.1: the KEM's suite_id = "KEM" || I2OSP(kem_id, 2). */
function kemSuiteId(kemId: number): Uint8Array {
  return Uint8Array.of(0x4b, 0x45, 0x4d, kemId >> 8, kemId & 0xff);
}

/**
 * @hpke/core's DHKEM(X25519, HKDF-SHA256) — its encap/decap and shared-secret derivation — over
 * native X25519 and HKDF. The two protected members it runs on are replaced after construction.
 */
export class NodeDhkemX25519HkdfSha256 extends DhkemX25519HkdfSha256 {
  constructor() {
    super();
    const kdf = new NodeHkdfSha256();
    kdf.init(kemSuiteId(KemId.DhkemX25519HkdfSha256));
    this._prim = new NodeX25519Primitives(this._prim);
    this._kdf = kdf;
  }
}

const NODE_HPKE_KDFS: Record<KdfAlgorithm, () => InstanceType<typeof HkdfSha256>> = {
  'HKDF-SHA256': () => new NodeHkdfSha256(),
  'HKDF-SHA384': () => new NodeHkdfSha384(),
  'HKDF-SHA512': () => new NodeHkdfSha512(),
};

/** True when {@link nodeHpkeCipherSuite} covers `alg` (else the default provider's HPKE is used). */
export function hasNativeHpke(alg: HpkeAlgorithm): boolean {
  return alg.kem === 'DHKEM-X25519-HKDF-SHA256' && alg.aead in AEADS;
}

/** An @hpke/core CipherSuite (RFC 9180 logic) over native X25519, HKDF and AEAD. */
export function nodeHpkeCipherSuite(alg: HpkeAlgorithm): CipherSuite {
  if (!hasNativeHpke(alg)) throw new Error(`no native HPKE for ${alg.kem} / ${alg.aead}`);
  return new CipherSuite({ kem: new NodeDhkemX25519HkdfSha256(), kdf: NODE_HPKE_KDFS[alg.kdf](), aead: new NodeAead(alg.aead) });
}

async function makeHpke(alg: HpkeAlgorithm): Promise<Hpke> {
  const { cipher } = AEADS[alg.aead];
  // MLS's own AEAD use (PrivateMessage content, Welcome GroupInfo) goes through the same cipher.
  const aead = {
    async encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
      return own(aeadSeal(cipher, key, nonce, aad, plaintext));
    },
    async decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array) {
      return own(aeadOpen(cipher, key, nonce, aad, ciphertext));
    },
  };
  // ts-mls's own wrapper, as the default provider uses it: same error mapping, same key handling.
  return makeGenericHpke(alg, aead, nodeHpkeCipherSuite(alg));
}

// ------------------------------------------------------------------------------------ provider

const rng: Rng = {
  randomBytes(n) {
    return randomFillSync(new Uint8Array(n));
  },
};

/**
 * ts-mls's crypto on node:crypto (see the module comment). Pieces it has no native version of
 * for a ciphersuite (signatures other than Ed25519, KEMs other than X25519) are the default
 * provider's, so every ciphersuite the default provider supports works here too.
 */
export const nodeCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(cs: Ciphersuite): Promise<CiphersuiteImpl> {
    const fallback = cs.signature === 'Ed25519' && hasNativeHpke(cs.hpke) ? undefined : await defaultCryptoProvider.getCiphersuiteImpl(cs);
    return {
      hash: makeHash(cs.hash),
      kdf: makeKdf(cs.hpke.kdf),
      signature: cs.signature === 'Ed25519' ? ed25519 : fallback!.signature,
      hpke: hasNativeHpke(cs.hpke) ? await makeHpke(cs.hpke) : fallback!.hpke,
      rng,
      name: cs.name,
    };
  },
};
