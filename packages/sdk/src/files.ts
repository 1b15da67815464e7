/**
 * File helpers (MSG-2): resumable chunked upload and binary download/preview. The JSON
 * endpoints go through `client.http.request`; chunk bodies and file bytes need raw fetch.
 */
import { downloadBytes, rawFetch } from './download';
import type { ConclaveClient } from './client';
import { ConclaveError } from './errors';
import type { FileInfo, FileLinkPurpose, Upload } from '@conclave/protocol';

/** Options of {@link uploadFile}. */
export interface UploadOptions {
  /** Bytes per request (capped by the server's `maxChunkBytes`). Default 1 MiB. */
  chunkBytes?: number;
  /** Informational; the server sniffs the content and refuses a mismatch. */
  contentType?: string;
  /** Upload although the name or text holds sensitive data the level warns about (DLP-3). */
  acknowledgeSensitive?: boolean;
  /** Called after each chunk. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Retries of one chunk after a network failure (resuming at the server's offset). Default 3. */
  retries?: number;
  signal?: AbortSignal;
}

/** Uploads `data` into a conversation and returns the completed file (attach it with `messages.send({ fileIds })`). */
export async function uploadFile(client: ConclaveClient, conversationId: string, name: string, data: Uint8Array, opts: UploadOptions = {}): Promise<FileInfo> {
  const { upload } = await client.http.request('createUpload', {
    body: { conversationId, name, size: data.length, ...(opts.contentType ? { contentType: opts.contentType } : {}), ...(opts.acknowledgeSensitive ? { acknowledgeSensitive: true } : {}) },
    signal: opts.signal,
  });
  return resumeUpload(client, upload.id, data, opts);
}

/** Continues an interrupted upload from the offset the server has, then completes it. */
export async function resumeUpload(client: ConclaveClient, uploadId: string, data: Uint8Array, opts: UploadOptions = {}): Promise<FileInfo> {
  let { upload } = await client.http.request('getUpload', { params: { id: uploadId }, signal: opts.signal });
  const chunk = Math.max(1, Math.min(opts.chunkBytes ?? 1024 * 1024, upload.maxChunkBytes));
  let failures = 0;
  while (upload.receivedBytes < upload.size) {
    const offset = upload.receivedBytes;
    try {
      upload = await putChunk(client, uploadId, offset, data.subarray(offset, Math.min(data.length, offset + chunk)), opts.signal);
      failures = 0;
      opts.onProgress?.(upload.receivedBytes, upload.size);
    } catch (err) {
      if (!(err instanceof ConclaveError)) throw err;
      const resumable = err.code === 'network' || err.code === 'unavailable' || err.code === 'conflict';
      if (!resumable || ++failures > (opts.retries ?? 3)) throw err;
      ({ upload } = await client.http.request('getUpload', { params: { id: uploadId }, signal: opts.signal }));
    }
  }
  const { file } = await client.http.request('completeUpload', { params: { id: uploadId }, body: opts.acknowledgeSensitive ? { acknowledgeSensitive: true } : {}, signal: opts.signal });
  return file;
}

/** Sends one chunk at `offset` (must equal the upload's receivedBytes). */
export async function putChunk(client: ConclaveClient, uploadId: string, offset: number, bytes: Uint8Array, signal?: AbortSignal): Promise<Upload> {
  const res = await rawFetch(client, 'uploadChunk', { id: uploadId }, { offset }, { method: 'PUT', body: bytes, contentType: 'application/octet-stream', signal });
  return ((await res.json()) as { upload: Upload }).upload;
}

/** A downloaded file or preview. */
export interface FileContent { bytes: Uint8Array; contentType: string; fileName: string | null }

/** The file's bytes (refused with `forbidden` at levels without downloads: use {@link previewFile}). */
export function downloadFile(client: ConclaveClient, fileId: string, signal?: AbortSignal): Promise<FileContent> {
  return binary(client, 'downloadFile', fileId, signal);
}

/** The inline preview (image, PDF or text), watermarked with you at confidential levels. */
export function previewFile(client: ConclaveClient, fileId: string, signal?: AbortSignal): Promise<FileContent> {
  return binary(client, 'previewFile', fileId, signal);
}

/** The image thumbnail (≤ 320 px; `file.thumbnail` says whether there is one), watermarked like previews. */
export function thumbnailFile(client: ConclaveClient, fileId: string, signal?: AbortSignal): Promise<FileContent> {
  return binary(client, 'thumbnailFile', fileId, signal);
}

/** A short-lived signed link (see {@link fileLink}). */
export interface FileLink {
  /** Absolute URL (on the client's baseUrl) that works without an Authorization header until `expiresAt`. */
  url: string;
  expiresAt: number;
}

/**
 * A signed URL for a file's `content` (download), `preview` or `thumbnail`, valid ≤ 5 minutes, for
 * a plain `<img src>` or download link. It is bound to the file, the purpose, you and this session;
 * the server re-checks your access on every use (signing out ends it). Refused like the direct
 * read would be (e.g. `forbidden` for content when downloads are disabled).
 */
export async function fileLink(client: ConclaveClient, fileId: string, purpose: FileLinkPurpose): Promise<FileLink> {
  const { url, expiresAt } = await client.http.request('createFileLink', { params: { id: fileId }, body: { purpose } });
  // The server answers with a path (it does not know the public origin); join it as every request does.
  return { url: client.http.baseUrl + url, expiresAt };
}

/** The `client.files` group: the helpers of this module bound to one client. */
export function filesGroup(client: ConclaveClient) {
  return {
    upload: (conversationId: string, name: string, data: Uint8Array, opts?: UploadOptions) => uploadFile(client, conversationId, name, data, opts),
    download: (fileId: string, signal?: AbortSignal) => downloadFile(client, fileId, signal),
    preview: (fileId: string, signal?: AbortSignal) => previewFile(client, fileId, signal),
    thumbnail: (fileId: string, signal?: AbortSignal) => thumbnailFile(client, fileId, signal),
    /** A signed link for `content`, `preview` or `thumbnail` (see {@link fileLink}). */
    link: (fileId: string, purpose: FileLinkPurpose) => fileLink(client, fileId, purpose),
  };
}

function binary(client: ConclaveClient, name: 'downloadFile' | 'previewFile' | 'thumbnailFile', fileId: string, signal?: AbortSignal): Promise<FileContent> {
  return downloadBytes(client, name, { id: fileId }, signal);
}
