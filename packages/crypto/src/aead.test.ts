import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AEAD_OVERHEAD, CryptoError, decrypt, decryptText, encrypt, encryptText } from './index';

const key = randomBytes(32);
const aad = 'msg:conv-1:msg-1';

function expectDecryptFailed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe('decrypt_failed');
    return;
  }
  expect.fail('expected decrypt to throw');
}

describe('aead', () => {
  it('round-trips bytes, including empty plaintext', () => {
    for (const pt of [Buffer.alloc(0), Buffer.from([0]), randomBytes(1000)]) {
      const sealed = encrypt(key, pt, aad);
      expect(sealed.length).toBe(pt.length + AEAD_OVERHEAD);
      expect(sealed[0]).toBe(0x01);
      expect(decrypt(key, sealed, aad).equals(pt)).toBe(true);
    }
  });

  it('uses a fresh nonce each time', () => {
    const a = encrypt(key, Buffer.from('same'), aad);
    const b = encrypt(key, Buffer.from('same'), aad);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('accepts a Uint8Array view with an offset', () => {
    const backing = new Uint8Array(100);
    const sealed = encrypt(key, Buffer.from('hello'), aad);
    backing.set(sealed, 7);
    const view = backing.subarray(7, 7 + sealed.length);
    expect(decrypt(key, view, aad).toString()).toBe('hello');
  });

  it('round-trips text exactly (emoji, BOM, NUL)', () => {
    for (const text of ['', 'héllo 世界 🎉', '\uFEFFbom first', 'a\u0000b']) {
      expect(decryptText(key, encryptText(key, text, aad), aad)).toBe(text);
    }
  });

  it('rejects text with lone surrogates rather than corrupting it', () => {
    expect(() => encryptText(key, 'bad \uD800 text', aad)).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('decryptText refuses non-UTF-8 plaintext', () => {
    const sealed = encrypt(key, Buffer.from([0xff, 0xfe, 0x80]), aad);
    expect(() => decryptText(key, sealed, aad)).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('fails on wrong key and wrong aad', () => {
    const sealed = encrypt(key, Buffer.from('secret'), aad);
    expectDecryptFailed(() => decrypt(randomBytes(32), sealed, aad));
    expectDecryptFailed(() => decrypt(key, sealed, 'msg:conv-1:msg-2'));
    expectDecryptFailed(() => decrypt(key, sealed, ''));
  });

  it('fails when any single byte is flipped: version, nonce, ciphertext, tag', () => {
    const sealed = encrypt(key, Buffer.from('the quick brown fox'), aad);
    const positions = {
      version: 0,
      nonceFirst: 1,
      nonceLast: 12,
      ciphertextFirst: 13,
      ciphertextLast: sealed.length - 17,
      tagFirst: sealed.length - 16,
      tagLast: sealed.length - 1,
    };
    for (const [, pos] of Object.entries(positions)) {
      const bad = Buffer.from(sealed);
      bad[pos] ^= 0x01;
      expectDecryptFailed(() => decrypt(key, bad, aad));
    }
    // The original still opens: the tests above did not mutate it.
    expect(decrypt(key, sealed, aad).toString()).toBe('the quick brown fox');
  });

  it('fails on truncated or extended input', () => {
    const sealed = encrypt(key, Buffer.from('payload'), aad);
    expectDecryptFailed(() => decrypt(key, sealed.subarray(0, sealed.length - 1), aad));
    expectDecryptFailed(() => decrypt(key, sealed.subarray(0, AEAD_OVERHEAD - 1), aad));
    expectDecryptFailed(() => decrypt(key, Buffer.alloc(0), aad));
    expectDecryptFailed(() => decrypt(key, Buffer.concat([sealed, Buffer.from([0])]), aad));
  });

  it('fails on an unknown version even with otherwise valid bytes', () => {
    const sealed = encrypt(key, Buffer.from('payload'), aad);
    sealed[0] = 0x02;
    expectDecryptFailed(() => decrypt(key, sealed, aad));
  });

  it('rejects keys that are not 32 bytes with bad_key', () => {
    for (const k of [randomBytes(16), randomBytes(31), randomBytes(33), new Uint8Array(0)]) {
      expect(() => encrypt(k, Buffer.from('x'), aad)).toThrow(expect.objectContaining({ code: 'bad_key' }));
      expect(() => decrypt(k, Buffer.alloc(40), aad)).toThrow(expect.objectContaining({ code: 'bad_key' }));
    }
  });
});
