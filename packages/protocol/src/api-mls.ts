/**
 * End-to-end encryption with MLS (RFC 9420, E2E-1): devices, KeyPackages and the delivery
 * service. The server stores and relays MLS messages as opaque bytes (base64 on the wire); it
 * never holds a group secret. Handshake bytes are fetched here; events only point at them.
 */
import * as z from 'zod';
import { Id, Millis, cleanText, queryInt } from './common';
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;
const IdParams = z.object({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

/** Upper bound of one MLS structure on the wire (base64 characters); the org body limit applies too. */
export const MLS_MAX_B64 = 4 * 1024 * 1024;
/** KeyPackages one upload may carry. */
export const MLS_MAX_KEY_PACKAGES_PER_UPLOAD = 100;

const B64 = (max = MLS_MAX_B64) => z.base64().min(4).max(max);

/** One MLS client (a user's device): its signature key is the root of its MLS credential. */
export const MlsDevice = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  /** Ed25519 (or the ciphersuite's) signature public key, base64. */
  signaturePublicKey: z.string(),
  /** SHA-256 of the signature key, hex in groups of four: compare out of band (safety number). */
  fingerprint: z.string(),
  /** The identity inside the device's MLS basic credential: `conclave:<userId>:<deviceId>`. */
  credentialIdentity: z.string(),
  createdAt: Millis,
  revokedAt: Millis.nullable(),
  /** For the owner only: unclaimed KeyPackages in stock (null for other viewers). */
  availableKeyPackages: z.number().int().nullable(),
  hasLastResort: z.boolean().nullable(),
});
export type MlsDevice = z.infer<typeof MlsDevice>;

export const MlsGroup = z.object({
  conversationId: Id,
  /** MLS group id, base64 (UTF-8 of `conclave:<conversationId>`). */
  groupId: z.string(),
  ciphersuite: z.string(),
  /** The current epoch: the only epoch a commit is accepted for. */
  epoch: z.number().int(),
  updatedAt: Millis,
});
export type MlsGroup = z.infer<typeof MlsGroup>;

export const MlsHandshake = z.object({
  id: Id,
  /** Epoch the message was made in (a commit moves the group to epoch + 1). */
  epoch: z.number().int(),
  kind: z.enum(['commit', 'proposal']),
  /** MLSMessage bytes (PublicMessage), base64. */
  data: z.string(),
  /** Null for proposals the server sends as the group's external sender. */
  senderUserId: Id.nullable(),
  createdAt: Millis,
});
export type MlsHandshake = z.infer<typeof MlsHandshake>;

export const MlsWelcome = z.object({
  conversationId: Id,
  /** The epoch the Welcome joins (the commit's epoch + 1). */
  epoch: z.number().int(),
  handshakeId: Id,
  /** MLSMessage (Welcome) bytes, base64. */
  welcome: z.string(),
});
export type MlsWelcome = z.infer<typeof MlsWelcome>;

export const MlsClaimedKeyPackage = z.object({ userId: Id, deviceId: Id, keyPackage: z.string(), lastResort: z.boolean() });

export const mlsEndpoints = {
  mlsConfig: ep({
    method: 'GET', path: '/api/v1/mls/config', summary: 'MLS parameters: ciphersuite, the server\'s external-sender key (for Remove proposals), KeyPackage stock policy.',
    response: z.object({
      ciphersuite: z.string(),
      externalSender: z.object({ signaturePublicKey: z.string(), identity: z.string() }),
      keyPackageTarget: z.number().int(),
      keyPackageLowWater: z.number().int(),
      maxKeyPackageLifetimeSeconds: z.number().int(),
    }),
  }),
  registerMlsDevice: ep({
    method: 'POST', path: '/api/v1/mls/devices', summary: 'Register this device\'s MLS signature key; returns the device id its credential must name.',
    body: z.object({ name: cleanText(100, 1), signaturePublicKey: B64(1024) }).strict(),
    response: z.object({ device: MlsDevice }),
  }),
  listMyMlsDevices: ep({ method: 'GET', path: '/api/v1/mls/devices', summary: 'Your MLS devices with their KeyPackage stock.', response: z.object({ devices: z.array(MlsDevice) }) }),
  revokeMlsDevice: ep({
    method: 'DELETE', path: '/api/v1/mls/devices/:id', summary: 'Revoke one of your devices: its KeyPackages are dropped and it is removed from every group.',
    params: IdParams, response: Ok,
  }),
  uploadKeyPackages: ep({
    method: 'POST', path: '/api/v1/mls/devices/:id/key-packages', summary: 'Add KeyPackages (MLSMessage, base64) to a device\'s stock; `lastResort` replaces the package handed out when the stock is empty.',
    params: IdParams,
    body: z.object({ keyPackages: z.array(B64(64 * 1024)).max(MLS_MAX_KEY_PACKAGES_PER_UPLOAD), lastResort: B64(64 * 1024).optional() }).strict(),
    response: z.object({ available: z.number().int(), hasLastResort: z.boolean() }),
  }),
  claimKeyPackages: ep({
    method: 'POST', path: '/api/v1/mls/conversations/:id/key-packages', summary: 'Claim one KeyPackage per device of each user, to add them to this conversation\'s group (same checks as adding members).',
    params: IdParams, body: z.object({ userIds: z.array(Id).min(1).max(1000) }).strict(),
    response: z.object({ keyPackages: z.array(MlsClaimedKeyPackage), missingUserIds: z.array(Id) }),
  }),
  listConversationDevices: ep({
    method: 'GET', path: '/api/v1/mls/conversations/:id/devices', summary: 'Devices of every member, with fingerprints to compare (safety numbers).',
    params: IdParams, response: z.object({ devices: z.array(MlsDevice) }),
  }),
  initMlsGroup: ep({
    method: 'POST', path: '/api/v1/mls/conversations/:id/group', summary: 'Publish a new group\'s epoch-0 GroupInfo (creator only, once).',
    params: IdParams, body: z.object({ groupInfo: B64() }).strict(), response: z.object({ group: MlsGroup }),
  }),
  getMlsGroup: ep({
    method: 'GET', path: '/api/v1/mls/conversations/:id/group', summary: 'The group\'s public state: epoch and the current GroupInfo (with ratchet tree) for external joins.',
    params: IdParams, response: z.object({ group: MlsGroup, groupInfo: z.string() }),
  }),
  postMlsCommit: ep({
    method: 'POST', path: '/api/v1/mls/conversations/:id/commits', summary: 'Submit a commit for the current epoch with the new epoch\'s GroupInfo (and Welcome when adding). The first valid commit of an epoch wins; later ones get stale_epoch.',
    params: IdParams,
    body: z.object({ commit: B64(), groupInfo: B64(), welcome: B64().optional() }).strict(),
    response: z.object({ handshake: MlsHandshake, group: MlsGroup, addedUserIds: z.array(Id) }),
  }),
  listMlsHandshakes: ep({
    method: 'GET', path: '/api/v1/mls/conversations/:id/handshakes', summary: 'Commits and proposals from `fromEpoch` on, in epoch order (proposals of an epoch before its commit).',
    params: IdParams, query: z.object({ fromEpoch: queryInt(0, Number.MAX_SAFE_INTEGER), limit: queryInt(1, 500).optional() }).strict(),
    response: z.object({ handshakes: z.array(MlsHandshake), epoch: z.number().int(), hasMore: z.boolean() }),
  }),
  listMlsWelcomes: ep({
    method: 'GET', path: '/api/v1/mls/devices/:id/welcomes', summary: 'Welcomes addressed to one of your devices, for conversations you are still in.',
    params: IdParams, response: z.object({ welcomes: z.array(MlsWelcome) }),
  }),
} as const;
