/**
 * `@conclave/crypto` — pure crypto for Conclave: AES-256-GCM envelope encryption, key
 * providers and rotation, token hashing, RFC 8785 audit-chain hashing and verification,
 * Ed25519 signing. No database, no network; every primitive comes from `node:crypto`.
 *
 * @packageDocumentation
 */
export {
  AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_OVERHEAD, AEAD_TAG_BYTES, AEAD_VERSION,
  decrypt, decryptText, encrypt, encryptText,
} from './aead';
export { CryptoError, type CryptoErrorCode } from './errors';
export {
  generateDataKey, keyProviderFromEnv, LocalKeyProvider, localKekId, MASTER_KEY_FORMAT, parseMasterKey,
  type KeyProvider,
} from './keys';
export { loadOrCreateKeyFile, type KeyFileResult } from './key-file';
export { KeyRing, type WrappedKey } from './key-ring';
export { hashToken, MIN_TOKEN_BYTES, randomToken, sha256Hex, timingSafeEqualHex } from './hash';
export { canonicalJson } from './canonical-json';
export { auditRowHash, flatCanonicalJson, GENESIS_HASH, isChainHash, storedRowHash, type AuditChainRow } from './audit-chain';
export {
  ChainVerifier, verifyChain, verifyChainAsync,
  type ChainFault, type ChainProblem, type ChainVerification, type VerifyChainOptions,
} from './chain-verifier';
export {
  generateSigningKeyPair, publicKeyFingerprint, publicKeyPemFromPrivate, sign, verify,
  type SigningKeyPair,
} from './signing';
export {
  CHECKPOINT_TYPE, checkpointPayload, parseCheckpoint, signCheckpoint, verifyCheckpoint,
  type AuditCheckpoint, type CheckpointFields,
} from './checkpoint';
export {
  AuditVerifier, verifyAuditTrail,
  type AuditFault, type AuditProblem, type AuditVerification, type AuditVerifyOptions,
} from './audit-verify';
export {
  EXPORT_FORMAT, EXPORT_VERSION, manifestPayload, signManifest, verifyAuditExport, verifyAuditExportStream,
  type ExportManifest, type ExportVerification, type ManifestFields, type VerifyExportOptions,
} from './audit-export';
export { verifyAuditExportFile, type VerifyExportFileOptions } from './audit-export-file';
export { parsePublicKeys } from './signing';
export * from './deletion-receipt';
export * from './ediscovery-verify';
export * from './archive';
