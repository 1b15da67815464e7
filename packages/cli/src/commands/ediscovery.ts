/**
 * `conclave ediscovery verify <zip> --public-key <pem>` (GOV-5): checks an eDiscovery package
 * offline — the manifest's Ed25519 signature against the published audit key, and every
 * entry's SHA-256 and size — with the @conclave/crypto verifier, the code a third party runs.
 * Needs no database and no server. Format: docs/GOVERNANCE.md, "eDiscovery export".
 */
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { parsePublicKeys, verifyEdiscoveryPackage } from '@conclave/crypto';
import { CliError, EXIT, usage } from '../errors';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';

function readKeys(file: string, flag: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.notFound, `${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parsePublicKeys(text);
  } catch (err) {
    throw new CliError(EXIT.invalid, `${flag}: ${(err as Error).message}`);
  }
}

export const ediscoveryVerify: CommandSpec = {
  path: ['ediscovery', 'verify'],
  summary: 'Verify an eDiscovery export zip offline: manifest signature and every entry hash.',
  args: [{ name: 'zip', required: true, description: 'The package downloaded from the eDiscovery API.' }],
  options: {
    'public-key': { type: 'string', placeholder: '<key.pem>', description: 'Trusted audit public key(s), PEM (from `conclave audit pubkey`).' },
    pubkey: { type: 'string', placeholder: '<key.pem>', description: 'Same as --public-key (the spelling of `audit verify`).' },
  },
  details: [
    'Checks that manifest.json is signed (Ed25519) by the given audit key, that every listed entry is',
    'present with the listed size and SHA-256, that nothing unlisted was added, and that the keyword',
    'digest matches the keywords (the digest is what the audit log recorded for the export).',
    '',
    'Prints OK or every problem found. Exit 0 when it verifies, 8 when it does not.',
    'With --json: {"ok", "problems", "entriesVerified", "keyFingerprint", "exportId", "counts"}.',
  ].join('\n'),
  examples: ['conclave audit pubkey > audit-key.pem', 'conclave ediscovery verify conclave-ediscovery-01J….zip --public-key audit-key.pem'],
  async run({ values, args, io, json }) {
    const file = args[0];
    if (!file) throw usage('give the zip file to verify');
    const flag = typeof values['public-key'] === 'string' ? '--public-key' : '--pubkey';
    const keyFile = (values['public-key'] ?? values.pubkey) as string | undefined;
    if (typeof keyFile !== 'string') throw usage('--public-key is required: a package proves nothing against a key taken from the package itself');
    const keys = readKeys(keyFile, flag);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new CliError(EXIT.notFound, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let entries: Record<string, Uint8Array> | null = null;
    let problems: string[];
    let result: ReturnType<typeof verifyEdiscoveryPackage> | null = null;
    try {
      entries = unzipSync(bytes);
    } catch (err) {
      problems = [`${file} is not a readable zip (${(err as Error).message}): it was truncated or altered`];
    }
    if (entries) {
      result = verifyEdiscoveryPackage(entries, keys);
      problems = result.problems;
    }
    const m = result?.manifest;
    const counts = m && typeof m.counts === 'object' ? (m.counts as Record<string, unknown>) : undefined;
    const ok = !!result?.ok;
    if (json) {
      writeJson(io.stdout, { ok, problems: problems!, entriesVerified: result?.entriesVerified ?? 0, keyFingerprint: result?.keyFingerprint ?? null, exportId: m?.exportId ?? null, counts: counts ?? null });
    } else if (ok) {
      io.stdout.write(`${file}: OK — export ${m!.exportId} of org ${m!.org}: ${String(counts?.messages ?? '?')} messages, ${String(counts?.files ?? '?')} files; `
        + `${result!.entriesVerified} entries match the manifest; signed by audit key ${result!.keyFingerprint}\n`);
    } else {
      io.stdout.write(`${file}: FAILED\n${problems!.map((p) => `  - ${p}`).join('\n')}\n`);
    }
    return ok ? EXIT.ok : EXIT.auditInvalid;
  },
};

export const EDISCOVERY_COMMANDS: CommandSpec[] = [ediscoveryVerify];
