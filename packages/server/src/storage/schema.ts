/**
 * Table types for Kysely. Booleans are stored as 0/1 integers and times as integer
 * milliseconds so that the same queries run on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

export interface OrgsTable { id: string; name: string; settings: string; created_at: number }

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  password_hash: string;
  must_change_password: number;
  totp_secret_enc: Uint8Array | null;
  totp_key_id: string | null;
  totp_enabled: number;
  totp_last_step: number;
  failed_logins: number;
  locked_until: number;
  created_at: number;
  updated_at: number;
  deactivated_at: number | null;
  clearance: string;
  /** Phone and address (DLP-4), sealed JSON under the user's key `profile_key_id`; null when empty. */
  profile_enc: Uint8Array | null;
  profile_key_id: string | null;
}

export interface RecoveryCodesTable { id: string; user_id: string; code_hash: string; used_at: number | null; created_at: number }

export interface SessionsTable {
  id: string;
  user_id: string;
  org_id: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  mfa_verified: number;
  restriction: string | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

/** Data-encryption keys (DEKs), wrapped by the master key (ENC-1). Destroying one shreds its scope. */
export interface DataKeysTable { id: string; scope: string; kek_id: string; wrapped: Uint8Array; created_at: number; destroyed_at: number | null }

export interface ConversationsTable {
  id: string;
  org_id: string;
  kind: string;
  name: string | null;
  topic: string | null;
  encryption: string;
  dm_key: string | null;
  key_id: string;
  created_by: string;
  created_at: number;
  archived_at: number | null;
  last_position: number;
  last_message_at: number | null;
  member_count: number;
  level: string;
  department_id: string | null;
}

export interface ConversationMembersTable { conversation_id: string; user_id: string; role: string; joined_at: number; last_read_position: number; history_from: number }

export interface MessagesTable {
  id: string;
  conversation_id: string;
  position: number;
  client_id: string;
  author_id: string;
  thread_root_id: string | null;
  encryption: string;
  /** Envelope-encrypted JSON {text} (server mode) or the client's E2EE ciphertext; null once deleted. */
  body: Uint8Array | null;
  key_id: string | null;
  version: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  reply_count: number;
  last_reply_at: number | null;
  /** Per-message DLP-1 flags set by the sender (bit-field, messages.restrictions.ts); only ever grows. */
  restrictions: number;
}

export interface MessageVersionsTable { message_id: string; version: number; body: Uint8Array; key_id: string | null; edited_at: number }
export interface MessageMentionsTable { message_id: string; user_id: string; conversation_id: string; position: number }
export interface ReactionsTable { message_id: string; user_id: string; emoji: string; created_at: number }

/** One durable event; its data is metadata only (ids, positions), never content (rule 5). */
export interface EventsTable {
  id: Generated<number>;
  org_id: string;
  type: string;
  conversation_id: string | null;
  message_id: string | null;
  data: string;
  created_at: number;
}
/** Per-user delivery log: the user's seq → event (MSG-4). */
export interface UserEventsTable { user_id: string; seq: number; event_id: number }
export interface UserCursorsTable { user_id: string; last_seq: number }

/** Append-only (triggers reject UPDATE/DELETE). Metadata only (AUD-1). */
export interface AuditLogTable {
  id: string;
  org_id: string;
  seq: number;
  at: number;
  actor_type: string;
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface RolesTable { org_id: string; name: string; permissions: string; builtin: number; created_at: number }
export interface DepartmentsTable { id: string; org_id: string; name: string; parent_id: string | null; manager_id: string | null; external_isolation: number; created_at: number }
export interface UserDepartmentsTable { user_id: string; department_id: string }
export interface RoleGrantsTable { id: string; org_id: string; user_id: string; role: string; requested_by: string; requested_at: number; status: string; decided_by: string | null; decided_at: number | null }

/** Files (MSG-2): metadata and sealed name; content is in the blob store, encrypted per file. */
export interface FilesTable {
  id: string;
  org_id: string;
  conversation_id: string;
  uploader_id: string;
  message_id: string | null;
  blob_id: string;
  key_id: string;
  name_enc: Uint8Array;
  size: number;
  received_bytes: number;
  /** JSON array of {key, size}: the encrypted parts in the blob store, in order. */
  parts: string;
  declared_type: string | null;
  content_type: string | null;
  level: string;
  status: string;
  created_at: number;
  completed_at: number | null;
  expires_at: number;
  /** JSON {k, n, type, w, h}: the sealed thumbnail part of an image, or null. */
  thumb: string | null;
  /** The DLP-1 flags of the message the file is attached to (same bit-field), kept in step with it. */
  restrictions: number;
}
/** Per-conversation search key (a data key, scope `search:<conversationId>`). */
export interface SearchKeysTable { conversation_id: string; key_id: string }
/** Keyed-hash search tokens (MSG-3): no plaintext, useless without the conversation's search key. */
export interface SearchTermsTable { term: number; doc_id: string }
/** Keyed-hash tokens of file names (MSG-3), apart from messages' so file search reads short posting lists (migration 0014). */
export interface SearchFileTermsTable { term: number; doc_id: string }
/** Messages per keyed-hash term (MSG-3), kept by triggers on search_terms: search walks the rarest term's posting list (migration 0014). */
export interface SearchDfTable { term: number; n: number }

export interface DB {
  files: FilesTable;
  search_keys: SearchKeysTable;
  search_terms: SearchTermsTable;
  search_file_terms: SearchFileTermsTable;
  search_df: SearchDfTable;
  roles: RolesTable;
  departments: DepartmentsTable;
  user_departments: UserDepartmentsTable;
  role_grants: RoleGrantsTable;
  orgs: OrgsTable;
  users: UsersTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  data_keys: DataKeysTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  messages: MessagesTable;
  message_versions: MessageVersionsTable;
  message_mentions: MessageMentionsTable;
  reactions: ReactionsTable;
  events: EventsTable;
  user_events: UserEventsTable;
  user_cursors: UserCursorsTable;
  audit_log: AuditLogTable;
}

// ---- MLS delivery service (E2E-1), merged into DB below ----
export interface MlsDevicesTable { id: string; org_id: string; user_id: string; name: string; signature_key: string; created_at: number; revoked_at: number | null }
export interface MlsKeyPackagesTable { id: string; device_id: string; user_id: string; data: Uint8Array; hash: string; last_resort: number; created_at: number; expires_at: number }
export interface MlsGroupsTable { conversation_id: string; org_id: string; group_id: Uint8Array; ciphersuite: string; epoch: number; group_info: Uint8Array; created_at: number; updated_at: number }
export interface MlsGroupLeavesTable { conversation_id: string; leaf_index: number; user_id: string; device_id: string }
export interface MlsHandshakesTable {
  id: string; conversation_id: string; epoch: number; kind: string; data: Uint8Array; welcome: Uint8Array | null;
  sender_user_id: string | null; sender_device_id: string | null; removed_leaf: number | null; created_at: number;
}
export interface MlsWelcomeTargetsTable { handshake_id: string; device_id: string; user_id: string; conversation_id: string }
export interface MlsServerKeysTable { org_id: string; signature_public_key: Uint8Array; signature_private_enc: Uint8Array; key_id: string; created_at: number }

// Declaration merging keeps the MLS tables out of the shared block above.
export interface DB {
  mls_devices: MlsDevicesTable;
  mls_key_packages: MlsKeyPackagesTable;
  mls_groups: MlsGroupsTable;
  mls_group_leaves: MlsGroupLeavesTable;
  mls_handshakes: MlsHandshakesTable;
  mls_welcome_targets: MlsWelcomeTargetsTable;
  mls_server_keys: MlsServerKeysTable;
}

// ---- Audit trail (AUD-1..3, MON-1), merged into DB below ----
/** A signed checkpoint: (org, count, head hash, at) signed with the audit key. */
export interface AuditCheckpointsTable { id: string; org_id: string; count: number; head_hash: string; at: number; key_fingerprint: string; signature: string }
/** The server's Ed25519 audit key; the private half sealed under a data key (`data_key_id`). */
export interface AuditSigningKeysTable { id: string; fingerprint: string; public_key_pem: string; private_key_enc: Uint8Array; data_key_id: string; created_at: number; retired_at: number | null }
/** Ids referred to by an audit row's details (trace index). */
export interface AuditRefsTable { org_id: string; ref_id: string; seq: number }
/** A security alert raised by the rules engine; row_ids/row_seqs/details are JSON text (metadata only). */
export interface AlertsTable {
  id: string; org_id: string; rule: string; severity: string; subject: string; dedup_key: string; summary: string; details: string;
  row_ids: string; row_seqs: string; trigger_seq: number; trigger_at: number; created_at: number; status: string;
  acknowledged_by: string | null; acknowledged_at: number | null; note: string | null;
}
/** How far the rules engine has read an organisation's audit stream. */
export interface AlertCursorsTable { org_id: string; last_seq: number }

export interface DB {
  audit_checkpoints: AuditCheckpointsTable;
  audit_signing_keys: AuditSigningKeysTable;
  audit_refs: AuditRefsTable;
  alerts: AlertsTable;
  alert_cursors: AlertCursorsTable;
}

// ---- Data governance (GOV-1, GOV-2), merged into DB below ----
/** The data key of one (conversation, UTC month `YYYY-MM`, author) bucket of message bodies. */
export interface MessageKeysTable { conversation_id: string; bucket: string; author_id: string; key_id: string; created_at: number }
/** A retention rule: scope `org` | `kind` | `level` | `conversation`; null days = keep forever. */
export interface RetentionPoliciesTable { id: string; org_id: string; scope: string; target: string; delete_after_days: number | null; created_by: string; created_at: number; updated_at: number }
/** The legal minimum retention of a level: no policy or job deletes its content sooner. */
export interface RetentionMinimumsTable { org_id: string; level: string; min_days: number; updated_at: number }
/** A legal hold by custodian, conversation or query (JSON); active until released. */
export interface LegalHoldsTable {
  id: string; org_id: string; name: string; kind: string; custodian_id: string | null; conversation_id: string | null; query: string | null;
  reason: string; created_by: string; created_at: number; released_by: string | null; released_at: number | null; release_reason: string | null;
}
/** One retention run; `progress` is JSON counters and destroyed key ids, updated per batch. */
export interface RetentionRunsTable { id: string; org_id: string; trigger: string; status: string; started_by: string | null; started_at: number; finished_at: number | null; progress: string; receipt_id: string | null }
/** A signed deletion receipt: canonical JSON body, its SHA-256 and the audit key's signature. */
export interface DeletionReceiptsTable { id: string; org_id: string; kind: string; created_at: number; body: string; hash: string; key_fingerprint: string; signature: string }

export interface DB {
  message_keys: MessageKeysTable;
  retention_policies: RetentionPoliciesTable;
  retention_minimums: RetentionMinimumsTable;
  legal_holds: LegalHoldsTable;
  retention_runs: RetentionRunsTable;
  deletion_receipts: DeletionReceiptsTable;
}

// ---- Data-subject requests (GOV-3), merged into DB below ----
/**
 * A data-subject request. `decision` approved | refused (null while open); `erasure` is the
 * JSON outcome of an approved erasure; `note` and the reasons are process records shown to
 * the requester and officers, never written to the audit log.
 */
export interface DsarRequestsTable {
  id: string; org_id: string; requester_id: string; kind: string; status: string; note: string | null; opened_at: number; due_at: number;
  decision: string | null; decided_by: string | null; decided_at: number | null; decision_reason: string | null; automatic: number;
  completed_at: number | null; cancelled_at: number | null; cancel_reason: string | null;
  export_expires_at: number | null; downloads: number; last_downloaded_at: number | null; erasure: string | null;
}
/** An organisation's request settings (absent: the defaults). */
export interface DsarSettingsTable { org_id: string; deadline_days: number; export_approval: string; export_ttl_days: number; updated_by: string | null; updated_at: number }
/** A deadline alert (`due_soon` | `overdue`), at most one per request and kind. */
export interface DsarAlertsTable { id: string; org_id: string; request_id: string; kind: string; due_at: number; created_at: number }

export interface DB {
  dsar_requests: DsarRequestsTable;
  dsar_settings: DsarSettingsTable;
  dsar_alerts: DsarAlertsTable;
}

// ---- eDiscovery exports (GOV-5), merged into DB below ----
/** An eDiscovery export request: criteria (ids/times only), sealed keywords, decision and delivery. */
export interface EdiscoveryExportsTable {
  id: string; org_id: string; matter: string; criteria: string; keyword_count: number; keywords_digest: string | null;
  keywords_enc: Uint8Array | null; key_id: string | null; sensitive_levels: string; status: string;
  requested_by: string; requested_at: number; decided_by: string | null; decided_at: number | null; refusal_reason: string | null;
  downloaded_by: string | null; downloaded_at: number | null; expires_at: number;
  message_count: number | null; file_count: number | null; manifest_sha256: string | null;
}
/** Per-organisation eDiscovery settings: levels (JSON array) that need a second approver. */
export interface EdiscoverySettingsTable { org_id: string; sensitive_levels: string; updated_by: string | null; updated_at: number }

export interface DB {
  ediscovery_exports: EdiscoveryExportsTable;
  ediscovery_settings: EdiscoverySettingsTable;
}

// ---- E2EE compliance archive (GOV-5, ENC-2), merged into DB below ----
/** A compliance officer's device public key (X25519, base64); shares are sealed to it. */
export interface ArchiveOfficerKeysTable { id: string; org_id: string; user_id: string; name: string; public_key: string; created_at: number; revoked_at: number | null }
/** One archive setup ceremony: the archive public key and its k-of-n; current while not retired. */
export interface ArchiveKeysTable { id: string; org_id: string; public_key: string; threshold: number; share_count: number; created_by: string; created_at: number; retired_at: number | null }
/** One officer's share of an archive key, sealed to their officer key (HPKE). */
export interface ArchiveSharesTable { archive_key_id: string; user_id: string; officer_key_id: string; sealed_share: Uint8Array }
/** A confidentiality level whose E2EE conversations are archived. */
export interface ArchiveLevelsTable { org_id: string; level: string; enabled_by: string; enabled_at: number }
/** A message's plaintext sealed to the archive key by its sender's client. */
export interface ArchiveMessagesTable { message_id: string; org_id: string; conversation_id: string; archive_key_id: string; author_id: string; client_id: string; created_at: number; ciphertext: Uint8Array }
/** A decryption request: scope (conversation, time range), reason, requester's one-off key. */
export interface ArchiveRequestsTable {
  id: string; org_id: string; requester_id: string; conversation_id: string; from_at: number; to_at: number; reason: string;
  requester_public_key: string; archive_key_id: string; threshold: number; status: string; created_at: number; expires_at: number; closed_at: number | null;
}
/** An officer's decision on a request; a release carries the share sealed to the requester. */
export interface ArchiveDecisionsTable { request_id: string; officer_id: string; decision: string; reason: string | null; sealed_share: Uint8Array | null; at: number }

export interface DB {
  archive_officer_keys: ArchiveOfficerKeysTable;
  archive_keys: ArchiveKeysTable;
  archive_shares: ArchiveSharesTable;
  archive_levels: ArchiveLevelsTable;
  archive_messages: ArchiveMessagesTable;
  archive_requests: ArchiveRequestsTable;
  archive_decisions: ArchiveDecisionsTable;
}

// ---- WebAuthn second factor (IAM-1, migration 0012), merged into DB below ----
/** A registered security key: credential id (base64url, unique per deployment), COSE public key, signature counter. */
export interface WebauthnCredentialsTable {
  id: string; org_id: string; user_id: string; credential_id: string; public_key: Uint8Array; counter: number; transports: string;
  name: string; aaguid: string | null; backed_up: number; created_at: number; last_used_at: number | null;
}
/** A single-use challenge (SHA-256 only), for registration (bound to a session) or login. */
export interface WebauthnChallengesTable {
  id: string; org_id: string; user_id: string; purpose: string; session_id: string | null; challenge_hash: string; created_at: number; expires_at: number;
}

export interface DB {
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
}
