/**
 * eDiscovery export packages (GOV-5): the signed manifest and its offline verifier.
 *
 * A package is a zip holding `messages.jsonl`, `files/…` and `manifest.json`. The manifest
 * lists every other entry with its SHA-256 and size and is signed (Ed25519, the audit key)
 * over the RFC 8785 canonical JSON of every field except `signature` — the scheme of the
 * audit export. A verifier needs only the entries and the published audit public key: it
 * checks the signature, then every entry against the manifest, and that nothing was added.
 * Unzipping is the caller's job (the CLI uses fflate), so this module stays dependency-free.
 * Format: docs/GOVERNANCE.md, "eDiscovery export".
 */
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hash';
import { publicKeyFingerprint, sign, verify } from './signing';

/** `format` of an eDiscovery manifest: binds the signature to this purpose. */
export const EDISCOVERY_FORMAT = 'conclave-ediscovery-export';
/** Current eDiscovery package format version. */
export const EDISCOVERY_VERSION = 1;
/** Name of the manifest entry inside the zip. */
export const EDISCOVERY_MANIFEST = 'manifest.json';

/** One package entry as listed in the manifest. */
export interface EdiscoveryEntry { path: string; sha256: string; size: number }

/** The signed manifest of an eDiscovery package. Fields beyond these are signed too. */
export interface EdiscoveryManifest {
  format: typeof EDISCOVERY_FORMAT;
  version: typeof EDISCOVERY_VERSION;
  exportId: string;
  org: string;
  /** Salted SHA-256 commitment to the keywords, as recorded in the audit log (see {@link keywordsDigest}). */
  criteria: { keywords: string[]; keywordsSalt: string; keywordsDigest: string | null } & Record<string, unknown>;
  /** Every entry except the manifest itself, in zip order. */
  entries: EdiscoveryEntry[];
  /** The signing key (informational: verify against a key obtained independently). */
  key: { algorithm: 'Ed25519'; fingerprint: string; publicKeyPem: string };
  /** Ed25519 signature (base64) over {@link ediscoveryManifestPayload}. */
  signature: string;
  [field: string]: unknown;
}

/** The bytes a manifest signature covers: canonical JSON of every field except `signature`. */
export function ediscoveryManifestPayload(m: Record<string, unknown>): string {
  const { signature: _s, ...rest } = m;
  return canonicalJson(rest);
}

/**
 * Salted commitment to a keyword list: SHA-256 of `salt:` + canonical JSON of the list, or
 * null for no keywords. The audit row carries only this digest, so auditors cannot read (or
 * dictionary-guess, without the salt) the search terms, while whoever holds the package can
 * prove which terms an audited export used.
 */
export function keywordsDigest(keywords: readonly string[], salt: string): string | null {
  return keywords.length ? sha256Hex(`${salt}:${canonicalJson([...keywords])}`) : null;
}

/** Builds the entry list (hash and size of each entry's bytes). */
export function ediscoveryEntries(files: Iterable<[string, Uint8Array]>): EdiscoveryEntry[] {
  return [...files].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.byteLength }));
}

/** Signs a manifest: adds format, version and key, then the signature. */
export function signEdiscoveryManifest(
  privateKeyPem: string, publicKeyPem: string,
  fields: Omit<EdiscoveryManifest, 'format' | 'version' | 'key' | 'signature'>,
): EdiscoveryManifest {
  const unsigned = {
    ...fields, format: EDISCOVERY_FORMAT, version: EDISCOVERY_VERSION,
    key: { algorithm: 'Ed25519' as const, fingerprint: publicKeyFingerprint(publicKeyPem), publicKeyPem },
  };
  return { ...unsigned, signature: sign(privateKeyPem, ediscoveryManifestPayload(unsigned)) } as EdiscoveryManifest;
}

/** Result of {@link verifyEdiscoveryPackage}: `ok`, or every problem found, in words. */
export interface EdiscoveryVerification {
  ok: boolean;
  problems: string[];
  /** The parsed manifest, when it could be read (trust it only when `ok`). */
  manifest?: EdiscoveryManifest;
  /** Fingerprint of the given key the signature verified with. */
  keyFingerprint?: string;
  /** Entries whose hash and size matched. */
  entriesVerified: number;
}

/** Relative, no `.`/`..` segments, no backslashes or NUL: safe to extract anywhere. */
const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\\\0]+$/;

/**
 * Checks an unzipped package against trusted audit public keys. Never throws: a package
 * from an untrusted source yields problems, not exceptions. Checks: the manifest parses and
 * has the eDiscovery format; its signature verifies with one of `publicKeyPems`; every listed
 * entry is present with that size and SHA-256; no entry is present that is not listed; the
 * keyword digest matches the keywords and salt.
 */
export function verifyEdiscoveryPackage(entries: Record<string, Uint8Array> | Map<string, Uint8Array>, publicKeyPems: readonly string[]): EdiscoveryVerification {
  const files = entries instanceof Map ? entries : new Map(Object.entries(entries));
  const problems: string[] = [];
  const fail = (p: string): EdiscoveryVerification => ({ ok: false, problems: [...problems, p], entriesVerified: 0 });
  const raw = files.get(EDISCOVERY_MANIFEST);
  if (!raw) return fail(`${EDISCOVERY_MANIFEST} is missing: not an eDiscovery package`);
  let manifest: EdiscoveryManifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as EdiscoveryManifest;
  } catch {
    return fail(`${EDISCOVERY_MANIFEST} is not valid UTF-8 JSON`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return fail(`${EDISCOVERY_MANIFEST} is not a JSON object`);
  if (manifest.format !== EDISCOVERY_FORMAT) return fail(`${EDISCOVERY_MANIFEST}: format is not ${EDISCOVERY_FORMAT}`);
  if (manifest.version !== EDISCOVERY_VERSION) problems.push(`${EDISCOVERY_MANIFEST}: unsupported version ${String(manifest.version)}`);

  let payload: string | null = null;
  try {
    payload = ediscoveryManifestPayload(manifest);
  } catch {
    problems.push(`${EDISCOVERY_MANIFEST} is not canonicalisable JSON`);
  }
  const signer = payload !== null && typeof manifest.signature === 'string'
    ? publicKeyPems.find((pem) => verify(pem, payload!, manifest.signature)) : undefined;
  if (!signer) problems.push('manifest signature does not verify with any of the given audit public keys (the manifest was altered or signed by another key)');

  let verified = 0;
  const listed = new Set<string>();
  if (!Array.isArray(manifest.entries)) problems.push('manifest has no entries list');
  else {
    for (const e of manifest.entries as unknown[]) {
      const entry = e as Partial<EdiscoveryEntry> | null;
      if (!entry || typeof entry.path !== 'string' || typeof entry.sha256 !== 'string' || typeof entry.size !== 'number') {
        problems.push('manifest lists a malformed entry');
        continue;
      }
      if (!SAFE_PATH.test(entry.path) || entry.path === EDISCOVERY_MANIFEST) problems.push(`manifest lists an unsafe path ${JSON.stringify(entry.path)}`);
      if (listed.has(entry.path)) problems.push(`manifest lists ${entry.path} twice`);
      listed.add(entry.path);
      const bytes = files.get(entry.path);
      if (!bytes) { problems.push(`${entry.path}: missing from the package`); continue; }
      if (bytes.byteLength !== entry.size) { problems.push(`${entry.path}: size ${bytes.byteLength} does not match the manifest (${entry.size})`); continue; }
      if (sha256Hex(bytes) !== entry.sha256) { problems.push(`${entry.path}: SHA-256 does not match the manifest (the entry was altered)`); continue; }
      verified++;
    }
  }
  for (const name of files.keys()) {
    // Directory entries carry no content; anything else must be listed.
    if (name !== EDISCOVERY_MANIFEST && !listed.has(name) && !name.endsWith('/')) problems.push(`${name}: in the package but not listed in the manifest`);
  }
  const c = manifest.criteria;
  if (!c || typeof c !== 'object' || !Array.isArray(c.keywords) || typeof c.keywordsSalt !== 'string') problems.push('manifest criteria lack keywords or their salt');
  else {
    try {
      if (keywordsDigest(c.keywords as string[], c.keywordsSalt) !== (c.keywordsDigest ?? null)) problems.push('keywordsDigest does not match the keywords');
    } catch {
      problems.push('manifest keywords are not a list of strings');
    }
  }
  return { ok: problems.length === 0, problems, manifest, keyFingerprint: signer ? publicKeyFingerprint(signer) : undefined, entriesVerified: verified };
}
