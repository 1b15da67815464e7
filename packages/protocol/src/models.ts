import * as z from 'zod';
import { Id, Millis, Seq } from './common';
import { CONVERSATION_ROLES, PERMISSIONS } from './roles';

/** A role name (built-in or custom). */
export const OrgRoleSchema = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a role name: lower-case letters, digits, underscores');
/** A confidentiality level name (ACL-2). */
export const LevelName = z.string().regex(/^[a-z][a-z0-9_]{1,29}$/, 'must be a level name: lower-case letters, digits, underscores');
export const ConversationRoleSchema = z.enum(CONVERSATION_ROLES);
export const PermissionSchema = z.enum(PERMISSIONS);

/** A user as another user sees it (directory entry). */
export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: OrgRoleSchema,
  status: z.enum(['active', 'deactivated']),
  createdAt: Millis,
  mfaEnabled: z.boolean(),
  presence: z.enum(['online', 'away', 'offline']),
  /** Guests (external users) are marked in every wire object (ACL-4). */
  external: z.boolean(),
  /** Highest confidentiality level this user may see (ACL-2). */
  clearance: z.string(),
  departmentIds: z.array(Id),
  /** Work phone, e.g. +86 138 1234 5678 (sealed at rest; masked per viewer, DLP-4). */
  phone: z.string().nullable(),
  /** Postal address (sealed at rest; reduced to city/district for masked viewers, DLP-4). */
  address: z.string().nullable(),
  /** Fields shown masked to this viewer (DLP-4), e.g. ['email']; absent when nothing is masked. */
  maskedFields: z.array(z.string()).optional(),
});
export type User = z.infer<typeof User>;

/** Why a session is limited to a few routes until the user acts (IAM-1). */
export const SessionRestriction = z.enum(['password_change', 'mfa_enrollment']);

export const Session = z.object({
  id: Id,
  createdAt: Millis,
  lastSeenAt: Millis,
  expiresAt: Millis,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  mfaVerified: z.boolean(),
  restriction: SessionRestriction.nullable(),
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export const PasswordPolicy = z.object({
  minLength: z.number().int().min(8).max(128),
  requireMixedCase: z.boolean(),
  requireDigit: z.boolean(),
  requireSymbol: z.boolean(),
});
export type PasswordPolicy = z.infer<typeof PasswordPolicy>;

/** What content of a level may do (ACL-3, DLP-1, GOV-1). */
export const LevelPolicy = z.object({
  forwardingAllowed: z.boolean(),
  copyAllowed: z.boolean(),
  downloadsAllowed: z.boolean(),
  /** Default retention in days for content at this level; null keeps it (used by governance). */
  retentionDays: z.number().int().min(1).max(36_500).nullable(),
  /** Reading this level needs a session that passed MFA. */
  mfaRequired: z.boolean(),
  /**
   * Conversations at this level must be end-to-end encrypted (E2E-1): creating a server-mode
   * one, or raising a server-mode one to this level, is refused. Absent in older settings: false.
   */
  e2eeRequired: z.boolean().default(false),
});
export type LevelPolicy = z.infer<typeof LevelPolicy>;

/** Built-in sensitive-data detectors (DLP-3). */
export const DLP_DETECTORS = ['cn_mobile', 'cn_id', 'bank_card', 'email'] as const;
export const DlpDetector = z.enum(DLP_DETECTORS);
/** What happens to content holding sensitive data: nothing, the sender confirms, values are masked, refused. */
export const DlpAction = z.enum(['allow', 'warn', 'mask', 'block']);
export type DlpAction = z.infer<typeof DlpAction>;

/** An administrator-defined pattern; `pattern` is a JavaScript regular expression (no flags: matching is case-insensitive). */
export const DlpPattern = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a detector name: lower-case letters, digits, underscores'),
  pattern: z.string().min(1).max(200).refine((p) => { try { new RegExp(p, 'giu'); return true; } catch { return false; } }, 'must be a valid regular expression'),
});

export const DlpSettings = z.object({
  /** Enabled built-in detectors. */
  detectors: z.array(DlpDetector),
  customPatterns: z.array(DlpPattern).max(20),
  /** Action per confidentiality level; levels not listed allow. */
  levelActions: z.record(z.string(), DlpAction),
});
export type DlpSettings = z.infer<typeof DlpSettings>;

/** One detector hit: type and position only, never the value (what the audit log records too). */
export const DlpHit = z.object({ type: z.string(), start: z.number().int(), end: z.number().int() });
export type DlpHit = z.infer<typeof DlpHit>;

/** Organisation settings visible to admins (and, in part, to every member via /me). */
export const OrgSettings = z.object({
  name: z.string(),
  mfaRequiredRoles: z.array(OrgRoleSchema),
  passwordPolicy: PasswordPolicy,
  sessionTtlHours: z.number().int().min(1).max(24 * 90),
  maxMessageBytes: z.number().int().min(1024).max(1024 * 1024),
  editHistoryVisibleTo: z.enum(['author_and_admins', 'members']),
  /** Ordered confidentiality levels, lowest first (ACL-2). */
  levels: z.array(LevelName).min(1).max(10),
  levelPolicies: z.record(z.string(), LevelPolicy),
  /** What people see for a level, e.g. { secret: "Strictly confidential" }; a level without one shows its name. Absent in older settings. */
  levelLabels: z.record(z.string(), z.string()).optional(),
  /** Level of a new conversation when none is given, and clearance of a new user. */
  defaultLevel: LevelName,
  /** Who sees whom in the directory: everyone, same department (and co-members), or co-members only. */
  directoryVisibility: z.enum(['all', 'department', 'explicit']),
  /** Whether people added to a conversation see messages from before they joined. */
  historyVisibleToNewMembers: z.boolean(),
  /** Whether guests may start DMs with people they share no conversation with. */
  guestDmToNonMembers: z.boolean(),
  /** Privileged role grants need a second admin's approval (separation of duties). */
  dualControlRoleGrants: z.boolean(),
  /** The preset last applied, for display. */
  preset: z.string().nullable(),
  /** Largest file in bytes (MSG-2); `fileMaxBytesByLevel` may lower it per conversation level. */
  fileMaxBytes: z.number().int().min(1).max(2 ** 40),
  fileMaxBytesByLevel: z.record(z.string(), z.number().int().min(1).max(2 ** 40)),
  /** File extensions refused on top of the built-in block list (e.g. ["iso", "dmg"]). */
  fileBlockedExtensions: z.array(z.string().regex(/^[a-z0-9]{1,16}$/)).max(100),
  /** Lowest level whose image/PDF previews carry a visible watermark of the viewer (DLP-2); null: never. */
  watermarkFromLevel: LevelName.nullable(),
  /** Sensitive-data detection (DLP-3). */
  dlp: DlpSettings,
  /** Who sees other people's personal data masked (DLP-4): nobody, external users, or everyone. */
  maskPersonalData: z.enum(['off', 'external', 'all']),
});
export type OrgSettings = z.infer<typeof OrgSettings>;

export const ConversationKind = z.enum(['dm', 'group', 'channel']);
export type ConversationKind = z.infer<typeof ConversationKind>;

/** How message bodies are protected: envelope-encrypted by the server, or end-to-end (MLS). */
export const EncryptionMode = z.enum(['server', 'e2ee']);

export const Conversation = z.object({
  id: Id,
  kind: ConversationKind,
  name: z.string().nullable(),
  topic: z.string().nullable(),
  encryption: EncryptionMode,
  /** Confidentiality level (ACL-2): shown on every conversation a client renders. */
  level: z.string(),
  /** True while at least one guest (external user) is a member (ACL-4). */
  hasExternal: z.boolean(),
  /** Department-scoped channel: only that department's people may see and join it. */
  departmentId: Id.nullable(),
  /** What the level allows clients to do with its content (DLP-1); the server enforces it too. */
  restrictions: z.object({ noForward: z.boolean(), noCopy: z.boolean(), noDownload: z.boolean() }),
  createdAt: Millis,
  createdBy: Id,
  archived: z.boolean(),
  memberCount: z.number().int(),
  /** For DMs: the other participant (or yourself for a note-to-self). */
  dmPeerId: Id.nullable(),
  /** Position of the newest message (0 when empty). */
  lastPosition: z.number().int(),
  lastMessageAt: Millis.nullable(),
  /** Viewer-specific: your role, null when you are not a member (browsing a channel). */
  myRole: ConversationRoleSchema.nullable(),
  /** Viewer-specific read state (MSG-5). */
  lastReadPosition: z.number().int(),
  unreadCount: z.number().int(),
  mentionCount: z.number().int(),
  /** E2EE conversation whose level is archived for compliance (GOV-5): show the permanent banner; sends need archiveCiphertext. */
  complianceArchive: z.boolean(),
  /** Clients overlay the viewer's name and id on this conversation (DLP-2, from the org's watermarkFromLevel). */
  watermarked: z.boolean(),
});
export type Conversation = z.infer<typeof Conversation>;

export const Member = z.object({
  userId: Id,
  role: ConversationRoleSchema,
  joinedAt: Millis,
  lastReadPosition: z.number().int(),
});
export type Member = z.infer<typeof Member>;

export const Reaction = z.object({ emoji: z.string(), count: z.number().int(), userIds: z.array(Id) });

export const ThreadSummary = z.object({
  replyCount: z.number().int(),
  lastReplyAt: Millis.nullable(),
  participantIds: z.array(Id),
});

/** A stored file as a member sees it (MSG-2). Content is fetched separately, per request. */
export const FileInfo = z.object({
  id: Id,
  conversationId: Id,
  /** The message the file is attached to; null until it is sent (then only the uploader sees it). */
  messageId: Id.nullable(),
  name: z.string(),
  size: z.number().int(),
  /** Sniffed from the content, never taken from the client. */
  contentType: z.string(),
  /** The conversation's confidentiality level when the file was uploaded (or a stricter one). */
  level: z.string(),
  uploaderId: Id,
  createdAt: Millis,
  /** What clients may do with it (DLP-1); downloads are refused by the server when noDownload. */
  restrictions: z.object({ noForward: z.boolean(), noCopy: z.boolean(), noDownload: z.boolean() }),
  /** Whether GET …/preview renders it (images, PDF, text); watermarked per level (DLP-2). */
  preview: z.enum(['image', 'pdf', 'text', 'none']),
  watermarked: z.boolean(),
  /** Size of the image thumbnail served by GET …/thumbnail (PNG and JPEG images), or null. */
  thumbnail: z.object({ width: z.number().int(), height: z.number().int() }).nullable(),
});
export type FileInfo = z.infer<typeof FileInfo>;

export const Message = z.object({
  id: Id,
  conversationId: Id,
  /** Client-generated idempotency key: a retried send with the same clientId returns this message. */
  clientId: z.string(),
  /** Order inside the conversation, strictly increasing, never reused. */
  position: z.number().int(),
  authorId: Id,
  encryption: EncryptionMode,
  /** Clear text for server-encrypted conversations; null when deleted or end-to-end encrypted. */
  text: z.string().nullable(),
  /** Base64 MLS ciphertext for end-to-end encrypted conversations; null otherwise. */
  ciphertext: z.string().nullable(),
  mentions: z.array(Id),
  threadRootId: Id.nullable(),
  thread: ThreadSummary.nullable(),
  reactions: z.array(Reaction),
  createdAt: Millis,
  editedAt: Millis.nullable(),
  deletedAt: Millis.nullable(),
  /** Attached files (metadata only; content through the files endpoints). */
  files: z.array(FileInfo).optional(),
  /**
   * What clients may do with this message (DLP-1): the conversation level's policy combined with
   * the sender's per-message flags. The server refuses forwarding (and downloads of its files) too.
   */
  restrictions: z.object({ noForward: z.boolean(), noCopy: z.boolean(), noDownload: z.boolean() }),
});
export type Message = z.infer<typeof Message>;

export const MessageVersion = z.object({ version: z.number().int(), text: z.string(), editedAt: Millis });

export const Department = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  managerId: Id.nullable(),
  /** No external users in this department's conversations at all (manufacturing use case). */
  externalIsolation: z.boolean(),
  memberCount: z.number().int(),
});
export type Department = z.infer<typeof Department>;

export const Role = z.object({ name: z.string(), permissions: z.array(PermissionSchema), builtin: z.boolean(), holders: z.number().int() });
export type Role = z.infer<typeof Role>;

export const RoleGrant = z.object({
  id: Id, userId: Id, role: z.string(), requestedBy: Id, requestedAt: Millis,
  status: z.enum(['pending', 'approved', 'rejected']), decidedBy: Id.nullable(), decidedAt: Millis.nullable(),
});
export type RoleGrant = z.infer<typeof RoleGrant>;

/** What the caller may do, so UIs hide what the server would refuse (ACL-3). */
export const Capabilities = z.object({
  permissions: z.array(PermissionSchema),
  role: z.string(),
  clearance: z.string(),
  /** Lowest first; `label` is what to show for the level (its name when the org set none). */
  levels: z.array(z.object({ name: z.string(), label: z.string().optional(), policy: LevelPolicy, visible: z.boolean() })),
  policies: z.object({
    directoryVisibility: z.enum(['all', 'department', 'explicit']),
    historyVisibleToNewMembers: z.boolean(),
    guestDmToNonMembers: z.boolean(),
  }),
});

export { Seq };

// ---- Audit trail and security alerts (AUD-1..3, MON-1); format: docs/AUDIT-FORMAT.md ----
export const AUDIT_OUTCOMES = ['success', 'denied', 'failed', 'error'] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** One audit row as stored (metadata only), with its chain hashes. */
export const AuditRecord = z.object({
  id: Id,
  seq: z.number().int().positive(),
  at: Millis,
  actorType: z.enum(['user', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  sessionId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: AuditOutcome,
  /** Internal reason of a non-success outcome (e.g. `not_member`, `bad_password`). */
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** A signed audit checkpoint (fields as in @conclave/crypto AuditCheckpoint). */
export const SignedCheckpoint = z.object({
  org: z.string(), count: z.number().int().nonnegative(), headHash: z.string(), at: Millis, keyFingerprint: z.string(), signature: z.string(),
});
export type SignedCheckpoint = z.infer<typeof SignedCheckpoint>;

/** A public audit signing key; `fingerprint` is SHA-256 of its DER SPKI, hex. */
export const AuditKeyInfo = z.object({
  fingerprint: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string(), createdAt: Millis, current: z.boolean(),
});
export type AuditKeyInfo = z.infer<typeof AuditKeyInfo>;

/** First line of an audit export (JSON Lines); see @conclave/crypto ExportManifest. */
export const AuditExportManifest = z.object({
  format: z.literal('conclave-audit-export'),
  version: z.literal(1),
  org: z.string(),
  fromSeq: z.number().int().positive(),
  toSeq: z.number().int().positive(),
  count: z.number().int().positive(),
  startPrevHash: z.string(),
  headHash: z.string(),
  exportedAt: Millis,
  exportedBy: z.object({ actorType: z.string(), actorId: z.string().nullable() }),
  key: z.object({ algorithm: z.literal('Ed25519'), fingerprint: z.string(), publicKeyPem: z.string() }),
  checkpoints: z.array(SignedCheckpoint),
  signature: z.string(),
});
export type AuditExportManifest = z.infer<typeof AuditExportManifest>;

export const ALERT_RULES = ['brute_force', 'new_network', 'impossible_travel', 'bulk_export', 'off_hours_admin', 'privilege_escalation'] as const;
export const AlertRule = z.enum(ALERT_RULES);
export type AlertRule = z.infer<typeof AlertRule>;
export const AlertSeverity = z.enum(['low', 'medium', 'high']);

/** A security alert (MON-1): which rule fired, on whom, and the audit rows that triggered it. */
export const Alert = z.object({
  id: Id,
  rule: AlertRule,
  severity: AlertSeverity,
  status: z.enum(['open', 'acknowledged']),
  /** What the alert is about: a user id, `ip:<address>` or `email:<address>`. */
  subject: z.string(),
  /** One sentence for people: what happened, thresholds, window. */
  summary: z.string(),
  /** Rule-specific metadata (counts, thresholds, networks); never content. */
  details: z.record(z.string(), z.unknown()),
  /** The audit rows that triggered it (ids and seqs, oldest first). */
  rowIds: z.array(z.string()),
  rowSeqs: z.array(z.number().int()),
  triggerSeq: z.number().int(),
  triggerAt: Millis,
  createdAt: Millis,
  acknowledgedBy: Id.nullable(),
  acknowledgedAt: Millis.nullable(),
  note: z.string().nullable(),
});
export type Alert = z.infer<typeof Alert>;
