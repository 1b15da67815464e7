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
}
/** Per-conversation search key (a data key, scope `search:<conversationId>`). */
export interface SearchKeysTable { conversation_id: string; key_id: string }
/** Keyed-hash search tokens (MSG-3): no plaintext, useless without the conversation's search key. */
export interface SearchTermsTable { term: number; doc_id: string }

export interface DB {
  files: FilesTable;
  search_keys: SearchKeysTable;
  search_terms: SearchTermsTable;
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
