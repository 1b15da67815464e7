import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CryptoError, generateDataKey, KeyRing, keyProviderFromEnv, LocalKeyProvider, parseMasterKey,
} from './index';

const aad = 'dek:conversation:conv-1';

describe('LocalKeyProvider', () => {
  it('wraps and unwraps a DEK, binding the aad', async () => {
    const kek = new LocalKeyProvider(randomBytes(32));
    const dek = generateDataKey();
    expect(dek.length).toBe(32);
    const wrapped = await kek.wrap(dek, aad);
    expect(wrapped.includes(dek)).toBe(false);
    expect((await kek.unwrap(wrapped, aad)).equals(dek)).toBe(true);
    await expect(kek.unwrap(wrapped, 'dek:conversation:conv-2')).rejects.toMatchObject({ code: 'decrypt_failed' });
    await expect(new LocalKeyProvider(randomBytes(32)).unwrap(wrapped, aad)).rejects.toBeInstanceOf(CryptoError);
  });

  it('derives kekId from the key without revealing it', () => {
    const key = randomBytes(32);
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('conclave-kek-id:'), key])).digest('hex');
    const kek = new LocalKeyProvider(key);
    expect(kek.kekId).toBe(`kek-${expected.slice(0, 16)}`);
    expect(new LocalKeyProvider(Buffer.from(key)).kekId).toBe(kek.kekId);
    expect(new LocalKeyProvider(randomBytes(32)).kekId).not.toBe(kek.kekId);
  });

  it('does not expose key material through inspect or JSON', () => {
    const key = randomBytes(32);
    const kek = new LocalKeyProvider(key);
    const shown = inspect(kek, { showHidden: true, depth: 5 }) + JSON.stringify(kek);
    for (const enc of ['hex', 'base64'] as const) expect(shown).not.toContain(key.toString(enc));
  });

  it('copies the key so later mutation of the caller buffer has no effect', async () => {
    const key = randomBytes(32);
    const kek = new LocalKeyProvider(key);
    const wrapped = await kek.wrap(generateDataKey(), aad);
    key.fill(0);
    await expect(kek.unwrap(wrapped, aad)).resolves.toHaveLength(32);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new LocalKeyProvider(randomBytes(16))).toThrow(expect.objectContaining({ code: 'bad_key' }));
  });
});

describe('parseMasterKey / keyProviderFromEnv', () => {
  const key = randomBytes(32);
  const b64 = key.toString('base64');
  const hex = key.toString('hex');

  it('accepts base64 and hex (any case) with surrounding whitespace, same kekId', () => {
    const id = new LocalKeyProvider(key).kekId;
    for (const v of [b64, ` ${b64}\n`, hex, hex.toUpperCase(), `\t${hex}\r\n`]) {
      expect(keyProviderFromEnv(v).kekId).toBe(id);
    }
  });

  it('rejects anything else and never echoes the value', () => {
    const bad = [
      '', '   ', b64.slice(0, 43), `${b64}=`, hex.slice(0, 63), `${hex}0`, key.toString('base64url'),
      `${b64.slice(0, 10)} ${b64.slice(10)}`, '0'.repeat(64), 'A'.repeat(43) + '=',
      randomBytes(24).toString('base64'), 'g'.repeat(64),
    ];
    for (const v of bad) {
      expect(parseMasterKey(v)).toBeUndefined();
      try {
        keyProviderFromEnv(v);
        expect.fail(`accepted ${JSON.stringify(v)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(CryptoError);
        expect((err as CryptoError).code).toBe('bad_key');
        expect((err as Error).message).toContain('CONCLAVE_MASTER_KEY');
        if (v.trim().length > 4) expect((err as Error).message).not.toContain(v.trim());
      }
    }
  });
});

describe('KeyRing', () => {
  it('keeps old wraps readable after rotation and wraps new DEKs with the new key', async () => {
    const oldKek = new LocalKeyProvider(randomBytes(32));
    const newKek = new LocalKeyProvider(randomBytes(32));
    const dek = generateDataKey();

    const before = new KeyRing(oldKek);
    const stored = await before.wrap(dek, aad);
    expect(stored.kekId).toBe(oldKek.kekId);

    const after = before.withCurrent(newKek);
    expect(after.current).toBe(newKek);
    expect(after.kekIds).toEqual([newKek.kekId, oldKek.kekId]);
    expect(after.has(oldKek.kekId)).toBe(true);
    expect((await after.unwrap(stored.kekId, stored.wrapped, aad)).equals(dek)).toBe(true);

    const fresh = await after.wrap(generateDataKey(), aad);
    expect(fresh.kekId).toBe(newKek.kekId);

    // Re-wrap moves the DEK under the new key; then the old key can be retired.
    const moved = await after.rewrap(stored.kekId, stored.wrapped, aad);
    expect(moved.kekId).toBe(newKek.kekId);
    const retired = new KeyRing(newKek);
    expect((await retired.unwrap(moved.kekId, moved.wrapped, aad)).equals(dek)).toBe(true);
    const again = await retired.rewrap(moved.kekId, moved.wrapped, aad);
    expect(again.wrapped.equals(moved.wrapped)).toBe(true);
  });

  it('throws key_unavailable for an unknown kekId', async () => {
    const oldKek = new LocalKeyProvider(randomBytes(32));
    const stored = await new KeyRing(oldKek).wrap(generateDataKey(), aad);
    const ring = new KeyRing(new LocalKeyProvider(randomBytes(32)));
    expect(ring.has(stored.kekId)).toBe(false);
    await expect(ring.unwrap(stored.kekId, stored.wrapped, aad)).rejects.toMatchObject({
      name: 'CryptoError', code: 'key_unavailable',
    });
    await expect(ring.rewrap(stored.kekId, stored.wrapped, aad)).rejects.toMatchObject({ code: 'key_unavailable' });
  });

  it('does not let a wrap be opened under another kekId label or aad', async () => {
    const a = new LocalKeyProvider(randomBytes(32));
    const b = new LocalKeyProvider(randomBytes(32));
    const ring = new KeyRing(a, [b]);
    const stored = await ring.wrap(generateDataKey(), aad);
    await expect(ring.unwrap(b.kekId, stored.wrapped, aad)).rejects.toMatchObject({ code: 'decrypt_failed' });
    await expect(ring.unwrap(a.kekId, stored.wrapped, `${aad}x`)).rejects.toMatchObject({ code: 'decrypt_failed' });
  });

  it('deduplicates the same key given twice', () => {
    const key = randomBytes(32);
    const ring = new KeyRing(new LocalKeyProvider(key), [new LocalKeyProvider(key)]);
    expect(ring.kekIds).toHaveLength(1);
  });
});
