/**
 * How ts-mls decides that two KeyPackages (or a KeyPackage and a leaf) are the same client, as
 * the SDK configures it (E2E-1, large commits).
 *
 * ts-mls checks a commit's Add proposals for duplicates pairwise — N² comparisons, a million at
 * 1 000 members — and its default comparison is constant-time over the whole key. The keys
 * compared are signature *public* keys (carried in KeyPackages and the ratchet tree, visible to
 * the server), so there is no secret for timing to leak and a comparison that stops at the first
 * differing byte gives the same answers, faster.
 */
import type { KeyPackageEqualityConfig } from 'ts-mls';

function samePublicKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same client = same signature public key (ts-mls's rule), compared with an early exit. */
export const publicKeyEquality: KeyPackageEqualityConfig = {
  compareKeyPackages: (a, b) => samePublicKey(a.leafNode.signaturePublicKey, b.leafNode.signaturePublicKey),
  compareKeyPackageToLeafNode: (a, b) => samePublicKey(a.leafNode.signaturePublicKey, b.signaturePublicKey),
};
