import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CryptoError, loadOrCreateKeyFile, LocalKeyProvider } from './index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conclave-crypto-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';

describe('loadOrCreateKeyFile', () => {
  it('creates a 0600 base64 key file (and parent dirs), then re-reads the same key', async () => {
    const path = join(dir, 'nested', 'keys', 'master.key');
    const first = await loadOrCreateKeyFile(path);
    expect(first.created).toBe(true);
    expect(first.warnings).toEqual([]);
    expect(first.path).toBe(path);

    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(new LocalKeyProvider(Buffer.from(text.trim(), 'base64')).kekId).toBe(first.provider.kekId);
    if (posix) {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'nested', 'keys'))).mode & 0o077).toBe(0);
    }
    // No temp files left behind.
    expect(await readdir(join(dir, 'nested', 'keys'))).toEqual(['master.key']);

    const second = await loadOrCreateKeyFile(path);
    expect(second.created).toBe(false);
    expect(second.warnings).toEqual([]);
    expect(second.provider.kekId).toBe(first.provider.kekId);
    const dekWrapped = await first.provider.wrap(randomBytes(32), 'aad');
    await expect(second.provider.unwrap(dekWrapped, 'aad')).resolves.toHaveLength(32);
  });

  it('agrees on one key when many callers race to create it', async () => {
    const path = join(dir, 'race.key');
    const results = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateKeyFile(path)));
    expect(new Set(results.map((r) => r.provider.kekId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['race.key']);
  });

  it('reads an existing hex key file with whitespace', async () => {
    const key = randomBytes(32);
    const path = join(dir, 'hex.key');
    await writeFile(path, `  ${key.toString('hex')}\n\n`, { mode: 0o600 });
    const res = await loadOrCreateKeyFile(path);
    expect(res.created).toBe(false);
    expect(res.provider.kekId).toBe(new LocalKeyProvider(key).kekId);
  });

  it.runIf(posix)('warns (but loads) when the key file is group/world readable', async () => {
    const path = join(dir, 'open.key');
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`);
    await chmod(path, 0o644);
    const res = await loadOrCreateKeyFile(path);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0]).toContain(path);
    expect(res.warnings[0]).toContain('644');
  });

  it('rejects bad content with bad_key naming the path, never the content', async () => {
    const secretish = randomBytes(32);
    const contents = [
      secretish.toString('base64').slice(0, 40),
      `${secretish.toString('hex')}ff`,
      `KEY=${secretish.toString('base64')}`,
      secretish.toString('base64url'),
      '',
    ];
    for (const [i, content] of contents.entries()) {
      const path = join(dir, `bad-${i}.key`);
      await writeFile(path, content, { mode: 0o600 });
      const err = await loadOrCreateKeyFile(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe('bad_key');
      expect((err as Error).message).toContain(path);
      if (content) expect((err as Error).message).not.toContain(content.slice(4, 24));
      // A bad file is never overwritten with a new key.
      expect(await readFile(path, 'utf8')).toBe(content);
    }
  });

  it('rejects a directory or an oversized file at the key path', async () => {
    await expect(loadOrCreateKeyFile(dir)).rejects.toMatchObject({ code: 'bad_key' });
    const big = join(dir, 'big.key');
    await writeFile(big, 'x'.repeat(5000));
    await expect(loadOrCreateKeyFile(big)).rejects.toMatchObject({ code: 'bad_key' });
  });

  it.runIf(posix && process.getuid?.() !== 0)('reports an unreadable file as key_unavailable', async () => {
    const path = join(dir, 'locked.key');
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o000 });
    await expect(loadOrCreateKeyFile(path)).rejects.toMatchObject({ code: 'key_unavailable' });
  });
});
