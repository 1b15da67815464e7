/** Chooses the blob store from the configuration: S3 when configured, else the data dir. */
import path from 'node:path';
import type { Config } from '../../config/config';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { S3BlobStore } from './s3-blob-store';

export { BlobNotFoundError, type BlobStore } from './blob-store';
export { FsBlobStore } from './fs-blob-store';
export { S3BlobStore, type S3Options } from './s3-blob-store';

export function openBlobStore(config: Config): BlobStore {
  if (config.s3) return new S3BlobStore(config.s3);
  return new FsBlobStore(config.blobDir ?? path.join(config.dataDir, 'blobs'));
}
