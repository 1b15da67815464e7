/**
 * End-to-end encrypted conversations for one device (E2E-1), on ts-mls (RFC 9420).
 *
 * The server is a blind delivery service: it orders commits per epoch, stores ciphertext and
 * relays Welcomes, but holds no group secret. This client keeps every secret in its
 * {@link MlsStorage} (wrap it in EncryptedStorage), processes handshakes in epoch order,
 * rebases its own commits when another member wins an epoch, commits the server's Remove
 * proposals when members leave, and re-joins by external commit when it cannot follow the
 * group (missed epochs, lost state) instead of staying stuck on undecryptable messages.
 */
import {
  acceptAll, createApplicationMessage, createCommit, createGroup, createGroupInfoWithExternalPubAndRatchetTree,
  decodeGroupState, encodeExternalSender, encodeGroupState, encodeMlsMessage, emptyPskIndex, generateKeyPackageWithKey,
  getCiphersuiteFromName, getCiphersuiteImpl, joinGroup, joinGroupExternal, processMessage, defaultCapabilities,
  type CiphersuiteImpl, type CiphersuiteName, type ClientConfig, type ClientState, type Credential, type CryptoProvider, type GroupInfo,
  type KeyPackage, type PrivateKeyPackage, type PrivateMessage, type Proposal,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import type { Conversation, Message, MlsDevice, SyncEvent } from '@conclave/protocol';
import type { ConclaveClient } from '../client';
import { newClientId } from '../client';
import { isConclaveError } from '../errors';
import {
  credentialIdentity, decodeMessage, encodeGroupInfo, encodeKeyPackage, encodeWelcome, fromB64, fromUtf8, groupIdFor, hex,
  parseIdentity, parsePayload, sha256Hex, toB64, utf8, type MlsPayload,
} from './codec';
import type { MlsStorage } from './storage';
import { runtimeCryptoProvider } from './runtime-crypto';
import { publicKeyEquality } from './key-package-equality';

/** The default ciphersuite; the server must use the same. */
export const DEFAULT_CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
const KP_LIFETIME_S = 28 * 24 * 3600;
const MAX_COMMIT_ATTEMPTS = 8;

export interface MlsClientOptions {
  client: ConclaveClient;
  /** Where key state lives; wrap a FileStorage / IndexedDbStorage in EncryptedStorage. */
  storage: MlsStorage;
  deviceName?: string;
  ciphersuite?: CiphersuiteName;
  /** Called for decrypted messages, rejections, joins, epoch changes and removals. */
  onEvent?: (e: MlsClientEvent) => void;
  /** Upload KeyPackages at open (default true). */
  uploadKeyPackages?: boolean;
  /** Stock to keep on the server (default: the server's `keyPackageTarget`). */
  keyPackageTarget?: number;
  /**
   * ts-mls crypto provider. Default: node:crypto on Node (node-crypto-provider.ts, E2E-1's
   * large-commit target), ts-mls's WebCrypto provider in browsers. Both interoperate.
   */
  cryptoProvider?: CryptoProvider;
}

export type MlsClientEvent =
  | { type: 'message'; conversationId: string; message: DecryptedMessage }
  | { type: 'rejected'; conversationId: string; messageId?: string; reason: string }
  | { type: 'joined'; conversationId: string; epoch: number; via: 'create' | 'welcome' | 'external' }
  | { type: 'epoch'; conversationId: string; epoch: number }
  | { type: 'rejoined'; conversationId: string; epoch: number; reason: string }
  | { type: 'removed'; conversationId: string };

export interface DecryptedMessage {
  message: Message;
  status: 'ok' | 'deleted' | 'undecryptable' | 'rejected';
  /** The current text (after edits); null unless status is 'ok'. */
  text: string | null;
  payload: MlsPayload | null;
  reason?: string;
}

interface StoredDevice { deviceId: string; userId: string; publicKey: string; signKey: string }
interface StoredKeyPackage { pub: string; init: string; hpke: string; lastResort: boolean }
interface CachedPlain { h: string; p: MlsPayload }

export class MlsClient {
  readonly client: ConclaveClient;
  private readonly storage: MlsStorage;
  private readonly onEvent: (e: MlsClientEvent) => void;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly stale = new Set<string>();
  private eventQueue: Promise<void> = Promise.resolve();
  /** True once events are fed in (handleEvent): epoch changes are then known without asking. */
  private live = false;
  private serverSender!: { signaturePublicKey: Uint8Array; identity: string };
  private keyPackageTarget = 50;
  private readonly config: ClientConfig;

  private constructor(opts: MlsClientOptions, readonly cs: CiphersuiteImpl, private readonly device: StoredDevice) {
    this.client = opts.client;
    this.storage = opts.storage;
    this.onEvent = opts.onEvent ?? (() => {});
    this.config = {
      ...defaultClientConfig,
      // Late messages from a few epochs back still decrypt; out-of-order ones within an epoch too.
      keyRetentionConfig: { retainKeysForGenerations: 64, retainKeysForEpochs: 16, maximumForwardRatchetSteps: 2000 },
      // Public keys: no need for ts-mls's constant-time compare in its N² duplicate-Add check.
      keyPackageEqualityConfig: publicKeyEquality,
      // Members must be Conclave devices; the only other credential accepted is the server's
      // external-sender one, and only with the key the server announced.
      authService: {
        validateCredential: async (c, key) => c.credentialType === 'basic' && (parseIdentity(c.identity) !== null
          || (!!this.serverSender && fromUtf8(c.identity) === this.serverSender.identity && toB64(key) === toB64(this.serverSender.signaturePublicKey))),
      },
    };
  }

  /** Opens (or first registers) this device, then tops up its KeyPackages on the server. */
  static async open(opts: MlsClientOptions): Promise<MlsClient> {
    const name = opts.ciphersuite ?? DEFAULT_CIPHERSUITE;
    const cs = await getCiphersuiteImpl(getCiphersuiteFromName(name), opts.cryptoProvider ?? (await runtimeCryptoProvider()).provider);
    const cfg = await opts.client.http.request('mlsConfig');
    if (cfg.ciphersuite !== name) throw new Error(`the server uses ${cfg.ciphersuite}, not ${name}`);
    let device = await readJson<StoredDevice>(opts.storage, 'device');
    const me = (await opts.client.me.get()).user;
    if (device && device.userId !== me.id) throw new Error('this MLS storage belongs to another user');
    if (!device) {
      const pair = await cs.signature.keygen();
      const { device: d } = await opts.client.http.request('registerMlsDevice', { body: { name: opts.deviceName ?? 'device', signaturePublicKey: toB64(pair.publicKey) } });
      device = { deviceId: d.id, userId: me.id, publicKey: toB64(pair.publicKey), signKey: toB64(pair.signKey) };
      await writeJson(opts.storage, 'device', device);
    }
    const c = new MlsClient(opts, cs, device);
    c.serverSender = { signaturePublicKey: fromB64(cfg.externalSender.signaturePublicKey), identity: cfg.externalSender.identity };
    c.keyPackageTarget = opts.keyPackageTarget ?? cfg.keyPackageTarget;
    if (opts.uploadKeyPackages !== false) await c.refillKeyPackages();
    return c;
  }

  get deviceId(): string { return this.device.deviceId; }
  get userId(): string { return this.device.userId; }

  // ---------------------------------------------------------------- key packages

  /** Uploads KeyPackages up to the server's target, and a last-resort one if missing. Returns how many. */
  async refillKeyPackages(target = this.keyPackageTarget): Promise<number> {
    const { devices } = await this.client.http.request('listMyMlsDevices');
    const mine = devices.find((d) => d.id === this.deviceId);
    if (!mine || mine.revokedAt !== null) throw new Error('this device was revoked; open a new MlsStorage');
    const need = Math.max(0, target - (mine.availableKeyPackages ?? 0));
    const packages: string[] = [];
    for (let i = 0; i < need; i++) packages.push(toB64(encodeKeyPackage(await this.newKeyPackage(false))));
    const lastResort = mine.hasLastResort ? undefined : toB64(encodeKeyPackage(await this.newKeyPackage(true)));
    for (let i = 0; i < packages.length || (i === 0 && lastResort); i += 100) {
      await this.client.http.request('uploadKeyPackages', { params: { id: this.deviceId }, body: { keyPackages: packages.slice(i, i + 100), ...(i === 0 && lastResort ? { lastResort } : {}) } });
    }
    return need;
  }

  /** A KeyPackage of this device; its private keys are kept (by reference) until a Welcome uses them. */
  private async newKeyPackage(lastResort: boolean, keep = true): Promise<KeyPackage & { _private?: PrivateKeyPackage }> {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      this.credential(), defaultCapabilities(), { notBefore: now - 60n, notAfter: now + BigInt(KP_LIFETIME_S) }, [],
      { signKey: fromB64(this.device.signKey), publicKey: fromB64(this.device.publicKey) }, this.cs,
    );
    if (keep) {
      const ref = hex(await makeKeyPackageRef(publicPackage, this.cs.hash));
      await writeJson<StoredKeyPackage>(this.storage, `kp:${ref}`, {
        pub: toB64(encodeKeyPackage(publicPackage)), init: toB64(privatePackage.initPrivateKey), hpke: toB64(privatePackage.hpkePrivateKey), lastResort,
      });
    }
    return Object.assign(publicPackage, { _private: privatePackage });
  }

  private credential(): Credential {
    return { credentialType: 'basic', identity: utf8(credentialIdentity(this.userId, this.deviceId)) };
  }

  private privateOf(kp: { initPrivateKey: Uint8Array; hpkePrivateKey: Uint8Array }): PrivateKeyPackage {
    return { ...kp, signaturePrivateKey: fromB64(this.device.signKey) };
  }

  // ---------------------------------------------------------------- groups

  /** Creates an E2EE private group: conversation, MLS group with the server as external sender, then the members. */
  async createGroup(input: { name: string; memberIds?: string[]; topic?: string; level?: string }): Promise<Conversation> {
    const { conversation } = await this.client.conversations.create({ kind: 'group', name: input.name, topic: input.topic, level: input.level, encryption: 'e2ee' });
    const id = conversation.id;
    await this.publishGroup(id);
    if (input.memberIds?.length) await this.addMembers(id, input.memberIds);
    return (await this.client.conversations.get(id)).conversation;
  }

  /**
   * Opens the end-to-end encrypted DM with `peerId` (one per pair; idempotent). The first of
   * the two to open it publishes the MLS group and adds the other's devices; the other joins
   * from that Welcome on its next sync. If both open it at once, the server accepts one group
   * and the other side simply waits for its Welcome.
   */
  async openDm(peerId: string): Promise<Conversation> {
    const { conversation } = await this.client.conversations.create({ kind: 'dm', memberIds: [peerId], encryption: 'e2ee' });
    const id = conversation.id;
    if (await this.loadState(id)) return conversation;
    await this.sync();
    if (await this.loadState(id)) return (await this.client.conversations.get(id)).conversation;
    try {
      await this.publishGroup(id);
    } catch (err) {
      if (!isConclaveError(err, 'conflict')) throw err;
      await this.sync(); // the peer published first: its Welcome may already be waiting
      return (await this.client.conversations.get(id)).conversation;
    }
    if (peerId !== this.userId) await this.addMembers(id, [peerId]);
    return (await this.client.conversations.get(id)).conversation;
  }

  /** Creates the MLS group of an E2EE conversation (this device its only member) and publishes its GroupInfo. */
  private async publishGroup(id: string): Promise<void> {
    await this.locked(id, async () => {
      const kp = await this.newKeyPackage(false, false);
      const extSender = {
        extensionType: 'external_senders' as const,
        extensionData: encodeExternalSender({ signaturePublicKey: this.serverSender.signaturePublicKey, credential: { credentialType: 'basic', identity: utf8(this.serverSender.identity) } }),
      };
      const state = await createGroup(groupIdFor(id), kp, kp._private!, [extSender], this.cs, this.config);
      const gi = await createGroupInfoWithExternalPubAndRatchetTree(state, [], this.cs);
      await this.client.http.request('initMlsGroup', { params: { id }, body: { groupInfo: toB64(encodeGroupInfo(gi)) } });
      await this.saveState(id, state);
      this.onEvent({ type: 'joined', conversationId: id, epoch: 0, via: 'create' });
    });
  }

  /**
   * Adds people (all their devices) in one commit. The server applies the same permission and
   * clearance checks as for plaintext conversations before handing out their KeyPackages.
   */
  async addMembers(conversationId: string, userIds: string[]): Promise<{ addedDevices: number; missingUserIds: string[] }> {
    const claim = await this.client.http.request('claimKeyPackages', { params: { id: conversationId }, body: { userIds } });
    const kps: KeyPackage[] = [];
    for (const k of claim.keyPackages) {
      const msg = decodeMessage(fromB64(k.keyPackage));
      if (msg?.wireformat === 'mls_key_package') kps.push(msg.keyPackage);
    }
    if (!kps.length) return { addedDevices: 0, missingUserIds: claim.missingUserIds };
    await this.commit(conversationId, (state) => {
      const present = new Set(leafKeys(state));
      return kps.filter((kp) => !present.has(toB64(kp.leafNode.signaturePublicKey))).map((keyPackage): Proposal => ({ proposalType: 'add', add: { keyPackage } }));
    });
    return { addedDevices: kps.length, missingUserIds: claim.missingUserIds };
  }

  /** Removes a member: the conversation removal is policy; the MLS Remove is then committed at once. */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.client.conversations.removeMember(conversationId, userId);
    await this.catchUp(conversationId);
  }

  /** The epoch this device is at, or null when it is not in the group. */
  async epoch(conversationId: string): Promise<number | null> {
    const s = await this.loadState(conversationId);
    return s ? Number(s.groupContext.epoch) : null;
  }

  /** Devices (with fingerprints) of the conversation's members, for safety-number comparison. */
  async devices(conversationId: string): Promise<MlsDevice[]> {
    return (await this.client.http.request('listConversationDevices', { params: { id: conversationId } })).devices;
  }

  /**
   * Makes this device current everywhere: joins from pending Welcomes, catches up every E2EE
   * conversation (joining by external commit where it has no state: a new device of a member),
   * drops state of conversations it left, and refills KeyPackages.
   */
  async sync(): Promise<void> {
    await this.processWelcomes();
    const { conversations } = await this.client.conversations.list();
    const e2ee = conversations.filter((c) => c.encryption === 'e2ee');
    const ids = new Set(e2ee.map((c) => c.id));
    for (const key of await this.storage.keys('group:')) {
      const id = key.slice('group:'.length);
      if (!ids.has(id)) await this.dropGroup(id);
    }
    for (const c of e2ee) {
      if (await this.loadState(c.id)) await this.catchUp(c.id);
      else await this.locked(c.id, () => this.joinExternal(c.id, 'new device')).catch((err) => {
        if (!isConclaveError(err, 'not_found')) throw err;  // group not published yet
      });
    }
    await this.refillKeyPackages();
  }

  /**
   * Feeds one durable event (from `client.subscribe`) to the MLS client. Events are handled one
   * at a time, in order; decrypted messages come out through `onEvent`.
   */
  handleEvent(e: SyncEvent): Promise<void> {
    this.live = true;
    const run = this.eventQueue.then(() => this.apply(e)).catch((err: unknown) => {
      const cid = (e.data as { conversationId?: string }).conversationId ?? '';
      this.onEvent({ type: 'rejected', conversationId: cid, reason: `event ${e.type} failed: ${(err as Error).message}` });
    });
    this.eventQueue = run;
    return run;
  }

  /** Resolves once every event handed to {@link handleEvent} so far is processed. */
  idle(): Promise<void> {
    return this.eventQueue;
  }

  private async apply(e: SyncEvent): Promise<void> {
    switch (e.type) {
      case 'mls.welcome':
        if (e.data.deviceIds.includes(this.deviceId)) await this.processWelcomes();
        break;
      case 'mls.commit':
      case 'mls.proposal':
        this.stale.add(e.data.conversationId);
        if (await this.loadState(e.data.conversationId)) await this.catchUp(e.data.conversationId);
        break;
      case 'mls.key_packages_low':
        if (e.data.deviceId === this.deviceId) await this.refillKeyPackages();
        break;
      case 'conversation.removed':
        await this.dropGroup(e.data.conversationId);
        break;
      case 'message.created':
      case 'message.updated':
        if (e.data.message.encryption === 'e2ee') {
          const m = await this.decrypt(e.data.message);
          this.onEvent({ type: 'message', conversationId: m.message.conversationId, message: m });
        }
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- messages

  /** Encrypts and sends a message (text and optional attachment keys) to the group. */
  async send(conversationId: string, text: string, opts: { threadRootId?: string; mentions?: string[]; attachments?: MlsPayload['attachments']; fileIds?: string[]; clientId?: string } = {}): Promise<Message> {
    const payload: MlsPayload = { v: 1, kind: 'text', text, ...(opts.attachments ? { attachments: opts.attachments } : {}) };
    const ciphertext = await this.encrypt(conversationId, payload);
    // In a level under the E2EE compliance archive (GOV-5) the payload is also sealed to the
    // archive key; archive.send adds that copy only when the conversation is archived.
    const { message } = await this.client.archive.send(conversationId, {
      plaintext: JSON.stringify(payload), ciphertext, clientId: opts.clientId ?? newClientId(), threadRootId: opts.threadRootId, mentions: opts.mentions,
      // The uploads whose keys are in the payload (e2ee-files.ts): attached on the server so that
      // retention and deletion take them with the message.
      ...(opts.fileIds?.length ? { fileIds: opts.fileIds } : {}),
    });
    await this.cache(message, payload);
    return message;
  }

  /** Edits your message: the new version is a fresh MLS application message bound to the message id. */
  async edit(conversationId: string, messageId: string, text: string): Promise<Message> {
    const payload: MlsPayload = { v: 1, kind: 'edit', text, of: messageId };
    const ciphertext = await this.encrypt(conversationId, payload);
    const { message } = await this.client.messages.edit(conversationId, messageId, { ciphertext });
    await this.cache(message, payload);
    return message;
  }

  /** Deletes your message: the server erases the ciphertext and keeps a tombstone. */
  async delete(conversationId: string, messageId: string): Promise<Message> {
    const { message } = await this.client.messages.delete(conversationId, messageId);
    await this.storage.delete(`msg:${conversationId}:${messageId}`);
    return message;
  }

  /** A page of messages, decrypted (each ciphertext is decrypted once, then served from local state). */
  async messages(conversationId: string, query?: { before?: string; after?: string; limit?: number; threadRootId?: string }): Promise<DecryptedMessage[]> {
    const { messages } = await this.client.messages.list(conversationId, query);
    const out: DecryptedMessage[] = [];
    for (const m of messages) out.push(await this.decrypt(m));
    return out;
  }

  /**
   * Decrypts one message. The MLS sender must be a device of the message's author (a server
   * cannot re-attribute a message); garbage, replays and wrong-epoch ciphertexts come back as
   * 'undecryptable' or 'rejected' with a reason, never as an exception.
   */
  async decrypt(message: Message): Promise<DecryptedMessage> {
    const base = { message, text: null, payload: null };
    if (message.deletedAt !== null) return { ...base, status: 'deleted' };
    if (!message.ciphertext) return this.reject(message, 'rejected', 'no ciphertext');
    const bytes = fromB64(message.ciphertext);
    const h = await sha256Hex(bytes);
    const key = `msg:${message.conversationId}:${message.id}`;
    const hit = await readJson<CachedPlain>(this.storage, key);
    if (hit && hit.h === h) return { ...base, status: 'ok', text: hit.p.text, payload: hit.p };
    const msg = decodeMessage(bytes);
    if (!msg || msg.wireformat !== 'mls_private_message') return this.reject(message, 'rejected', 'not an MLS private message');
    const pm = msg.privateMessage;
    if (!(await this.loadState(message.conversationId))) await this.processWelcomes();
    if (hex(pm.groupId) !== hex(groupIdFor(message.conversationId)) || pm.contentType !== 'application') return this.reject(message, 'rejected', 'ciphertext belongs to another group or is not an application message');
    return this.locked(message.conversationId, async (): Promise<DecryptedMessage> => {
      // Another path (the live feed, a page fetch) may have decrypted it while we waited.
      const again = await readJson<CachedPlain>(this.storage, key);
      if (again && again.h === h) return { ...base, status: 'ok', text: again.p.text, payload: again.p };
      let state = await this.loadState(message.conversationId);
      if (state && pm.epoch > state.groupContext.epoch) {
        await this.catchUpLocked(message.conversationId);
        state = await this.loadState(message.conversationId);
      }
      if (!state) return this.reject(message, 'undecryptable', 'this device is not in the group');
      const sender = await this.senderOf(state, pm);
      if (!sender) return this.reject(message, 'undecryptable', `no keys for epoch ${pm.epoch}`);
      if (sender.userId !== message.authorId) return this.reject(message, 'rejected', 'the MLS sender is not the message\'s author');
      let plain: Uint8Array;
      try {
        const res = await processMessage({ wireformat: 'mls_private_message', privateMessage: pm }, state, emptyPskIndex, acceptAll, this.cs);
        if (res.kind !== 'applicationMessage') return this.reject(message, 'rejected', 'not an application message');
        await this.saveState(message.conversationId, res.newState);
        plain = res.message;
      } catch (err) {
        const replay = /in the past/i.test((err as Error).message);
        return this.reject(message, replay ? 'rejected' : 'undecryptable', replay ? 'replayed or already consumed ciphertext' : `cannot decrypt: ${(err as Error).message}`);
      }
      const payload = parsePayload(plain);
      if (!payload) return this.reject(message, 'rejected', 'malformed payload');
      if (payload.kind === 'edit' && payload.of !== message.id) return this.reject(message, 'rejected', 'edit belongs to another message');
      await writeJson<CachedPlain>(this.storage, key, { h, p: payload });
      return { ...base, status: 'ok', text: payload.text, payload };
    });
  }

  private async encrypt(conversationId: string, payload: MlsPayload): Promise<string> {
    if (!(await this.loadState(conversationId))) await this.processWelcomes();
    return this.locked(conversationId, async () => {
      // Encrypt for the current epoch, or members who joined since could not read it. With a live
      // event feed the client knows when the group moved; without one it asks.
      if (!this.live || this.stale.has(conversationId)) await this.catchUpLocked(conversationId);
      const state = await this.loadState(conversationId);
      if (!state) throw new Error('this device is not in the conversation\'s MLS group');
      const res = await createApplicationMessage(state, utf8(JSON.stringify(payload)), this.cs);
      await this.saveState(conversationId, res.newState);
      return toB64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: res.privateMessage }));
    });
  }

  private async cache(message: Message, payload: MlsPayload): Promise<void> {
    if (message.ciphertext) await writeJson<CachedPlain>(this.storage, `msg:${message.conversationId}:${message.id}`, { h: await sha256Hex(fromB64(message.ciphertext)), p: payload });
  }

  private reject(message: Message, status: 'rejected' | 'undecryptable', reason: string): DecryptedMessage {
    this.onEvent({ type: 'rejected', conversationId: message.conversationId, messageId: message.id, reason });
    return { message, status, text: null, payload: null, reason };
  }

  /** The user and device that sent a private message, from its (encrypted) sender data. */
  private async senderOf(state: ClientState, pm: PrivateMessage): Promise<{ userId: string; deviceId: string } | null> {
    const current = pm.epoch === state.groupContext.epoch;
    const data = current ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree } : state.historicalReceiverData.get(pm.epoch);
    if (!data) return null;
    try {
      const sd = await decryptSenderData(pm, data.senderDataSecret, this.cs);
      const node = sd && data.ratchetTree[sd.leafIndex * 2];
      if (!node || node.nodeType !== 'leaf') return null;
      return parseIdentity((node.leaf.credential as { identity?: Uint8Array }).identity);
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- handshakes

  /** Processes the group's handshakes up to the server's epoch, then commits pending Remove proposals. */
  async catchUp(conversationId: string): Promise<void> {
    await this.locked(conversationId, () => this.catchUpLocked(conversationId));
  }

  private async catchUpLocked(conversationId: string, autoCommit = true): Promise<void> {
    this.stale.delete(conversationId);
    let state = await this.loadState(conversationId);
    if (!state) return;
    for (;;) {
      const from = Number(state.groupContext.epoch);
      let page;
      try {
        page = await this.client.http.request('listMlsHandshakes', { params: { id: conversationId }, query: { fromEpoch: from } });
      } catch (err) {
        if (isConclaveError(err, 'not_found')) { await this.dropGroup(conversationId); return; }
        if (isConclaveError(err, 'conflict')) { await this.joinExternal(conversationId, 'local epoch is ahead of the server'); return; }
        throw err;
      }
      for (const h of page.handshakes) {
        const epoch = Number(state.groupContext.epoch);
        if (h.epoch < epoch) continue;
        if (h.epoch > epoch) { await this.joinExternal(conversationId, `missed epoch ${epoch}`); return; }
        const msg = decodeMessage(fromB64(h.data));
        if (!msg || msg.wireformat !== 'mls_public_message') continue;
        try {
          const res = await processMessage(msg, state, emptyPskIndex, acceptAll, this.cs);
          state = res.newState;
        } catch (err) {
          if (h.kind === 'proposal') continue;  // e.g. already applied; never fatal
          await this.joinExternal(conversationId, `cannot process commit of epoch ${epoch}: ${(err as Error).message}`);
          return;
        }
        if (state.groupActiveState.kind === 'removedFromGroup') {
          await this.dropGroup(conversationId);
          return;
        }
        if (h.kind === 'commit') this.onEvent({ type: 'epoch', conversationId, epoch: Number(state.groupContext.epoch) });
      }
      await this.saveState(conversationId, state);
      if (page.hasMore) continue;
      if (Number(state.groupContext.epoch) < page.epoch) { await this.joinExternal(conversationId, `missed epochs up to ${page.epoch}`); return; }
      break;
    }
    if (autoCommit && Object.keys(state.unappliedProposals).length) await this.commitLocked(conversationId, () => []);
  }

  /**
   * Commits `proposals(state)` plus any pending (server) proposals. On stale_epoch it processes
   * the winning commit and redoes its own on top (rebase), a few times.
   */
  private async commit(conversationId: string, proposals: (state: ClientState) => Proposal[]): Promise<void> {
    await this.locked(conversationId, async () => {
      await this.catchUpLocked(conversationId);
      await this.commitLocked(conversationId, proposals);
    });
  }

  private async commitLocked(conversationId: string, proposals: (state: ClientState) => Proposal[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const state = await this.loadState(conversationId);
      if (!state) throw new Error('this device is not in the conversation\'s MLS group');
      const extra = proposals(state);
      const pending = Object.values(state.unappliedProposals);
      const own = leafIndexOf(state, this.device.publicKey);
      if (pending.some((p) => p.proposal.proposalType === 'remove' && p.proposal.remove.removed === own)) return;  // we are the one leaving
      if (!extra.length && !pending.length) return;
      const res = await createCommit({ state, cipherSuite: this.cs }, { extraProposals: extra, wireAsPublicMessage: true, ratchetTreeExtension: true });
      const gi = await createGroupInfoWithExternalPubAndRatchetTree(res.newState, [], this.cs);
      try {
        await this.client.http.request('postMlsCommit', {
          params: { id: conversationId },
          body: { commit: toB64(encodeMlsMessage(res.commit)), groupInfo: toB64(encodeGroupInfo(gi)), ...(res.welcome ? { welcome: toB64(encodeWelcome(res.welcome)) } : {}) },
        });
      } catch (err) {
        if (!isConclaveError(err, 'stale_epoch')) throw err;
        await this.catchUpLocked(conversationId, false);
        continue;
      }
      await this.saveState(conversationId, res.newState);
      this.onEvent({ type: 'epoch', conversationId, epoch: Number(res.newState.groupContext.epoch) });
      return;
    }
    throw new Error(`could not commit to ${conversationId} after ${MAX_COMMIT_ATTEMPTS} attempts (other members keep winning the epoch)`);
  }

  /** Joins from every Welcome addressed to this device for a group it is not in yet. */
  private async processWelcomes(): Promise<void> {
    const { welcomes } = await this.client.http.request('listMlsWelcomes', { params: { id: this.deviceId } });
    const done = new Set<string>();
    for (const w of welcomes) {
      if (done.has(w.conversationId)) continue;
      done.add(w.conversationId);
      await this.locked(w.conversationId, async () => {
        const have = await this.loadState(w.conversationId);
        if (have && Number(have.groupContext.epoch) >= w.epoch) return;
        const msg = decodeMessage(fromB64(w.welcome));
        if (!msg || msg.wireformat !== 'mls_welcome') return;
        for (const secret of msg.welcome.secrets) {
          const key = `kp:${hex(secret.newMember)}`;
          const kp = await readJson<StoredKeyPackage>(this.storage, key);
          if (!kp) continue;
          const pub = decodeMessage(fromB64(kp.pub));
          if (pub?.wireformat !== 'mls_key_package') continue;
          const state = await joinGroup(msg.welcome, pub.keyPackage, this.privateOf({ initPrivateKey: fromB64(kp.init), hpkePrivateKey: fromB64(kp.hpke) }), emptyPskIndex, this.cs, undefined, undefined, this.config);
          if (!kp.lastResort) await this.storage.delete(key);
          await this.saveState(w.conversationId, state);
          this.onEvent({ type: 'joined', conversationId: w.conversationId, epoch: Number(state.groupContext.epoch), via: 'welcome' });
          await this.catchUpLocked(w.conversationId);
          return;
        }
      });
    }
  }

  /**
   * Joins (or re-joins, replacing this device's old leaf) by external commit from the server's
   * current GroupInfo: how a new device of a member enters, and how a device that cannot
   * follow the group recovers instead of showing undecryptable messages.
   */
  private async joinExternal(conversationId: string, reason: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const { groupInfo } = await this.client.http.request('getMlsGroup', { params: { id: conversationId } });
      const msg = decodeMessage(fromB64(groupInfo));
      if (!msg || msg.wireformat !== 'mls_group_info') throw new Error('the server sent an unreadable GroupInfo');
      const kp = await this.newKeyPackage(false, false);
      const resync = treeHasKey(msg.groupInfo, this.device.publicKey);
      const had = resync || (await this.loadState(conversationId)) !== null;
      const { publicMessage, newState } = await joinGroupExternal(msg.groupInfo, kp, kp._private!, resync, this.cs, undefined, this.config);
      const gi = await createGroupInfoWithExternalPubAndRatchetTree(newState, [], this.cs);
      try {
        await this.client.http.request('postMlsCommit', {
          params: { id: conversationId },
          body: { commit: toB64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage })), groupInfo: toB64(encodeGroupInfo(gi)) },
        });
      } catch (err) {
        if (isConclaveError(err, 'stale_epoch')) continue;
        throw err;
      }
      await this.saveState(conversationId, newState);
      const epoch = Number(newState.groupContext.epoch);
      this.onEvent(had ? { type: 'rejoined', conversationId, epoch, reason } : { type: 'joined', conversationId, epoch, via: 'external' });
      return;
    }
    throw new Error(`could not join ${conversationId} by external commit`);
  }

  // ---------------------------------------------------------------- state

  private async loadState(conversationId: string): Promise<ClientState | null> {
    const bytes = await this.storage.get(`group:${conversationId}`);
    if (!bytes) return null;
    const decoded = decodeGroupState(bytes, 0);
    if (!decoded) throw new Error(`MLS state of ${conversationId} is unreadable`);
    return { ...decoded[0], clientConfig: this.config };
  }

  private async saveState(conversationId: string, state: ClientState): Promise<void> {
    await this.storage.set(`group:${conversationId}`, encodeGroupState(state));
  }

  private async dropGroup(conversationId: string): Promise<void> {
    const had = await this.storage.get(`group:${conversationId}`);
    await this.storage.delete(`group:${conversationId}`);
    for (const k of await this.storage.keys(`msg:${conversationId}:`)) await this.storage.delete(k);
    if (had) this.onEvent({ type: 'removed', conversationId });
  }

  /** Runs `fn` with the conversation's state to itself (re-entrant calls must use the *Locked variants). */
  private locked<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(conversationId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    this.locks.set(conversationId, run.catch(() => undefined));
    return run;
  }
}

function leafKeys(state: ClientState): string[] {
  return state.ratchetTree.filter((n) => n?.nodeType === 'leaf').map((n) => toB64((n as { leaf: { signaturePublicKey: Uint8Array } }).leaf.signaturePublicKey));
}

function leafIndexOf(state: ClientState, publicKeyB64: string): number {
  const i = state.ratchetTree.findIndex((n) => n?.nodeType === 'leaf' && toB64(n.leaf.signaturePublicKey) === publicKeyB64);
  return i < 0 ? -1 : i / 2;
}

/** True when this device (by signature key) has a leaf in the GroupInfo's tree. */
function treeHasKey(gi: GroupInfo, publicKeyB64: string): boolean {
  const tree = ratchetTreeFromExtension(gi) ?? [];
  return tree.some((n) => n?.nodeType === 'leaf' && toB64(n.leaf.signaturePublicKey) === publicKeyB64);
}

async function readJson<T>(s: MlsStorage, key: string): Promise<T | undefined> {
  const b = await s.get(key);
  return b ? (JSON.parse(fromUtf8(b)) as T) : undefined;
}

async function writeJson<T>(s: MlsStorage, key: string, value: T): Promise<void> {
  await s.set(key, utf8(JSON.stringify(value)));
}
