import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AEAD_KEY_BYTES } from './aead';
import { CryptoError } from './errors';
import { LocalKeyProvider, MASTER_KEY_FORMAT, parseMasterKey } from './keys';

/** What {@link loadOrCreateKeyFile} found or made. */
export interface KeyFileResult {
  /** The KEK from the file. */
  provider: LocalKeyProvider;
  /** True if this call generated the key and wrote the file. */
  created: boolean;
  /** The path as given. */
  path: string;
  /**
   * Problems worth logging at warn level that do not stop startup, e.g. the file is
   * readable by group or others. Secret-free; safe to log.
   */
  warnings: string[];
}

// A real key file is ~45 bytes; refusing big files avoids slurping a wrong path (a log, a DB).
const MAX_KEY_FILE_BYTES = 1024;

const errno = (err: unknown): string | undefined =>
  (err as NodeJS.ErrnoException | null)?.code;

/**
 * Loads the master KEK from `path`, or generates one there on first start.
 *
 * File format: the 32-byte key as base64 plus a newline (what this function writes); hex
 * (64 chars) is also accepted; surrounding whitespace is ignored.
 *
 * Creation is race-safe: the key is written in full to a private temp file (mode 0600,
 * opened with `wx`) and then hard-linked to `path`, which fails with EEXIST if another
 * process got there first — in which case that process's key is read and used. So two
 * servers starting together never end up with different keys, and a crash never leaves a
 * half-written key file. (On file systems without hard links it falls back to opening
 * `path` itself with `wx`.) The parent directory is created with mode 0700 if missing.
 *
 * Losing this file loses every wrapped DEK and therefore all encrypted data: back it up
 * separately from the database.
 *
 * @throws CryptoError `bad_key` if the file does not hold a valid key (the message names
 *   the path, never the content); `key_unavailable` if it cannot be read or written.
 */
export async function loadOrCreateKeyFile(path: string): Promise<KeyFileResult> {
  const existing = await readKeyFile(path);
  if (existing) return existing;
  const key = randomBytes(AEAD_KEY_BYTES);
  try {
    if (await createKeyFile(path, `${key.toString('base64')}\n`)) {
      return { provider: new LocalKeyProvider(key), created: true, path, warnings: [] };
    }
  } finally {
    key.fill(0);
  }
  const raced = await readKeyFile(path);
  if (!raced) throw new CryptoError('key_unavailable', `key file ${path} vanished while creating it`);
  return raced;
}

async function readKeyFile(path: string): Promise<KeyFileResult | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw new CryptoError('key_unavailable', `cannot open key file ${path} (${errno(err) ?? 'error'})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new CryptoError('bad_key', `key file ${path} is not a regular file`);
    if (st.size > MAX_KEY_FILE_BYTES) {
      throw new CryptoError('bad_key', `key file ${path} is too large to be a key; expected ${MASTER_KEY_FORMAT}`);
    }
    const key = parseMasterKey(await fh.readFile('utf8'));
    if (!key) throw new CryptoError('bad_key', `key file ${path} must contain ${MASTER_KEY_FORMAT}`);
    const warnings: string[] = [];
    // Mode bits mean nothing on Windows; elsewhere a readable key file is a real leak risk.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
      warnings.push(`key file ${path} has mode ${mode} (readable by group or others); run: chmod 600 ${path}`);
    }
    const provider = new LocalKeyProvider(key);
    key.fill(0);
    return { provider, created: false, path, warnings };
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new CryptoError('key_unavailable', `cannot read key file ${path} (${errno(err) ?? 'error'})`);
  } finally {
    await fh.close();
  }
}

/** Writes `content` to `path` only if it does not exist. Returns false if it already did. */
async function createKeyFile(path: string, content: string): Promise<boolean> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    await writeExclusive(tmp, content);
    try {
      await link(tmp, path);
    } catch (err) {
      if (errno(err) === 'EEXIST') return false;
      // No hard links here (some network/FUSE file systems): create in place instead.
      try {
        await writeExclusive(path, content);
      } catch (err2) {
        if (errno(err2) === 'EEXIST') return false;
        throw err2;
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await syncDir(dir);
    return true;
  } catch (err) {
    throw new CryptoError('key_unavailable', `cannot create key file ${path} (${errno(err) ?? 'error'})`);
  }
}

async function writeExclusive(path: string, content: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes the new directory entry durable, so a crash right after start can't lose the key. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not supported everywhere (e.g. Windows); the file itself was already fsynced.
  }
}
