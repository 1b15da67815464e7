/**
 * @packageDocumentation
 * Typed Conclave client for Node ESM and browsers: every HTTP endpoint of the wire contract
 * (@conclave/protocol) under friendly names, plus a realtime subscription that delivers each
 * durable event exactly once, in order, across reconnects. See packages/sdk/README.md.
 */
export { ConclaveClient, newClientId } from './client';
export { ClientState } from './state';
export { downloadFile, fileLink, previewFile, putChunk, resumeUpload, thumbnailFile, uploadFile } from './files';
export type { FileContent, FileLink, UploadOptions } from './files';
export type { ConclaveClientOptions, SendMessageInput, EditMessageInput, LoginOptions } from './client';
export { ConclaveError, isConclaveError, CLIENT_ERROR_CODES } from './errors';
export type { ClientErrorCode, ConclaveErrorCode, ConclaveErrorInit } from './errors';
export { HttpTransport, buildPath, buildQuery } from './http';
export type { FetchLike, HttpOptions, RequestArgs } from './http';
export { RealtimeSubscription } from './realtime';
export type { ConnectionState, EventHandler, StateInfo, SubscribeOptions, Subscription, SyncPage } from './realtime';
export { backoffDelay, buildWsUrl } from './socket';
export type { BackoffOptions, WebSocketConstructor, WebSocketLike } from './socket';

// Wire types callers handle, re-exported so apps need not depend on @conclave/protocol directly.
export { ERROR_CODES, WS_CLOSE, EVENT_TYPES, PERMISSIONS, OVERSIGHT_PERMISSIONS, BUILTIN_ROLES } from '@conclave/protocol';
export type {
  BodyOf, ClientFrame, Conversation, ConversationKind, ConversationRole, EndpointName, Ephemeral, ErrorBody,
  ErrorCode, EventType, Member, Message, OrgRole, OrgSettings, PasswordPolicy, Permission, QueryOf,
  ResponseOf, Role, RoleGrant, Department, ServerFrame, Session, SyncEvent, User,
} from '@conclave/protocol';

// End-to-end encryption (MLS, E2E-1).
export { MlsClient, DEFAULT_CIPHERSUITE } from './mls/mls-client';
export type { DecryptedMessage, MlsClientEvent, MlsClientOptions } from './mls/mls-client';
export type { MlsPayload } from './mls/codec';
export { attachmentsOf, decryptFile, E2EE_BLOB_NAME, encryptFile, openEncryptedAttachment, sendEncryptedFiles } from './mls/e2ee-files';
export type { E2eeAttachment, E2eeFileInput } from './mls/e2ee-files';
export { EncryptedStorage, MemoryStorage } from './mls/storage';
export type { MlsStorage } from './mls/storage';
export { FileStorage } from './mls/file-storage';
export { IndexedDbStorage } from './mls/indexeddb-storage';

// E2EE compliance archive (GOV-5).
export { ArchiveApi } from './archive';
export type { ArchivedSendInput, DecryptedArchiveMessage } from './archive';
