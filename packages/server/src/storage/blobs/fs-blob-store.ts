/** Blob store on the local filesystem, under `<data dir>/blobs` (the single-node default). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertBlobKey, BlobNotFoundError, type BlobStore } from './blob-store';

export class FsBlobStore implements BlobStore {
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = `file:${root}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename: a crash never leaves a half-written blob under the real name.
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, data, { mode: 0o600 });
    await fs.rename(tmp, file);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) await fs.rm(this.file(key), { force: true });
    // Empty per-file directories are removed so erased files leave nothing behind.
    for (const dir of new Set(keys.map((k) => path.dirname(this.file(k))))) {
      await fs.rmdir(dir).catch(() => {});
    }
  }

  private file(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}
