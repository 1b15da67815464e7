import { GENESIS_HASH, isChainHash, scanCanonicalRow } from './audit-chain';
import { AuditVerifier, type AuditFault, type AuditVerification } from './audit-verify';
import { isSyncIterable, PUSH_HASHED } from './chain-verifier';
import { decodeExportBytes, forEachLine } from './audit-segment';
import { canonicalJson } from './canonical-json';
import type { AuditCheckpoint } from './checkpoint';
import { CryptoError } from './errors';
import { publicKeyFingerprint, sign, verify } from './signing';

/** `format` of an audit export's manifest line. */
export const EXPORT_FORMAT = 'conclave-audit-export';
/** Current export format version. */
export const EXPORT_VERSION = 1;

/**
 * First line of an audit export (JSON Lines). The rows follow, one per line, in seq order,
 * exactly as stored. Signed by the server's audit key over {@link manifestPayload}, so a
 * file cut short, extended or re-headed no longer matches. Format: docs/AUDIT-FORMAT.md.
 */
export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** Organisation whose chain this is. */
  org: string;
  /** Seq of the first and last row in the file; `count = toSeq - fromSeq + 1`. */
  fromSeq: number;
  toSeq: number;
  count: number;
  /** `prev_hash` of the first row (the genesis hash when `fromSeq` is 1). */
  startPrevHash: string;
  /** `hash` of the row with seq `toSeq`. */
  headHash: string;
  /** Export time, integer ms UTC. */
  exportedAt: number;
  /** Who exported (metadata; audited on the server as `audit.export`). */
  exportedBy: { actorType: string; actorId: string | null };
  /** The signing key (informational: verify with a key you obtained independently). */
  key: { algorithm: 'Ed25519'; fingerprint: string; publicKeyPem: string };
  /** Signed checkpoints whose count lies in [fromSeq, toSeq]. */
  checkpoints: AuditCheckpoint[];
  /** Ed25519 signature (base64) over {@link manifestPayload}. */
  signature: string;
}

/** The manifest fields the server fills in; the rest is derived when signing. */
export type ManifestFields = Omit<ExportManifest, 'format' | 'version' | 'count' | 'key' | 'signature'>;

/** The bytes a manifest signature covers: canonical JSON of every field except `signature`. */
export function manifestPayload(m: Omit<ExportManifest, 'signature'> | ExportManifest): string {
  const { signature: _s, ...rest } = m as ExportManifest;
  return canonicalJson(rest);
}

/**
 * Builds and signs an export manifest.
 *
 * @throws CryptoError `bad_input` on an inconsistent range, `bad_key` on a bad key.
 */
export function signManifest(privateKeyPem: string, publicKeyPem: string, f: ManifestFields): ExportManifest {
  const problem = rangeProblem(f);
  if (problem) throw new CryptoError('bad_input', `export manifest: ${problem}`);
  const unsigned: Omit<ExportManifest, 'signature'> = {
    format: EXPORT_FORMAT, version: EXPORT_VERSION, org: f.org, fromSeq: f.fromSeq, toSeq: f.toSeq, count: f.toSeq - f.fromSeq + 1,
    startPrevHash: f.startPrevHash, headHash: f.headHash, exportedAt: f.exportedAt, exportedBy: f.exportedBy,
    key: { algorithm: 'Ed25519', fingerprint: publicKeyFingerprint(publicKeyPem), publicKeyPem },
    checkpoints: f.checkpoints,
  };
  return { ...unsigned, signature: sign(privateKeyPem, manifestPayload(unsigned)) };
}

function rangeProblem(m: Record<string, unknown>): string | undefined {
  const { fromSeq, toSeq, startPrevHash, headHash } = m;
  if (typeof m.org !== 'string' || m.org === '') return 'org is missing';
  if (!Number.isSafeInteger(fromSeq) || (fromSeq as number) < 1) return 'fromSeq must be a positive integer';
  if (!Number.isSafeInteger(toSeq) || (toSeq as number) < (fromSeq as number)) return 'toSeq must be an integer ≥ fromSeq';
  if (m.count !== undefined && m.count !== (toSeq as number) - (fromSeq as number) + 1) return 'count does not match the range';
  if (!isChainHash(startPrevHash) || !isChainHash(headHash)) return 'startPrevHash and headHash must be 64 lowercase hex characters';
  if (fromSeq === 1 && startPrevHash !== GENESIS_HASH) return 'a range from seq 1 must start at the genesis hash';
  if (!Number.isSafeInteger(m.exportedAt)) return 'exportedAt must be integer milliseconds';
  if (!Array.isArray(m.checkpoints)) return 'checkpoints must be an array';
  return undefined;
}

/** Result of {@link verifyAuditExport}: the verification plus what the manifest claims. */
export interface ExportVerification extends AuditVerification {
  manifest: { org: string; fromSeq: number; toSeq: number; count: number; exportedAt: number; keyFingerprint: string } | null;
}

/** Options for {@link verifyAuditExport}. */
export interface VerifyExportOptions {
  /** Trusted Ed25519 public keys (SPKI PEM), obtained independently of the file. */
  publicKeys: readonly string[];
  /** See {@link VerifyChainOptions.lookahead}. */
  lookahead?: number;
}

const emptyResult = (fault: AuditFault): ExportVerification => ({
  ok: false, rows: 0, lastSeq: 0, headHash: GENESIS_HASH, checkpoints: { verified: 0, total: 0, latest: null }, firstBad: fault, manifest: null,
});

/**
 * Verifies an audit export given as lines (e.g. `readline` over the file): the manifest
 * signature, every row's hash and link, every checkpoint, and that the rows are exactly the
 * signed range. Never throws on bad file content — a garbled or cut line is reported as
 * `malformed` with its line number. For a file, {@link verifyAuditExportStream} (raw chunks,
 * large reads) is faster than lines from `readline`.
 *
 * @throws CryptoError `bad_input` if `publicKeys` is empty or not strings.
 */
export async function verifyAuditExport(lines: AsyncIterable<string> | Iterable<string>, opts: VerifyExportOptions): Promise<ExportVerification> {
  const v = new ExportVerifier(opts);
  if (isSyncIterable(lines)) {
    for (const raw of lines) if (!v.line(raw)) break;
  } else {
    for await (const raw of lines) if (!v.line(raw)) break;
  }
  return v.result();
}

/**
 * {@link verifyAuditExport} over the export file's raw content, e.g. `fs.createReadStream(file)`
 * (Buffers, decoded as UTF-8; strings are taken as they are): split into lines at `\n`, `\r\n`
 * and `\r` as `readline` does, so line numbers are the same. What `conclave audit verify
 * --export` uses.
 *
 * @throws CryptoError `bad_input` if `publicKeys` is empty or not strings.
 */
export async function verifyAuditExportStream(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: VerifyExportOptions,
): Promise<ExportVerification> {
  const v = new ExportVerifier(opts);
  let carryBytes: Buffer | undefined; // an incomplete last line (bytes: a UTF-8 sequence may be cut)
  let carryText = '';
  let going = true;
  const feedText = (text: string, final: boolean): void => {
    const r = forEachLine(text, final, (line) => v.line(line));
    going = r.going;
    carryText = r.rest;
  };
  const feed = (chunk: Uint8Array | string): void => {
    if (typeof chunk === 'string') {
      feedText(carryText + chunk, false);
      return;
    }
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carryBytes) buf = Buffer.concat([carryBytes, buf]);
    carryBytes = undefined;
    // Decode only up to the last newline byte (0x0a never occurs inside a UTF-8 sequence).
    const last = buf.lastIndexOf(0x0a);
    if (last < 0) { carryBytes = buf; return; }
    if (last + 1 < buf.length) carryBytes = buf.subarray(last + 1);
    feedText(carryText + decodeExportBytes(buf, 0, last + 1), false);
  };
  if (isSyncIterable(chunks)) {
    for (const chunk of chunks) { feed(chunk); if (!going) break; }
  } else {
    for await (const chunk of chunks) { feed(chunk); if (!going) break; }
  }
  if (going) feedText(carryText + (carryBytes ? carryBytes.toString('utf8') : ''), true);
  return v.result();
}

/**
 * Line-by-line state of an export verification (shared by every entry point; package-internal,
 * the parallel file verifier in audit-export-file.ts drives it too).
 */
export class ExportVerifier {
  readonly #opts: VerifyExportOptions;
  #lineNo = 0;
  #manifest: ExportManifest | undefined;
  #verifier: AuditVerifier | undefined;
  #done: ExportVerification | undefined;

  constructor(opts: VerifyExportOptions) {
    if (!Array.isArray(opts.publicKeys) || opts.publicKeys.length === 0 || opts.publicKeys.some((k) => typeof k !== 'string')) {
      throw new CryptoError('bad_input', 'at least one trusted public key (PEM) is required to verify an export');
    }
    this.#opts = opts;
  }

  /** Takes the next line; false when verification has stopped (read no further). */
  line(raw: unknown): boolean {
    if (this.#done) return false;
    const lineNo = ++this.#lineNo;
    const line = typeof raw === 'string' ? raw.trim() : '';
    if (line === '') return true;
    const verifier = this.#verifier;
    if (verifier) {
      // Fast path: a canonical row line is checked and hashed as it is (see scanCanonicalRow);
      // anything else is parsed and verified the general way.
      const scanned = scanCanonicalRow(line);
      if (scanned) return verifier[PUSH_HASHED](scanned.row, scanned.computed, lineNo);
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const f: AuditFault = { problem: 'malformed', id: '', seq: verifier ? verifier.lastSeq + 1 : 0, line: lineNo, detail: `line ${lineNo} is not valid JSON (the file is garbled or was cut off here)` };
      this.#done = verifier ? { ...verifier.abort(f), manifest: summary(this.#manifest!) } : emptyResult(f);
      return false;
    }
    if (!verifier) {
      const m = checkManifest(value, this.#opts.publicKeys, lineNo);
      if ('problem' in m) {
        this.#done = emptyResult(m);
        return false;
      }
      this.#manifest = m;
      this.#verifier = new AuditVerifier({
        publicKeys: this.#opts.publicKeys, org: m.org, checkpoints: m.checkpoints, startPrevHash: m.startPrevHash, startSeq: m.fromSeq,
        end: { seq: m.toSeq, headHash: m.headHash, what: 'the signed manifest' }, lookahead: this.#opts.lookahead,
      });
      return true;
    }
    return verifier.push(value, lineNo);
  }

  /** The row verifier, once the manifest line has been accepted (undefined before, or after a fault). */
  get rowVerifier(): AuditVerifier | undefined {
    return this.#done ? undefined : this.#verifier;
  }

  result(): ExportVerification {
    if (this.#done) return this.#done;
    if (!this.#verifier) return emptyResult({ problem: 'malformed', id: '', seq: 0, line: this.#lineNo || 1, detail: 'the file is empty: no manifest line' });
    return { ...this.#verifier.result(), manifest: summary(this.#manifest!) };
  }
}

function summary(m: ExportManifest): ExportVerification['manifest'] {
  return { org: m.org, fromSeq: m.fromSeq, toSeq: m.toSeq, count: m.count, exportedAt: m.exportedAt, keyFingerprint: m.key?.fingerprint ?? '' };
}

function checkManifest(value: unknown, keys: readonly string[], line: number): ExportManifest | AuditFault {
  const bad = (detail: string): AuditFault => ({ problem: 'malformed', id: '', seq: 0, line, detail });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad(`line ${line} is not an export manifest`);
  const m = value as Record<string, unknown>;
  if (m.format !== EXPORT_FORMAT) return bad(`line ${line} is not a ${EXPORT_FORMAT} manifest (format is ${JSON.stringify(m.format ?? null)})`);
  if (m.version !== EXPORT_VERSION) return bad(`unsupported export version ${JSON.stringify(m.version ?? null)} (this verifier reads version ${EXPORT_VERSION})`);
  const problem = rangeProblem(m);
  if (problem) return bad(`the manifest is invalid: ${problem}`);
  let payload: string;
  try {
    payload = manifestPayload(m as unknown as ExportManifest);
  } catch {
    return bad('the manifest is not canonicalizable JSON');
  }
  if (typeof m.signature !== 'string' || !keys.some((k) => verify(k, payload, m.signature as string))) {
    return { problem: 'bad_signature', id: '', seq: 0, line, detail: 'the manifest signature is not valid under the trusted key(s): the file was altered, or it was signed by another key' };
  }
  return m as unknown as ExportManifest;
}
