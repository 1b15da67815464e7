import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair, publicKeyFingerprint, publicKeyPemFromPrivate, sha256Hex, sign, verify,
} from './index';

describe('signing (Ed25519)', () => {
  const { publicKeyPem, privateKeyPem } = generateSigningKeyPair();
  const data = '{"count":42,"head":"abc"}';

  it('produces PEM keys and a 64-byte base64 signature that verifies', () => {
    expect(publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    const sig = sign(privateKeyPem, data);
    expect(Buffer.from(sig, 'base64')).toHaveLength(64);
    expect(verify(publicKeyPem, data, sig)).toBe(true);
    expect(verify(publicKeyPem, Buffer.from(data), sig)).toBe(true);
    expect(sign(privateKeyPem, new TextEncoder().encode(data))).toBe(sig); // Ed25519 is deterministic
  });

  it('rejects changed data, another key, or a changed signature', () => {
    const sig = sign(privateKeyPem, data);
    expect(verify(publicKeyPem, `${data} `, sig)).toBe(false);
    expect(verify(generateSigningKeyPair().publicKeyPem, data, sig)).toBe(false);
    const raw = Buffer.from(sig, 'base64');
    raw[10] ^= 1;
    expect(verify(publicKeyPem, data, raw.toString('base64'))).toBe(false);
  });

  it('returns false, never throws, on malformed signatures and keys', () => {
    const sig = sign(privateKeyPem, data);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cases: Array<[string, string]> = [
      [publicKeyPem, ''], [publicKeyPem, 'not base64!!'], [publicKeyPem, sig.slice(0, -4)],
      [publicKeyPem, `${sig}AAAA`], [publicKeyPem, ` ${sig}`], [publicKeyPem, sig.replace(/==$/, '')],
      [publicKeyPem, Buffer.from(sig, 'base64').toString('base64url')],
      ['not a pem', sig], ['', sig], [rsa, sig],
    ];
    for (const [pem, s] of cases) expect(verify(pem, data, s)).toBe(false);
    expect(verify(publicKeyPem, data, undefined as unknown as string)).toBe(false);
  });

  it('sign refuses non-Ed25519 or malformed private keys with bad_key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => sign(rsa, data)).toThrow(expect.objectContaining({ code: 'bad_key' }));
    expect(() => sign('garbage', data)).toThrow(expect.objectContaining({ code: 'bad_key' }));
    expect(() => sign(publicKeyPem, data)).toThrow(expect.objectContaining({ code: 'bad_key' }));
  });

  it('derives the public key from the private key', () => {
    expect(publicKeyPemFromPrivate(privateKeyPem)).toBe(publicKeyPem);
  });

  it('fingerprints the DER SPKI as 64 lowercase hex', () => {
    const fp = publicKeyFingerprint(publicKeyPem);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(fp).toBe(sha256Hex(der));
    expect(publicKeyFingerprint(generateSigningKeyPair().publicKeyPem)).not.toBe(fp);
    expect(() => publicKeyFingerprint('nope')).toThrow(expect.objectContaining({ code: 'bad_key' }));
  });

  it.runIf(hasOpenssl())('fingerprint matches `openssl pkey -outform DER | sha256`', () => {
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: publicKeyPem });
    expect(publicKeyFingerprint(publicKeyPem)).toBe(sha256Hex(der));
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
