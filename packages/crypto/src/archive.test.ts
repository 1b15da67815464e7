/**
 * Compliance archive crypto (GOV-5, ENC-2): HPKE envelopes bound to their context, k-of-n
 * Shamir recovery checked against the archive public key, and no oracle on failure.
 */
import { describe, expect, it } from 'vitest';
import {
  ARCHIVE_ENVELOPE_OVERHEAD, ARCHIVE_SHARE_BYTES, CryptoError, archiveKeyFingerprint, archiveKeyFromSeed, checkQuorum, createArchiveKey,
  generateArchiveRecipientKey, isArchivePublicKey, openArchiveMessage, openOfficerShare, openReleasedShare, parseArchiveEnvelope,
  recoverArchiveKey, sealArchiveMessage, sealOfficerShare, sealReleasedShare,
} from './index';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const binding = { conversationId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', authorId: '01ARZ3NDEKTSV4RRFFQ69G5FAW', clientId: 'c-1' };

async function expectCode(p: Promise<unknown>, code: CryptoError['code']): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CryptoError);
  expect((err as CryptoError).code).toBe(code);
}

describe('archive crypto (GOV-5)', () => {
  it('3-of-5: any 3 shares rebuild the key that opens a message; 2 shares do not', async () => {
    const { publicKey, shares } = await createArchiveKey(5, 3);
    expect(shares).toHaveLength(5);
    expect(shares.every((s) => s.length === ARCHIVE_SHARE_BYTES)).toBe(true);
    const sealed = await sealArchiveMessage(publicKey, 'KEY1', utf8('quarterly numbers 机密'), binding);
    expect(sealed.length).toBe(utf8('quarterly numbers 机密').length + ARCHIVE_ENVELOPE_OVERHEAD + 4);
    for (const pick of [[0, 1, 2], [4, 2, 0], [1, 3, 4], [0, 1, 2, 3, 4]]) {
      const key = await recoverArchiveKey(pick.map((i) => shares[i]!), publicKey);
      expect(text(await openArchiveMessage(key.privateKey, sealed, binding))).toBe('quarterly numbers 机密');
    }
    for (const pick of [[0, 1], [3, 4], [2]]) await expectCode(recoverArchiveKey(pick.map((i) => shares[i]!), publicKey), 'decrypt_failed');
  });

  it('shares of another ceremony, duplicated or malformed shares are refused', async () => {
    const a = await createArchiveKey(3, 2);
    const b = await createArchiveKey(3, 2);
    await expectCode(recoverArchiveKey([a.shares[0]!, b.shares[1]!], a.publicKey), 'decrypt_failed');
    await expectCode(recoverArchiveKey([a.shares[0]!, a.shares[0]!], a.publicKey), 'bad_input');
    await expectCode(recoverArchiveKey([a.shares[0]!, a.shares[1]!.slice(1)], a.publicKey), 'bad_input');
    expect((await recoverArchiveKey(a.shares.slice(1), a.publicKey)).publicKey).toEqual(a.publicKey);
  });

  it('the derivation from a seed is deterministic (re-derivation is the recovery check)', async () => {
    const seed = new Uint8Array(32).fill(7);
    expect((await archiveKeyFromSeed(seed)).publicKey).toEqual((await archiveKeyFromSeed(seed)).publicKey);
    await expectCode(archiveKeyFromSeed(new Uint8Array(31)), 'bad_key');
  });

  it('a message ciphertext is bound to its conversation, author, client id, key id and purpose', async () => {
    const kp = await generateArchiveRecipientKey();
    const sealed = await sealArchiveMessage(kp.publicKey, 'KEY1', utf8('hello'), binding);
    expect(parseArchiveEnvelope(sealed).keyId).toBe('KEY1');
    for (const other of [{ ...binding, conversationId: 'X' }, { ...binding, authorId: 'X' }, { ...binding, clientId: 'c-2' }]) {
      await expectCode(openArchiveMessage(kp.privateKey, sealed, other), 'decrypt_failed');
    }
    // Rewriting the key id in the header breaks the AAD.
    const moved = sealed.slice();
    moved[2] = 'J'.charCodeAt(0);
    await expectCode(openArchiveMessage(kp.privateKey, moved, binding), 'decrypt_failed');
    // Tampering, truncation and the wrong key all give the same answer.
    const flipped = sealed.slice();
    flipped[flipped.length - 1]! ^= 1;
    await expectCode(openArchiveMessage(kp.privateKey, flipped, binding), 'decrypt_failed');
    await expectCode(openArchiveMessage(kp.privateKey, sealed.slice(0, 20), binding), 'decrypt_failed');
    await expectCode(openArchiveMessage((await generateArchiveRecipientKey()).privateKey, sealed, binding), 'decrypt_failed');
  });

  it('shares travel sealed: to the officer, then resealed to the requester of one request', async () => {
    const { publicKey, shares } = await createArchiveKey(3, 2);
    const officer = await generateArchiveRecipientKey();
    const requester = await generateArchiveRecipientKey();
    const sb = { archivePublicKey: publicKey, officerUserId: 'U1', officerKeyId: 'OK1' };
    const toOfficer = await sealOfficerShare(officer.publicKey, shares[0]!, sb);
    const opened = await openOfficerShare(officer.privateKey, toOfficer, sb);
    expect(opened).toEqual(shares[0]);
    // A share envelope is not a message envelope, and belongs to one officer key.
    await expectCode(openArchiveMessage(officer.privateKey, toOfficer, binding), 'decrypt_failed');
    await expectCode(openOfficerShare(officer.privateKey, toOfficer, { ...sb, officerUserId: 'U2' }), 'decrypt_failed');
    await expectCode(openOfficerShare(officer.privateKey, toOfficer, { ...sb, officerKeyId: 'OK2' }), 'decrypt_failed');
    const rb = { requestId: 'R1', archiveKeyId: 'A1', officerUserId: 'U1' };
    const released = await sealReleasedShare(requester.publicKey, opened, rb);
    expect(await openReleasedShare(requester.privateKey, released, rb)).toEqual(shares[0]);
    await expectCode(openReleasedShare(requester.privateKey, released, { ...rb, requestId: 'R2' }), 'decrypt_failed');
    await expectCode(openReleasedShare(officer.privateKey, released, rb), 'decrypt_failed');
  });

  it('envelope parsing refuses anything malformed; key checks; fingerprints', async () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([2, 1, 65]), new Uint8Array([1, 0, ...new Uint8Array(60)]), new Uint8Array([1, 3, 65, 66, 67])]) {
      expect(() => parseArchiveEnvelope(bad)).toThrow(CryptoError);
    }
    expect(() => parseArchiveEnvelope(new Uint8Array([1, 1, 0x0a, ...new Uint8Array(60)]))).toThrow(/printable/);
    const kp = await generateArchiveRecipientKey();
    expect(await isArchivePublicKey(kp.publicKey)).toBe(true);
    expect(await isArchivePublicKey(kp.publicKey.slice(1))).toBe(false);
    await expectCode(sealArchiveMessage(new Uint8Array(5), 'K', utf8('x'), binding), 'bad_key');
    await expectCode(sealArchiveMessage(kp.publicKey, '', utf8('x'), binding), 'bad_input');
    expect(await archiveKeyFingerprint(kp.publicKey)).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  });

  it('quorum rules: k ≥ 2, n ≥ k, n ≤ 255', () => {
    expect(() => checkQuorum(5, 1)).toThrow(/at least 2/);
    expect(() => checkQuorum(2, 3)).toThrow(/at least as many/);
    expect(() => checkQuorum(256, 3)).toThrow(/at most 255/);
    expect(() => checkQuorum(5, 3)).not.toThrow();
  });
});
