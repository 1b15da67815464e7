/**
 * E2EE compliance archive (GOV-5, ENC-2; docs/GOVERNANCE.md "Compliance archive"). Off by
 * default; enabled per confidentiality level. Clients in E2EE conversations of an archived level
 * also seal each message to the org's archive public key (HPKE). The archive private key exists
 * only as k-of-n Shamir shares, each sealed to one compliance officer's device key: reading the
 * archive needs k officers to release their shares to a requester. The server stores public keys
 * and ciphertext only. Everything but `getConversationArchive` needs `archive.manage`.
 */
import * as z from 'zod';
import { Id, Millis, cleanText, queryInt } from './common';
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;
const IdParams = z.object({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

/** A raw X25519 public key (32 bytes), base64. */
const PublicKey = z.base64().length(44, 'must be a 32-byte X25519 public key, base64');
/** A sealed share (archive envelope, crypto/archive.ts), base64. */
const SealedShare = z.base64().min(4).max(1024);
/** Upper bound of an archived message ciphertext (base64 characters). */
export const ARCHIVE_MAX_CIPHERTEXT_B64 = 2 * 1024 * 1024 + 1024;
/** How long a decryption request stays usable after it is opened. */
export const ARCHIVE_REQUEST_TTL_MS = 7 * 24 * 3600 * 1000;

/** A compliance officer's device key: shares of the archive key are sealed to it. */
export const ArchiveOfficerKey = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  publicKey: z.string(),
  /** SHA-256 of the public key, hex in groups of four: compare out of band before a ceremony. */
  fingerprint: z.string(),
  createdAt: Millis,
  revokedAt: Millis.nullable(),
});
export type ArchiveOfficerKey = z.infer<typeof ArchiveOfficerKey>;

/** The org archive key (public half) and who holds its shares. */
export const ArchiveKey = z.object({
  id: Id,
  publicKey: z.string(),
  fingerprint: z.string(),
  /** k: shares needed to rebuild the private key. */
  threshold: z.number().int(),
  /** n: shares made. */
  shareCount: z.number().int(),
  holders: z.array(z.object({ userId: Id, officerKeyId: Id })),
  createdBy: Id,
  createdAt: Millis,
  /** Set when a newer ceremony replaced it; messages sealed to it still need its shares. */
  retiredAt: Millis.nullable(),
});
export type ArchiveKey = z.infer<typeof ArchiveKey>;

export const ArchiveRequestStatus = z.enum(['pending', 'approved', 'refused', 'expired', 'closed']);
export type ArchiveRequestStatus = z.infer<typeof ArchiveRequestStatus>;

/** A request to decrypt the archive of one conversation over a time range. */
export const ArchiveRequest = z.object({
  id: Id,
  requesterId: Id,
  conversationId: Id,
  from: Millis,
  to: Millis,
  reason: z.string(),
  /** The requester's one-off key: released shares are sealed to it. */
  requesterPublicKey: z.string(),
  archiveKeyId: Id,
  threshold: z.number().int(),
  status: ArchiveRequestStatus,
  released: z.number().int(),
  decisions: z.array(z.object({ officerId: Id, decision: z.enum(['released', 'refused']), reason: z.string().nullable(), at: Millis })),
  createdAt: Millis,
  expiresAt: Millis,
  closedAt: Millis.nullable(),
});
export type ArchiveRequest = z.infer<typeof ArchiveRequest>;

/** One archived message: the metadata the server knows and the sealed plaintext. */
export const ArchivedMessage = z.object({
  messageId: Id,
  conversationId: Id,
  authorId: Id,
  clientId: z.string(),
  createdAt: Millis,
  archiveKeyId: Id,
  archiveCiphertext: z.string(),
});
export type ArchivedMessage = z.infer<typeof ArchivedMessage>;

const RequestOut = z.object({ request: ArchiveRequest });

export const archiveEndpoints = {
  getArchiveStatus: ep({
    method: 'GET', path: '/api/v1/archive', summary: 'Archive status: the current archive key, retired keys, archived levels, officer keys (archive.manage).',
    response: z.object({ archiveKey: ArchiveKey.nullable(), retiredKeys: z.array(ArchiveKey), levels: z.array(z.string()), officerKeys: z.array(ArchiveOfficerKey) }),
  }),
  setArchiveLevels: ep({
    method: 'PUT', path: '/api/v1/archive/levels', summary: 'Set the confidentiality levels whose E2EE conversations are archived (archive.manage); needs an archive key. Audited.',
    body: z.object({ levels: z.array(cleanText(40, 1)).max(50) }).strict(),
    response: z.object({ levels: z.array(z.string()) }),
  }),
  registerArchiveOfficerKey: ep({
    method: 'POST', path: '/api/v1/archive/officer-keys', summary: 'Register your device\'s X25519 public key as an archive officer key (archive.manage). One active key per officer.',
    body: z.object({ publicKey: PublicKey, name: cleanText(80, 1).optional() }).strict(),
    response: z.object({ key: ArchiveOfficerKey }),
  }),
  listArchiveOfficerKeys: ep({
    method: 'GET', path: '/api/v1/archive/officer-keys', summary: 'Active officer keys of current compliance officers: the recipients of a ceremony (archive.manage).',
    response: z.object({ keys: z.array(ArchiveOfficerKey) }),
  }),
  revokeArchiveOfficerKey: ep({
    method: 'POST', path: '/api/v1/archive/officer-keys/:id/revoke', summary: 'Revoke your officer key (archive.manage). Shares sealed to it can no longer be released: run a new ceremony.',
    params: IdParams, response: Ok,
  }),
  setupArchiveKey: ep({
    method: 'POST', path: '/api/v1/archive/keys', summary: 'Upload the result of an archive setup ceremony: public key, k, and one sealed share per officer key (archive.manage). Retires the previous key. Audited.',
    body: z.object({
      publicKey: PublicKey,
      threshold: z.number().int().min(2).max(255),
      shares: z.array(z.object({ officerKeyId: Id, sealedShare: SealedShare }).strict()).min(2).max(255),
    }).strict().refine((b) => b.shares.length >= b.threshold, { message: 'must be at least as many as the threshold', path: ['shares'] }),
    response: z.object({ archiveKey: ArchiveKey }),
  }),
  getConversationArchive: ep({
    method: 'GET', path: '/api/v1/conversations/:id/archive', summary: 'Whether this conversation is archived for compliance and, if so, the archive public key to seal each message to (members).',
    params: IdParams,
    response: z.object({ archived: z.boolean(), archiveKey: z.object({ id: Id, publicKey: z.string(), fingerprint: z.string() }).nullable() }),
  }),
  createArchiveRequest: ep({
    method: 'POST', path: '/api/v1/archive/requests', summary: 'Open a decryption request for one conversation and time range, with a reason and your one-off public key (archive.manage). Audited.',
    body: z.object({
      conversationId: Id,
      from: Millis,
      to: Millis,
      reason: cleanText(1000, 1),
      requesterPublicKey: PublicKey,
      /** The archive key to recover (default: the current one). */
      archiveKeyId: Id.optional(),
    }).strict().refine((b) => b.from <= b.to, { message: 'must not be after `to`', path: ['from'] }),
    response: RequestOut,
  }),
  listArchiveRequests: ep({
    method: 'GET', path: '/api/v1/archive/requests', summary: 'Decryption requests, newest first (archive.manage).',
    query: z.object({ status: ArchiveRequestStatus.optional(), limit: queryInt(1, 500).optional() }).strict(),
    response: z.object({ requests: z.array(ArchiveRequest) }),
  }),
  getArchiveRequest: ep({
    method: 'GET', path: '/api/v1/archive/requests/:id', summary: 'One decryption request with every officer\'s decision (archive.manage).',
    params: IdParams, response: RequestOut,
  }),
  getMyArchiveShare: ep({
    method: 'GET', path: '/api/v1/archive/requests/:id/my-share', summary: 'Your sealed share of the request\'s archive key, to open on your device and reseal to the requester (archive.manage, share holders). Audited.',
    params: IdParams,
    response: z.object({ officerKeyId: Id, sealedShare: z.string(), archivePublicKey: z.string(), requesterPublicKey: z.string() }),
  }),
  releaseArchiveShare: ep({
    method: 'POST', path: '/api/v1/archive/requests/:id/release', summary: 'Approve a pending request by releasing your share, resealed to the requester\'s key (archive.manage, share holders). Audited.',
    params: IdParams, body: z.object({ sealedShare: SealedShare }).strict(), response: RequestOut,
  }),
  refuseArchiveRequest: ep({
    method: 'POST', path: '/api/v1/archive/requests/:id/refuse', summary: 'Refuse a pending request, with a reason (archive.manage, share holders). Audited.',
    params: IdParams, body: z.object({ reason: cleanText(1000, 1) }).strict(), response: RequestOut,
  }),
  listReleasedArchiveShares: ep({
    method: 'GET', path: '/api/v1/archive/requests/:id/shares', summary: 'The released shares of an approved request, sealed to the requester (the requester only). Refused before k are released. Audited.',
    params: IdParams,
    response: z.object({ archiveKeyId: Id, archivePublicKey: z.string(), shares: z.array(z.object({ officerId: Id, sealedShare: z.string() })) }),
  }),
  listArchivedMessages: ep({
    method: 'GET', path: '/api/v1/archive/requests/:id/messages', summary: 'Archived ciphertexts within an approved request\'s scope, oldest first (the requester only). Audited.',
    params: IdParams, query: z.object({ after: Id.optional(), limit: queryInt(1, 1000).optional() }).strict(),
    response: z.object({ messages: z.array(ArchivedMessage), hasMore: z.boolean() }),
  }),
  closeArchiveRequest: ep({
    method: 'POST', path: '/api/v1/archive/requests/:id/close', summary: 'Close a request (its requester): released shares are deleted from the server. Audited.',
    params: IdParams, response: RequestOut,
  }),
} as const;
