/**
 * E2EE compliance archive, client side (GOV-5, ENC-2). Every operation that touches a private
 * key runs here, on the officer's or sender's device; the server sees public keys and sealed
 * bytes only. Crypto comes from `@conclave/crypto/archive` (HPKE + Shamir, browser-safe).
 *
 * - Senders: {@link ArchiveApi.send} (or {@link ArchiveApi.seal}) adds `archiveCiphertext` in
 *   conversations flagged `complianceArchive`.
 * - Officers: {@link ArchiveApi.registerOfficerKey} once per device (keep the returned private key
 *   in encrypted storage), {@link ArchiveApi.setup} for the ceremony, then
 *   {@link ArchiveApi.openRequest} / {@link ArchiveApi.release} / {@link ArchiveApi.refuse} /
 *   {@link ArchiveApi.decrypt} for a decryption under a k-of-n quorum.
 */
import {
  createArchiveKey, generateArchiveRecipientKey, openArchiveMessage, openOfficerShare, openReleasedShare, recoverArchiveKey,
  sealArchiveMessage, sealOfficerShare, sealReleasedShare,
} from '@conclave/crypto/archive';
import type { ArchiveOfficerKey, ArchiveRequest, BodyOf, QueryOf, ResponseOf } from '@conclave/protocol';
import type { ConclaveClient, SendMessageInput } from './client';
import { newClientId } from './client';
import { ConclaveError, isConclaveError } from './errors';

/** One archived message after decryption; `status` is per message, so one bad ciphertext never hides the rest. */
export interface DecryptedArchiveMessage {
  messageId: string;
  conversationId: string;
  authorId: string;
  clientId: string;
  createdAt: number;
  status: 'ok' | 'undecryptable';
  /** The sealed plaintext (for MLS clients, the payload they encrypted). */
  plaintext: Uint8Array | null;
  /** `plaintext` as UTF-8, when it is text. */
  text: string | null;
}

/** Input of {@link ArchiveApi.send}: an E2EE send plus the plaintext to archive. */
export type ArchivedSendInput = Omit<SendMessageInput, 'archiveCiphertext'> & { plaintext: Uint8Array | string };

type ArchiveTarget = { id: string; publicKey: Uint8Array } | null;

const enc = new TextEncoder();
const toB64 = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const fromB64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** The `client.archive` group of {@link ConclaveClient}. */
export class ArchiveApi {
  /** Your user id, per session token (a client may switch sessions). */
  private me: { token: string | null; id: string } | null = null;
  private readonly targets = new Map<string, ArchiveTarget>();

  constructor(private readonly client: ConclaveClient) {}

  // ---------------------------------------------------------------- plain endpoints

  /** Archive key, retired keys, archived levels and officer keys (archive.manage). */
  status(): Promise<ResponseOf<'getArchiveStatus'>> { return this.client.http.request('getArchiveStatus'); }
  /** Sets the archived levels (archive.manage); needs an archive key. */
  setLevels(levels: string[]): Promise<ResponseOf<'setArchiveLevels'>> { return this.client.http.request('setArchiveLevels', { body: { levels } }); }
  /** Active officer keys of current officers (archive.manage). */
  officerKeys(): Promise<ResponseOf<'listArchiveOfficerKeys'>> { return this.client.http.request('listArchiveOfficerKeys'); }
  revokeOfficerKey(id: string): Promise<{ ok: true }> { return this.client.http.request('revokeArchiveOfficerKey', { params: { id } }); }
  /** Whether a conversation is archived and the key to seal to (members). */
  conversation(conversationId: string): Promise<ResponseOf<'getConversationArchive'>> { return this.client.http.request('getConversationArchive', { params: { id: conversationId } }); }
  requests(query?: QueryOf<'listArchiveRequests'>): Promise<ResponseOf<'listArchiveRequests'>> { return this.client.http.request('listArchiveRequests', { query }); }
  request(id: string): Promise<ResponseOf<'getArchiveRequest'>> { return this.client.http.request('getArchiveRequest', { params: { id } }); }
  /** Refuses a pending request, with a reason (share holders). */
  refuse(id: string, reason: string): Promise<ResponseOf<'refuseArchiveRequest'>> { return this.client.http.request('refuseArchiveRequest', { params: { id }, body: { reason } }); }
  /** Closes your request; the server deletes its released shares. */
  close(id: string): Promise<ResponseOf<'closeArchiveRequest'>> { return this.client.http.request('closeArchiveRequest', { params: { id } }); }

  // ---------------------------------------------------------------- officers

  /** Makes this device's officer key and registers its public half. Store `privateKey` encrypted; it is never sent. */
  async registerOfficerKey(name?: string): Promise<{ key: ArchiveOfficerKey; privateKey: string }> {
    const kp = await generateArchiveRecipientKey();
    const { key } = await this.client.http.request('registerArchiveOfficerKey', { body: { publicKey: toB64(kp.publicKey), ...(name ? { name } : {}) } });
    const privateKey = toB64(kp.privateKey);
    kp.privateKey.fill(0);
    return { key, privateKey };
  }

  /**
   * The setup ceremony: makes the archive key, splits it k-of-n over the chosen officer keys
   * (default: every active officer key), seals each share to its officer, uploads, and forgets
   * the private key. `trust` lets the caller check each officer key's fingerprint first.
   */
  async setup(opts: { threshold: number; officerKeyIds?: string[]; trust?: (key: ArchiveOfficerKey) => boolean | Promise<boolean> }): Promise<ResponseOf<'setupArchiveKey'>> {
    const all = (await this.officerKeys()).keys;
    const chosen = opts.officerKeyIds ? opts.officerKeyIds.map((id) => all.find((k) => k.id === id) ?? missing(id)) : all;
    for (const k of chosen) if (opts.trust && !(await opts.trust(k))) throw new ConclaveError('invalid_argument', `officer key ${k.id} was not trusted`);
    const { publicKey, shares } = await createArchiveKey(chosen.length, opts.threshold);
    try {
      const sealed = await Promise.all(chosen.map(async (k, i) => ({
        officerKeyId: k.id,
        sealedShare: toB64(await sealOfficerShare(fromB64(k.publicKey), shares[i]!, { archivePublicKey: publicKey, officerUserId: k.userId, officerKeyId: k.id })),
      })));
      return await this.client.http.request('setupArchiveKey', { body: { publicKey: toB64(publicKey), threshold: opts.threshold, shares: sealed } });
    } finally {
      for (const s of shares) s.fill(0);
    }
  }

  /** Opens a decryption request with a fresh one-off key; keep `privateKey` until {@link decrypt}. */
  async openRequest(body: Omit<BodyOf<'createArchiveRequest'>, 'requesterPublicKey'>): Promise<{ request: ArchiveRequest; privateKey: string }> {
    const kp = await generateArchiveRecipientKey();
    const { request } = await this.client.http.request('createArchiveRequest', { body: { ...body, requesterPublicKey: toB64(kp.publicKey) } });
    const privateKey = toB64(kp.privateKey);
    kp.privateKey.fill(0);
    return { request, privateKey };
  }

  /** Approves a request: opens your share with your officer key, reseals it to the requester, uploads it. */
  async release(requestId: string, officerPrivateKey: string): Promise<ResponseOf<'releaseArchiveShare'>> {
    const mine = await this.client.http.request('getMyArchiveShare', { params: { id: requestId } });
    const { request } = await this.request(requestId);
    const myId = await this.userId();
    const share = await openOfficerShare(fromB64(officerPrivateKey), fromB64(mine.sealedShare), {
      archivePublicKey: fromB64(mine.archivePublicKey), officerUserId: myId, officerKeyId: mine.officerKeyId,
    });
    try {
      // The requester key comes from the request the server shows every officer: compare it out of band for high-stakes releases.
      const resealed = await sealReleasedShare(fromB64(request.requesterPublicKey), share, { requestId, archiveKeyId: request.archiveKeyId, officerUserId: myId });
      return await this.client.http.request('releaseArchiveShare', { params: { id: requestId }, body: { sealedShare: toB64(resealed) } });
    } finally {
      share.fill(0);
    }
  }

  /**
   * For the requester of an approved request: rebuilds the archive key from the released
   * shares (checked against the archive public key), decrypts every archived message in scope,
   * then forgets the key. Fails with the server's `conflict` while fewer than k are released.
   */
  async decrypt(requestId: string, requestPrivateKey: string): Promise<DecryptedArchiveMessage[]> {
    const res = await this.client.http.request('listReleasedArchiveShares', { params: { id: requestId } });
    const priv = fromB64(requestPrivateKey);
    const shares = await Promise.all(res.shares.map((s) => openReleasedShare(priv, fromB64(s.sealedShare), { requestId, archiveKeyId: res.archiveKeyId, officerUserId: s.officerId })));
    const key = await recoverArchiveKey(shares, fromB64(res.archivePublicKey));
    for (const s of shares) s.fill(0);
    try {
      const out: DecryptedArchiveMessage[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await this.client.http.request('listArchivedMessages', { params: { id: requestId }, query: { after, limit: 500 } });
        for (const m of page.messages) {
          const meta = { messageId: m.messageId, conversationId: m.conversationId, authorId: m.authorId, clientId: m.clientId, createdAt: m.createdAt };
          try {
            const plaintext = await openArchiveMessage(key.privateKey, fromB64(m.archiveCiphertext), { conversationId: m.conversationId, authorId: m.authorId, clientId: m.clientId });
            out.push({ ...meta, status: 'ok', plaintext, text: utf8OrNull(plaintext) });
          } catch {
            out.push({ ...meta, status: 'undecryptable', plaintext: null, text: null });
          }
        }
        if (!page.hasMore || !page.messages.length) return out;
        after = page.messages[page.messages.length - 1]!.messageId;
      }
    } finally {
      key.privateKey.fill(0);
    }
  }

  // ---------------------------------------------------------------- senders

  /**
   * `archiveCiphertext` for a message you are about to send, or undefined when the
   * conversation is not archived. Seal with the same `clientId` you send with.
   */
  async seal(conversationId: string, clientId: string, plaintext: Uint8Array | string, refresh = false): Promise<string | undefined> {
    const target = await this.target(conversationId, refresh);
    if (!target) return undefined;
    const bytes = typeof plaintext === 'string' ? enc.encode(plaintext) : plaintext;
    return toB64(await sealArchiveMessage(target.publicKey, target.id, bytes, { conversationId, authorId: await this.userId(), clientId }));
  }

  /**
   * Sends an E2EE message, adding `archiveCiphertext` when the conversation is archived. If the
   * archive changed since it was last looked up (key rotated, level switched), looks again once.
   */
  async send(conversationId: string, input: ArchivedSendInput): Promise<ResponseOf<'sendMessage'>> {
    const { plaintext, ...rest } = input;
    const clientId = rest.clientId ?? newClientId();
    const attempt = async (refresh: boolean) => {
      const archiveCiphertext = await this.seal(conversationId, clientId, plaintext, refresh);
      return this.client.messages.send(conversationId, { ...rest, clientId, ...(archiveCiphertext ? { archiveCiphertext } : {}) });
    };
    try {
      return await attempt(false);
    } catch (err) {
      const stale = isConclaveError(err, 'conflict') && !!err.details?.archiveKeyId
        || isConclaveError(err, 'validation_failed') && /archiveCiphertext/.test(err.message);
      if (!stale) throw err;
      return attempt(true);
    }
  }

  private async target(conversationId: string, refresh: boolean): Promise<ArchiveTarget> {
    if (!refresh && this.targets.has(conversationId)) return this.targets.get(conversationId)!;
    const res = await this.conversation(conversationId);
    const t = res.archiveKey ? { id: res.archiveKey.id, publicKey: fromB64(res.archiveKey.publicKey) } : null;
    this.targets.set(conversationId, t);
    return t;
  }

  private async userId(): Promise<string> {
    const token = this.client.token;
    if (this.me?.token !== token) this.me = { token, id: (await this.client.me.get()).user.id };
    return this.me.id;
  }
}

function missing(id: string): never {
  throw new ConclaveError('invalid_argument', `officer key ${id} is not an active key of a current officer`);
}

function utf8OrNull(b: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
}
