/**
 * Node storage for MLS key state: one file per entry in a directory (mode 0700, files 0600),
 * written atomically (temp file + rename). Wrap it in EncryptedStorage: values are stored as given.
 * `node:fs` is loaded lazily so browser bundles of the SDK never pull it in.
 */
import type { MlsStorage } from './storage';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

// A computed specifier keeps bundlers (esbuild, Vite) from trying to bundle Node built-ins.
const load = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;

export class FileStorage implements MlsStorage {
  private mods: Promise<{ fs: Fs; path: Path }> | null = null;
  private ready: Promise<void> | null = null;

  constructor(private readonly dir: string) {}

  private async io(): Promise<{ fs: Fs; path: Path }> {
    this.mods ??= Promise.all([load<Fs>('node:fs/promises'), load<Path>('node:path')]).then(([fs, path]) => ({ fs, path }));
    const m = await this.mods;
    this.ready ??= m.fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    await this.ready;
    return m;
  }

  /** Entry names map to file names reversibly (hex of the UTF-8 name). */
  private file(path: Path, key: string): string {
    return path.join(this.dir, `${Buffer.from(key, 'utf8').toString('hex')}.bin`);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { fs, path } = await this.io();
    try {
      return new Uint8Array(await fs.readFile(this.file(path, key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const { fs, path } = await this.io();
    const target = this.file(path, key);
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.writeFile(tmp, value, { mode: 0o600 });
    await fs.rename(tmp, target);
  }

  async delete(key: string): Promise<void> {
    const { fs, path } = await this.io();
    await fs.rm(this.file(path, key), { force: true });
  }

  async keys(prefix: string): Promise<string[]> {
    const { fs } = await this.io();
    const names = await fs.readdir(this.dir);
    return names.filter((n) => n.endsWith('.bin')).map((n) => Buffer.from(n.slice(0, -4), 'hex').toString('utf8')).filter((k) => k.startsWith(prefix));
  }
}
