/**
 * `conclave governance verify-receipt | retention-run` and `conclave backup create | restore`
 * (GOV-1, GOV-2). Receipt verification is the @conclave/crypto verifier — what a third party
 * runs — against a trusted audit public key, optionally with an audit export to check that the
 * receipt is linked into the chain. Format: docs/GOVERNANCE.md.
 */
import fs from 'node:fs';
import { parsePublicKeys, verifyDeletionReceipt } from '@conclave/crypto';
import { createBackup, restoreBackup, systemActor } from '@conclave/server';
import { CliError, EXIT, usage } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';

function readFile(what: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.notFound, `${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Audit rows of a JSON Lines export (the first line is its manifest and is skipped). */
function exportRows(text: string): Array<{ details?: unknown }> {
  return text.split('\n').slice(1).filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as { details?: unknown };
    } catch {
      throw new CliError(EXIT.invalid, `--audit-export: line ${i + 2} is not JSON`);
    }
  });
}

export const governanceVerifyReceipt: CommandSpec = {
  path: ['governance', 'verify-receipt'],
  summary: 'Check a signed deletion receipt offline: hash, Ed25519 signature, and optionally its audit-chain link.',
  args: [{ name: 'receipt.json', required: true, description: 'The receipt as returned by GET /api/v1/governance/receipts/:id.' }],
  options: {
    pubkey: { type: 'string', placeholder: '<key.pem>', description: 'Trusted audit public key(s), PEM (from `conclave audit pubkey`).', required: true },
    'audit-export': { type: 'string', placeholder: '<file.jsonl>', description: 'An audit export (verify it with `conclave audit verify --export`) that must hold the row carrying this receipt\'s hash.' },
  },
  details: 'Exit 0 when the receipt verifies, 8 when it does not (altered, wrong key, not linked). With --json: the check report.',
  examples: ['conclave governance verify-receipt receipt.json --pubkey audit-key.pem --audit-export audit.jsonl'],
  async run({ values, args, io, json }) {
    if (typeof values.pubkey !== 'string') throw usage('--pubkey is required: a receipt proves nothing against a key taken from the receipt itself');
    let keys: string[];
    try {
      keys = parsePublicKeys(readFile('--pubkey', values.pubkey));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(EXIT.invalid, `--pubkey: ${(err as Error).message}`);
    }
    let receipt: unknown;
    try {
      receipt = JSON.parse(readFile('receipt', args[0]!));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(EXIT.invalid, `${args[0]} is not JSON`);
    }
    const rows = typeof values['audit-export'] === 'string' ? exportRows(readFile('--audit-export', values['audit-export'])) : undefined;
    const check = verifyDeletionReceipt(receipt, keys, rows);
    if (json) writeJson(io.stdout, check);
    else if (check.ok) {
      const r = (receipt as { receipt: { id: string; kind: string; issuedAt: number; counts: Record<string, number> } }).receipt;
      io.stdout.write(`receipt ${r.id}: OK — ${r.kind} at ${new Date(r.issuedAt).toISOString()}, signed by ${check.keyFingerprint}${rows ? ', linked into the audit export' : ''}; ${r.counts.messages} messages, ${r.counts.files} files, ${r.counts.keysDestroyed} keys destroyed\n`);
    } else io.stdout.write(`receipt: FAILED\n${check.problems.map((p) => `  - ${p}\n`).join('')}`);
    return check.ok ? EXIT.ok : EXIT.auditInvalid;
  },
};

export const governanceRetentionRun: CommandSpec = {
  path: ['governance', 'retention-run'],
  summary: 'Run retention now (as the system actor, audited) and print the run and its receipt id.',
  options: {},
  details: 'Deletes what the retention policies expire, in batches, respecting legal holds; issues a signed receipt.',
  examples: ['conclave governance retention-run --data-dir /var/lib/conclave'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const run = await withDeployment(config, async (d) => {
      const started = await d.server.governance.retention.start(systemActor(d.orgId, 'cli'), 'manual');
      await d.server.governance.retention.idle(d.orgId);
      return (await d.server.governance.runById(d.orgId, started.id))!;
    });
    if (json) writeJson(io.stdout, run);
    else io.stdout.write(`retention run ${run.id}: ${run.status} — ${run.counts.messages} messages, ${run.counts.files} files, ${run.counts.keysDestroyed} keys destroyed, ${run.counts.heldKept} held items kept; receipt ${run.receiptId}\n`);
    return run.status === 'completed' ? EXIT.ok : EXIT.unexpected;
  },
};

export const backupCreate: CommandSpec = {
  path: ['backup', 'create'],
  summary: 'Write a key-less backup (database + encrypted blobs, no data keys) into an empty directory.',
  options: {},
  args: [{ name: 'dir', required: true, description: 'Where to write the backup (must be empty or absent).' }],
  details: 'SQLite deployments with local blobs. The backup holds no key material: restoring takes keys from the live deployment, so content shredded since the backup stays unreadable (GOV-2).',
  examples: ['conclave backup create /backups/conclave-2026-11-23 --data-dir /var/lib/conclave'],
  async run({ values, args, io, json }) {
    const config = loadCliConfig(values, io.env);
    let manifest;
    try {
      manifest = createBackup(config, args[0]!);
    } catch (err) {
      throw new CliError(EXIT.conflict, `backup: ${(err as Error).message}`);
    }
    if (json) writeJson(io.stdout, manifest);
    else io.stdout.write(`backup written to ${args[0]}: database, ${manifest.blobs ? 'blobs, ' : ''}${manifest.keysOmitted} data keys left out\n`);
    return EXIT.ok;
  },
};

export const backupRestore: CommandSpec = {
  path: ['backup', 'restore'],
  summary: 'Restore a backup into a new data directory, with data keys from the live deployment.',
  options: {},
  args: [
    { name: 'backup-dir', required: true, description: 'A directory written by `conclave backup create`.' },
    { name: 'new-data-dir', required: true, description: 'The empty directory to restore into.' },
  ],
  details: 'The live deployment is named by --data-dir / CONCLAVE_* as usual; it is only read. Keys destroyed there stay destroyed in the copy.',
  examples: ['conclave backup restore /backups/conclave-2026-11-23 /srv/conclave-restored --data-dir /var/lib/conclave'],
  async run({ values, args, io, json }) {
    const config = loadCliConfig(values, io.env);
    let result;
    try {
      result = restoreBackup(args[0]!, args[1]!, config);
    } catch (err) {
      throw new CliError(EXIT.conflict, `restore: ${(err as Error).message}`);
    }
    if (json) writeJson(io.stdout, result);
    else io.stdout.write(`restored into ${args[1]}: ${result.keysRestored} data keys from the live deployment, ${result.keysGone} destroyed since the backup (their content stays unreadable)\n`);
    return EXIT.ok;
  },
};

export const GOVERNANCE_COMMANDS: CommandSpec[] = [governanceVerifyReceipt, governanceRetentionRun, backupCreate, backupRestore];
