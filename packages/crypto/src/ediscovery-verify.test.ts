/** eDiscovery package signing and offline verification (GOV-5). */
import { describe, expect, it } from 'vitest';
import {
  EDISCOVERY_MANIFEST, ediscoveryEntries, keywordsDigest, signEdiscoveryManifest, verifyEdiscoveryPackage,
} from './ediscovery-verify';
import { generateSigningKeyPair } from './signing';

const key = generateSigningKeyPair();
const other = generateSigningKeyPair();
const enc = (s: string) => new TextEncoder().encode(s);

function makePackage(keywords = ['merger', '会议']) {
  const content = new Map<string, Uint8Array>([
    ['messages.jsonl', enc('{"id":"m1","text":"merger talk"}\n{"id":"m2","text":"会议纪要"}\n')],
    ['files/F1/report.txt', enc('quarterly numbers')],
  ]);
  const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
  const manifest = signEdiscoveryManifest(key.privateKeyPem, key.publicKeyPem, {
    exportId: 'E1', org: 'O1',
    criteria: { custodians: ['U1'], keywords, keywordsSalt: salt, keywordsDigest: keywordsDigest(keywords, salt) },
    entries: ediscoveryEntries(content),
  });
  const all = new Map(content);
  all.set(EDISCOVERY_MANIFEST, enc(JSON.stringify(manifest, null, 2)));
  return { all, manifest };
}

describe('eDiscovery package verification (GOV-5)', () => {
  it('verifies an untouched package with the audit public key', () => {
    const { all } = makePackage();
    const r = verifyEdiscoveryPackage(all, [other.publicKeyPem, key.publicKeyPem]);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.entriesVerified).toBe(2);
    expect(r.manifest?.exportId).toBe('E1');
  });

  it('fails when one byte of an entry changes, naming the entry', () => {
    const { all } = makePackage();
    const bytes = Uint8Array.from(all.get('files/F1/report.txt')!);
    bytes[0] ^= 1;
    all.set('files/F1/report.txt', bytes);
    const r = verifyEdiscoveryPackage(all, [key.publicKeyPem]);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['files/F1/report.txt: SHA-256 does not match the manifest (the entry was altered)']);
  });

  it('fails when one byte of the manifest changes, or when signed by another key', () => {
    const { all, manifest } = makePackage();
    const text = JSON.stringify(manifest).replace('"exportId":"E1"', '"exportId":"E2"');
    const altered = new Map(all).set(EDISCOVERY_MANIFEST, enc(text));
    expect(verifyEdiscoveryPackage(altered, [key.publicKeyPem]).problems[0]).toMatch(/signature does not verify/);
    expect(verifyEdiscoveryPackage(all, [other.publicKeyPem]).ok).toBe(false);
  });

  it('fails on a missing, resized, extra or unsafe entry and on a tampered keyword digest', () => {
    const { all, manifest } = makePackage();
    const missing = new Map(all);
    missing.delete('messages.jsonl');
    expect(verifyEdiscoveryPackage(missing, [key.publicKeyPem]).problems).toEqual(['messages.jsonl: missing from the package']);
    const extra = new Map(all).set('files/evil.exe', enc('x'));
    expect(verifyEdiscoveryPackage(extra, [key.publicKeyPem]).problems).toEqual(['files/evil.exe: in the package but not listed in the manifest']);
    const longer = new Map(all).set('messages.jsonl', enc('{}\n'));
    expect(verifyEdiscoveryPackage(longer, [key.publicKeyPem]).problems[0]).toMatch(/size 3 does not match/);

    // A manifest re-signed by an attacker's key with a forged digest still fails under the real key.
    const forged = signEdiscoveryManifest(other.privateKeyPem, other.publicKeyPem, {
      exportId: 'E1', org: 'O1', criteria: { ...manifest.criteria, keywordsDigest: 'f'.repeat(64) },
      entries: [...manifest.entries, { path: '../escape', sha256: 'a'.repeat(64), size: 1 }],
    });
    const r = verifyEdiscoveryPackage(new Map(all).set(EDISCOVERY_MANIFEST, enc(JSON.stringify(forged))), [key.publicKeyPem]);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/signature does not verify/);
    expect(r.problems.join('\n')).toMatch(/unsafe path "\.\.\/escape"/);
    expect(r.problems.join('\n')).toMatch(/keywordsDigest does not match/);
  });

  it('never throws on garbage', () => {
    expect(verifyEdiscoveryPackage({}, [key.publicKeyPem]).problems).toEqual(['manifest.json is missing: not an eDiscovery package']);
    expect(verifyEdiscoveryPackage({ 'manifest.json': Uint8Array.of(0xff, 0xfe) }, [key.publicKeyPem]).ok).toBe(false);
    expect(verifyEdiscoveryPackage({ 'manifest.json': enc('[1]') }, [key.publicKeyPem]).ok).toBe(false);
    expect(verifyEdiscoveryPackage({ 'manifest.json': enc('{"format":"conclave-ediscovery-export","version":1,"entries":[null],"criteria":{"keywords":[1],"keywordsSalt":"s"}}') }, [key.publicKeyPem]).ok).toBe(false);
  });

  it('the keyword digest is salted and empty for no keywords', () => {
    expect(keywordsDigest([], 's')).toBeNull();
    expect(keywordsDigest(['a'], 's1')).not.toBe(keywordsDigest(['a'], 's2'));
    expect(keywordsDigest(['a'], 's1')).toMatch(/^[0-9a-f]{64}$/);
  });
});
