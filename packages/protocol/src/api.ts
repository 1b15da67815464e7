import * as z from 'zod';
import { Email, Id, Millis, cleanText, queryInt } from './common';
import {
  Conversation, ConversationKind, ConversationRoleSchema, DlpSettings, EncryptionMode, LevelName, LevelPolicy, Member, Message, MessageVersion,
  OrgRoleSchema, OrgSettings, PasswordPolicy, RoleGrant, Session, User,
} from './models';
import { adminEndpoints } from './api-admin';
import { auditEndpoints } from './api-audit';
import { mlsEndpoints } from './api-mls';
import { filesEndpoints, MessageRestrictionsInput } from './api-files';
import { governanceEndpoints } from './api-governance';
import { archiveEndpoints } from './api-archive';
import { dsarEndpoints } from './api-dsar';
import { ediscoveryEndpoints } from './api-ediscovery';
import { webauthnEndpoints, WebAuthnAuthenticationResponse } from './api-webauthn';
import { SyncEvent } from './events';

/** Upper bound on any text field before the org's own (smaller) limits apply. */
export const HARD_MAX_TEXT = 1024 * 1024;

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
const IdParams = z.object({ id: Id });
const ConvMsgParams = z.object({ id: Id, messageId: Id });
const Emoji = cleanText(64, 1);

/** One HTTP endpoint of the public API: the single source for server routes, SDK and OpenAPI. */
export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
}
const ep = <E extends Endpoint>(e: E) => e;

/** A phone number: digits with an optional leading +, spaces, dashes, dots and parentheses. */
const Phone = z.string().trim().regex(/^\+?[0-9][0-9 ().-]{4,24}$/, 'must be a phone number such as +86 138 1234 5678');
const Address = cleanText(300, 1);

export const endpoints = {
  // ---- auth (IAM-1, IAM-3) ----
  login: ep({
    method: 'POST', path: '/api/v1/auth/login', summary: 'Log in with email and password (and a TOTP code, a security-key response or a recovery code when MFA is enabled: `mfa_required` lists details.methods and, for keys, details.webauthn request options; api-webauthn.ts).',
    body: z.object({
      email: Email,
      password: z.string().min(1).max(1024),
      totp: z.string().regex(/^\d{6}$/, 'must be 6 digits').optional(),
      recoveryCode: z.string().min(8).max(64).optional(),
      webauthn: WebAuthnAuthenticationResponse.optional(),
    }).strict(),
    response: z.object({ token: z.string(), user: User, session: Session }),
  }),
  logout: ep({ method: 'POST', path: '/api/v1/auth/logout', summary: 'Revoke the current session.', body: Empty.optional(), response: Ok }),
  changePassword: ep({
    method: 'POST', path: '/api/v1/auth/password', summary: 'Change your password; other sessions are revoked.',
    body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: cleanText(1024, 1) }).strict(),
    response: z.object({ user: User }),
  }),
  totpEnroll: ep({
    method: 'POST', path: '/api/v1/auth/totp/enroll', summary: 'Start TOTP enrolment: returns a secret, otpauth URI and QR code.',
    body: Empty.optional(), response: z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() }),
  }),
  totpConfirm: ep({
    method: 'POST', path: '/api/v1/auth/totp/confirm', summary: 'Finish TOTP enrolment with a current code; returns one-time recovery codes.',
    body: z.object({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') }).strict(),
    response: z.object({ recoveryCodes: z.array(z.string()), user: User }),
  }),
  totpDisable: ep({
    method: 'POST', path: '/api/v1/auth/totp/disable', summary: 'Disable TOTP (refused when your role requires MFA).',
    body: z.object({ password: z.string().min(1).max(1024) }).strict(), response: z.object({ user: User }),
  }),
  regenerateRecoveryCodes: ep({
    method: 'POST', path: '/api/v1/auth/recovery-codes', summary: 'Replace your recovery codes (needs an MFA-verified session).',
    body: Empty.optional(), response: z.object({ recoveryCodes: z.array(z.string()) }),
  }),

  // ---- me ----
  me: ep({
    method: 'GET', path: '/api/v1/me', summary: 'You, your session and your permissions.',
    response: z.object({ user: User, session: Session, org: z.object({ name: z.string(), maxMessageBytes: z.number().int(), passwordPolicy: PasswordPolicy }) }),
  }),
  listMySessions: ep({ method: 'GET', path: '/api/v1/me/sessions', summary: 'Your active sessions.', response: z.object({ sessions: z.array(Session) }) }),
  revokeMySession: ep({ method: 'DELETE', path: '/api/v1/me/sessions/:id', summary: 'Revoke one of your sessions.', params: IdParams, response: Ok }),

  // ---- users / directory ----
  listUsers: ep({
    method: 'GET', path: '/api/v1/users', summary: 'The directory, as you may see it.',
    query: z.object({ q: cleanText(100).optional(), includeDeactivated: z.enum(['true', 'false']).optional() }).strict(),
    response: z.object({ users: z.array(User) }),
  }),
  getUser: ep({ method: 'GET', path: '/api/v1/users/:id', summary: 'One user.', params: IdParams, response: z.object({ user: User }) }),
  createUser: ep({
    method: 'POST', path: '/api/v1/users', summary: 'Create a user (admin). Without a password a one-time password is generated and returned once.',
    body: z.object({
      email: Email, name: cleanText(200, 1), role: OrgRoleSchema.default('member'), password: cleanText(1024, 1).optional(),
      clearance: LevelName.optional(), departmentIds: z.array(Id).max(50).optional(), phone: Phone.nullable().optional(), address: Address.nullable().optional(),
    }).strict(),
    response: z.object({ user: User, oneTimePassword: z.string().nullable() }),
  }),
  updateUser: ep({
    method: 'PATCH', path: '/api/v1/users/:id', summary: 'Change a user\'s name, role, clearance or departments (admin). A privileged role grant may wait for a second admin.', params: IdParams,
    body: z.object({
      name: cleanText(200, 1).optional(), role: OrgRoleSchema.optional(), clearance: LevelName.optional(), departmentIds: z.array(Id).max(50).optional(),
      phone: Phone.nullable().optional(), address: Address.nullable().optional(),
    }).strict(),
    response: z.object({ user: User, pendingGrant: RoleGrant.nullable() }),
  }),
  deactivateUser: ep({
    method: 'POST', path: '/api/v1/admin/users/:id/deactivate', summary: 'Offboard a user at once: sessions, sockets, memberships; their conversations go to their manager or `transferTo` (ACL-5).',
    params: IdParams, body: z.object({ transferTo: Id.optional() }).strict().optional(),
    response: z.object({ user: User, revokedSessions: z.number().int(), removedFrom: z.number().int(), transferred: z.array(z.object({ conversationId: Id, newOwnerId: Id })) }),
  }),
  reactivateUser: ep({
    method: 'POST', path: '/api/v1/admin/users/:id/reactivate', summary: 'Reactivate an account (nothing else is restored).',
    params: IdParams, body: Empty.optional(), response: z.object({ user: User }),
  }),
  listUserSessions: ep({ method: 'GET', path: '/api/v1/admin/users/:id/sessions', summary: 'A user\'s sessions (admin).', params: IdParams, response: z.object({ sessions: z.array(Session) }) }),
  revokeUserSession: ep({
    method: 'DELETE', path: '/api/v1/admin/users/:id/sessions/:sessionId', summary: 'Revoke a user\'s session (admin).',
    params: z.object({ id: Id, sessionId: Id }), response: Ok,
  }),

  // ---- org ----
  getOrgSettings: ep({ method: 'GET', path: '/api/v1/org/settings', summary: 'Organisation settings (admin).', response: z.object({ settings: OrgSettings }) }),
  updateOrgSettings: ep({
    method: 'PATCH', path: '/api/v1/org/settings', summary: 'Change organisation settings (admin).',
    body: z.object({
      name: cleanText(200, 1).optional(),
      mfaRequiredRoles: z.array(OrgRoleSchema).max(20).optional(),
      passwordPolicy: PasswordPolicy.optional(),
      sessionTtlHours: z.number().int().min(1).max(24 * 90).optional(),
      maxMessageBytes: z.number().int().min(1024).max(HARD_MAX_TEXT).optional(),
      editHistoryVisibleTo: z.enum(['author_and_admins', 'members']).optional(),
      levels: z.array(LevelName).min(1).max(10).optional(),
      levelPolicies: z.record(LevelName, LevelPolicy).optional(),
      defaultLevel: LevelName.optional(),
      directoryVisibility: z.enum(['all', 'department', 'explicit']).optional(),
      historyVisibleToNewMembers: z.boolean().optional(),
      guestDmToNonMembers: z.boolean().optional(),
      dualControlRoleGrants: z.boolean().optional(),
      fileMaxBytes: z.number().int().min(1).max(2 ** 40).optional(),
      fileMaxBytesByLevel: z.record(LevelName, z.number().int().min(1).max(2 ** 40)).optional(),
      fileBlockedExtensions: z.array(z.string().regex(/^[a-z0-9]{1,16}$/, 'must be an extension without the dot, lower case')).max(100).optional(),
      watermarkFromLevel: LevelName.nullable().optional(),
      dlp: DlpSettings.optional(),
      maskPersonalData: z.enum(['off', 'external', 'all']).optional(),
    }).strict(),
    response: z.object({ settings: OrgSettings }),
  }),

  // ---- conversations (MSG-1) ----
  createConversation: ep({
    method: 'POST', path: '/api/v1/conversations', summary: 'Create a DM (idempotent per pair), private group or channel.',
    body: z.object({
      kind: ConversationKind,
      name: cleanText(80, 1).optional(),
      topic: cleanText(500).optional(),
      memberIds: z.array(Id).max(1000).optional(),
      level: LevelName.optional(),
      departmentId: Id.optional(),
      /** 'e2ee': an MLS group (private groups only); the creator's client then publishes the group (api-mls.ts). */
      encryption: EncryptionMode.optional(),
    }).strict(),
    response: z.object({ conversation: Conversation }),
  }),
  listConversations: ep({ method: 'GET', path: '/api/v1/conversations', summary: 'Conversations you are a member of.', query: z.object({ includeArchived: z.enum(['true', 'false']).optional() }).strict(), response: z.object({ conversations: z.array(Conversation) }) }),
  browseChannels: ep({ method: 'GET', path: '/api/v1/channels', summary: 'Channels you may join.', query: z.object({ q: cleanText(100).optional() }).strict(), response: z.object({ conversations: z.array(Conversation) }) }),
  getConversation: ep({ method: 'GET', path: '/api/v1/conversations/:id', summary: 'One conversation.', params: IdParams, response: z.object({ conversation: Conversation }) }),
  updateConversation: ep({
    method: 'PATCH', path: '/api/v1/conversations/:id', summary: 'Rename, set topic, archive or unarchive.', params: IdParams,
    body: z.object({ name: cleanText(80, 1).optional(), topic: cleanText(500).nullable().optional(), archived: z.boolean().optional(), level: LevelName.optional() }).strict(),
    response: z.object({ conversation: Conversation }),
  }),
  listMembers: ep({ method: 'GET', path: '/api/v1/conversations/:id/members', summary: 'Members of a conversation.', params: IdParams, response: z.object({ members: z.array(Member) }) }),
  addMembers: ep({
    method: 'POST', path: '/api/v1/conversations/:id/members', summary: 'Add members.', params: IdParams,
    body: z.object({ userIds: z.array(Id).min(1).max(1000) }).strict(), response: z.object({ members: z.array(Member) }),
  }),
  updateMember: ep({
    method: 'PATCH', path: '/api/v1/conversations/:id/members/:userId', summary: 'Change a member\'s conversation role.',
    params: z.object({ id: Id, userId: Id }), body: z.object({ role: ConversationRoleSchema }).strict(), response: z.object({ member: Member }),
  }),
  removeMember: ep({ method: 'DELETE', path: '/api/v1/conversations/:id/members/:userId', summary: 'Remove a member (or yourself: leave).', params: z.object({ id: Id, userId: Id }), response: Ok }),
  joinChannel: ep({ method: 'POST', path: '/api/v1/conversations/:id/join', summary: 'Join a channel.', params: IdParams, body: Empty.optional(), response: z.object({ conversation: Conversation }) }),
  leaveConversation: ep({ method: 'POST', path: '/api/v1/conversations/:id/leave', summary: 'Leave a group or channel.', params: IdParams, body: Empty.optional(), response: Ok }),
  markRead: ep({
    method: 'POST', path: '/api/v1/conversations/:id/read', summary: 'Move your read marker (never backwards).', params: IdParams,
    body: z.object({ position: z.number().int().min(0) }).strict(), response: z.object({ lastReadPosition: z.number().int() }),
  }),

  // ---- messages (MSG-1) ----
  sendMessage: ep({
    method: 'POST', path: '/api/v1/conversations/:id/messages', summary: 'Send a message; retries with the same clientId never duplicate.', params: IdParams,
    body: z.object({
      clientId: z.string().min(1).max(64).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only'),
      text: cleanText(HARD_MAX_TEXT, 1).optional(),
      ciphertext: z.base64().max(HARD_MAX_TEXT * 2).optional(),
      threadRootId: Id.optional(),
      mentions: z.array(Id).max(100).optional(),
      /** Completed uploads of yours in this conversation to attach (MSG-2); text may then be left out. */
      fileIds: z.array(Id).min(1).max(20).optional(),
      /** Send although the text holds sensitive data this level warns about (DLP-3). */
      acknowledgeSensitive: z.boolean().optional(),
      /** E2EE conversations archived for compliance (GOV-5): the plaintext sealed to the archive key (api-archive.ts). */
      archiveCiphertext: z.base64().min(4).max(2 * HARD_MAX_TEXT + 1024).optional(),
      /** Per-message no-forward / no-copy / no-download on top of the level's (DLP-1). */
      restrictions: MessageRestrictionsInput.optional(),
    }).strict().refine((b) => (b.text === undefined) !== (b.ciphertext === undefined) || (b.text === undefined && b.ciphertext === undefined && !!b.fileIds?.length), { message: 'exactly one of text or ciphertext is required', path: ['text'] }),
    response: z.object({ message: Message }),
  }),
  listMessages: ep({
    method: 'GET', path: '/api/v1/conversations/:id/messages', summary: 'Messages, newest last. before/after take a message id; threadRootId lists a thread.', params: IdParams,
    query: z.object({ before: Id.optional(), after: Id.optional(), limit: queryInt(1, 200).optional(), threadRootId: Id.optional() }).strict(),
    response: z.object({ messages: z.array(Message), hasMore: z.boolean() }),
  }),
  getMessage: ep({ method: 'GET', path: '/api/v1/conversations/:id/messages/:messageId', summary: 'One message.', params: ConvMsgParams, response: z.object({ message: Message }) }),
  editMessage: ep({
    method: 'PATCH', path: '/api/v1/conversations/:id/messages/:messageId', summary: 'Edit your message; the old text is kept (encrypted) in its history.', params: ConvMsgParams,
    body: z.object({
      text: cleanText(HARD_MAX_TEXT, 1).optional(), ciphertext: z.base64().max(HARD_MAX_TEXT * 2).optional(), mentions: z.array(Id).max(100).optional(), acknowledgeSensitive: z.boolean().optional(),
      /** Adds per-message restrictions (DLP-1); may come alone (the text stays). Set flags can never be lifted. */
      restrictions: MessageRestrictionsInput.optional(),
    }).strict()
      .refine((b) => (b.text === undefined) !== (b.ciphertext === undefined) || (b.text === undefined && b.ciphertext === undefined && b.restrictions !== undefined && b.mentions === undefined),
        { message: 'exactly one of text or ciphertext is required (or restrictions alone)', path: ['text'] }),
    response: z.object({ message: Message }),
  }),
  deleteMessage: ep({ method: 'DELETE', path: '/api/v1/conversations/:id/messages/:messageId', summary: 'Delete a message: content and history are erased, a tombstone stays.', params: ConvMsgParams, response: z.object({ message: Message }) }),
  messageHistory: ep({ method: 'GET', path: '/api/v1/conversations/:id/messages/:messageId/history', summary: 'Earlier versions of an edited message (per org policy).', params: ConvMsgParams, response: z.object({ versions: z.array(MessageVersion) }) }),
  addReaction: ep({ method: 'PUT', path: '/api/v1/conversations/:id/messages/:messageId/reactions/:emoji', summary: 'React (idempotent).', params: z.object({ id: Id, messageId: Id, emoji: Emoji }), body: Empty.optional(), response: z.object({ message: Message }) }),
  removeReaction: ep({ method: 'DELETE', path: '/api/v1/conversations/:id/messages/:messageId/reactions/:emoji', summary: 'Remove your reaction.', params: z.object({ id: Id, messageId: Id, emoji: Emoji }), response: z.object({ message: Message }) }),

  // ---- sync (MSG-4) ----
  sync: ep({
    method: 'GET', path: '/api/v1/sync', summary: 'Events after `since`, in order. `reset` means refetch state and resume from `seq`.',
    query: z.object({ since: queryInt(0, Number.MAX_SAFE_INTEGER), limit: queryInt(1, 1000).optional() }).strict(),
    response: z.object({ events: z.array(SyncEvent), seq: z.number().int(), hasMore: z.boolean(), reset: z.boolean() }),
  }),
  ...adminEndpoints,
  ...auditEndpoints,
  ...mlsEndpoints,
  ...filesEndpoints,
  ...governanceEndpoints,
  ...dsarEndpoints,
  ...ediscoveryEndpoints,
  ...archiveEndpoints,
  ...webauthnEndpoints,
} as const;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;
/** Request body type of an endpoint. */
export type BodyOf<N extends EndpointName> = Endpoints[N] extends { body: infer B extends z.ZodType } ? z.input<B> : never;
export type QueryOf<N extends EndpointName> = Endpoints[N] extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;
export type ParamsOf<N extends EndpointName> = Endpoints[N] extends { params: infer P extends z.ZodType } ? z.input<P> : never;
export type ResponseOf<N extends EndpointName> = z.infer<Endpoints[N]['response']>;
export { Millis };
