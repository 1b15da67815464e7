/**
 * Files (MSG-2), search (MSG-3) and data-loss prevention (DLP-1..4) endpoints.
 *
 * Two endpoints move raw bytes instead of JSON: `uploadChunk` takes an
 * `application/octet-stream` body (`rawBody`), `downloadFile` / `previewFile` answer with the
 * file's bytes (`rawResponse`). Everything else is JSON like the rest of the API.
 */
import * as z from 'zod';
import { Id, Millis, cleanText, queryInt } from './common';
import { DlpAction, DlpHit, FileInfo, Message } from './models';
import type { Endpoint } from './api';

const ep = <E extends Endpoint & { rawBody?: true; rawResponse?: true }>(e: E) => e;
const IdParams = z.object({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

/** What a binary endpoint answers with (the server sends `bytes` with these headers). */
export interface BinaryBody {
  contentType: string;
  /** The whole body, or `stream` with its `size`. */
  bytes?: Uint8Array;
  stream?: AsyncIterable<Uint8Array>;
  size?: number;
  fileName: string;
  disposition: 'inline' | 'attachment';
}
export const BinaryResponse = z.custom<BinaryBody>(() => true);
/** A raw request body (`application/octet-stream`). */
export const BinaryRequest = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'send the bytes as application/octet-stream');

/** An upload in progress: resumable at `receivedBytes` (MSG-2). */
export const Upload = z.object({
  id: Id,
  conversationId: Id,
  name: z.string(),
  size: z.number().int(),
  receivedBytes: z.number().int(),
  /** Largest chunk the server accepts in one PUT. */
  maxChunkBytes: z.number().int(),
  createdAt: Millis,
  /** An upload not completed by then is discarded. */
  expiresAt: Millis,
});
export type Upload = z.infer<typeof Upload>;

export const SearchHit = z.object({
  message: Message,
  /** The message text around the first match (the whole text when short). */
  snippet: z.string(),
  /** Matched ranges in `snippet`, UTF-16 offsets, end exclusive. */
  highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })),
});
export const FileSearchHit = z.object({ file: FileInfo, highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })) });

const Acknowledge = z.boolean().optional();

/**
 * Per-message DLP-1 restrictions a sender sets on send or adds on edit (messages.sendMessage /
 * editMessage bodies). Each flag only adds to what the conversation's level already imposes:
 * `false` (or leaving it out) means "nothing extra", never a loosening of the level. Once set on
 * a message a flag cannot be lifted by anyone (docs/FILES-SEARCH-DLP.md).
 */
export const MessageRestrictionsInput = z.object({
  noForward: z.boolean().optional(),
  noCopy: z.boolean().optional(),
  noDownload: z.boolean().optional(),
}).strict();
export type MessageRestrictionsInput = z.infer<typeof MessageRestrictionsInput>;

/** What a short-lived signed file link serves: the bytes (a download), the preview, or the thumbnail. */
export const FileLinkPurpose = z.enum(['content', 'preview', 'thumbnail']);
export type FileLinkPurpose = z.infer<typeof FileLinkPurpose>;
const MimeType = z.string().max(200).regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as image/png');

export const filesEndpoints = {
  // ---- files (MSG-2, DLP-1, DLP-2) ----
  createUpload: ep({
    method: 'POST', path: '/api/v1/uploads', summary: 'Start a resumable upload into a conversation (size and type limits per org and level).',
    body: z.object({
      conversationId: Id,
      name: cleanText(255, 1),
      size: z.number().int().min(1, 'empty files are not accepted').max(2 ** 40),
      /** Informational: the server sniffs the content and refuses a mismatch. */
      contentType: MimeType.optional(),
      acknowledgeSensitive: Acknowledge,
    }).strict(),
    response: z.object({ upload: Upload }),
  }),
  getUpload: ep({ method: 'GET', path: '/api/v1/uploads/:id', summary: 'An upload in progress: resume at receivedBytes.', params: IdParams, response: z.object({ upload: Upload }) }),
  uploadChunk: ep({
    method: 'PUT', path: '/api/v1/uploads/:id/content', summary: 'Append a chunk (application/octet-stream) at `offset`, which must equal receivedBytes.',
    params: IdParams, query: z.object({ offset: queryInt(0, 2 ** 40) }).strict(), body: BinaryRequest, rawBody: true,
    response: z.object({ upload: Upload }),
  }),
  completeUpload: ep({
    method: 'POST', path: '/api/v1/uploads/:id/complete', summary: 'Finish an upload: content sniffed, scanned, checked for sensitive data; returns the file.',
    params: IdParams, body: z.object({ acknowledgeSensitive: Acknowledge }).strict().optional(), response: z.object({ file: FileInfo }),
  }),
  cancelUpload: ep({ method: 'DELETE', path: '/api/v1/uploads/:id', summary: 'Abandon an upload and erase what was received.', params: IdParams, response: Ok }),
  getFile: ep({ method: 'GET', path: '/api/v1/files/:id', summary: 'A file\'s metadata.', params: IdParams, response: z.object({ file: FileInfo }) }),
  listFiles: ep({
    method: 'GET', path: '/api/v1/conversations/:id/files', summary: 'Files sent in a conversation, newest first.', params: IdParams,
    query: z.object({ before: Id.optional(), limit: queryInt(1, 200).optional() }).strict(),
    response: z.object({ files: z.array(FileInfo), hasMore: z.boolean() }),
  }),
  downloadFile: ep({
    method: 'GET', path: '/api/v1/files/:id/content', summary: 'The file\'s bytes (refused at levels without downloads: use the preview).',
    params: IdParams, rawResponse: true, response: BinaryResponse,
  }),
  previewFile: ep({
    method: 'GET', path: '/api/v1/files/:id/preview', summary: 'An inline preview (image, PDF, text), watermarked with the viewer at confidential levels.',
    params: IdParams, rawResponse: true, response: BinaryResponse,
  }),
  thumbnailFile: ep({
    method: 'GET', path: '/api/v1/files/:id/thumbnail', summary: 'The image thumbnail (≤ 320 px), watermarked like previews at confidential levels; 404 when the file has none.',
    params: IdParams, rawResponse: true, response: BinaryResponse,
  }),
  createFileLink: ep({
    method: 'POST', path: '/api/v1/files/:id/links',
    summary: 'A short-lived (≤ 5 min) signed URL for the file\'s content, preview or thumbnail, usable without an Authorization header (e.g. <img src>); bound to the file, purpose, you and this session.',
    params: IdParams, body: z.object({ purpose: FileLinkPurpose }).strict(),
    response: z.object({ url: z.string(), expiresAt: Millis }),
  }),
  useFileLink: ep({
    method: 'GET', path: '/api/v1/files/:id/links/:purpose',
    summary: 'Serves a signed file link (no session header: the signature is the credential). Access is re-checked for the linked user on every use; an invalid, expired or no longer permitted link is 404.',
    params: z.object({ id: Id, purpose: FileLinkPurpose }),
    query: z.object({
      /** The user the link was issued to. */
      u: Id,
      /** The issuing session: signing out or revocation ends its links. */
      s: Id,
      /** Expiry, ms since the epoch. */
      e: queryInt(0, Number.MAX_SAFE_INTEGER),
      /** HMAC-SHA-256, base64url without padding. */
      sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a link signature'),
    }).strict(),
    rawResponse: true, response: BinaryResponse,
  }),
  deleteFile: ep({ method: 'DELETE', path: '/api/v1/files/:id', summary: 'Delete a file (uploader, or conversation admin); its content is erased.', params: IdParams, response: Ok }),

  // ---- search (MSG-3) ----
  search: ep({
    method: 'GET', path: '/api/v1/search', summary: 'Full-text search (CJK and Latin) over messages and file names you may see. `has:file` in q or hasFile filters.',
    query: z.object({
      q: cleanText(500, 1),
      conversationId: Id.optional(),
      authorId: Id.optional(),
      from: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
      to: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
      hasFile: z.enum(['true', 'false']).optional(),
      limit: queryInt(1, 100).optional(),
    }).strict(),
    response: z.object({ messages: z.array(SearchHit), files: z.array(FileSearchHit), hasMore: z.boolean() }),
  }),

  // ---- data-loss prevention (DLP-1, DLP-3, DLP-4) ----
  forwardMessage: ep({
    method: 'POST', path: '/api/v1/conversations/:id/messages/:messageId/forward',
    summary: 'Forward a message (and its files) to another conversation; refused when the source level forbids forwarding or the target ranks lower.',
    params: z.object({ id: Id, messageId: Id }),
    body: z.object({ toConversationId: Id, clientId: z.string().min(1).max(64).regex(/^[\w.:-]+$/).optional(), acknowledgeSensitive: Acknowledge }).strict(),
    response: z.object({ message: Message }),
  }),
  dlpScan: ep({
    method: 'POST', path: '/api/v1/dlp/scan', summary: 'What sensitive data a text holds and what sending it to a conversation would do (types and positions only).',
    body: z.object({ text: cleanText(1024 * 1024), conversationId: Id.optional() }).strict(),
    response: z.object({ action: DlpAction, hits: z.array(DlpHit) }),
  }),
  unmaskUserField: ep({
    method: 'POST', path: '/api/v1/users/:id/unmask', summary: 'Reveal one masked field of a user (needs users.view_unmasked; audited).',
    params: IdParams, body: z.object({ field: z.enum(['email', 'phone', 'address']) }).strict(),
    response: z.object({ field: z.string(), value: z.string() }),
  }),
} as const;
