/**
 * `conclave audit verify | pubkey | export | checkpoint` (AUD-2, AUD-3). Verification is the
 * @conclave/crypto verifier — the same code a third party runs — fed either from the database
 * (read only) or from an export file. Format: docs/AUDIT-FORMAT.md.
 */
import fs from 'node:fs';
import { parsePublicKeys, verifyAuditExportFile, type AuditVerification, type ExportVerification } from '@conclave/crypto';
import { openDatabase, pingDatabase, verifyDatabaseAudit, type DatabaseVerification } from '@conclave/server';
import { CliError, EXIT, usage } from '../errors';
import { loadCliConfig, sqliteFile, withDeployment } from '../deployment';
import { writeJson } from '../output';
import type { CliIO, CommandSpec } from '../spec';

/** Exit code when the audit trail or export does not verify (see EXIT.auditInvalid). */
const FAILED = EXIT.auditInvalid;

function readKeys(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.notFound, `--pubkey: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parsePublicKeys(text);
  } catch (err) {
    throw new CliError(EXIT.invalid, `--pubkey: ${(err as Error).message}`);
  }
}

const when = (at: number) => new Date(at).toISOString();

function describeResult(label: string, r: AuditVerification, ms: number): string {
  const speed = ms > 0 && r.rows > 0 ? `, ${Math.round((r.rows / ms) * 1000).toLocaleString('en-US')} rows/s` : '';
  if (r.ok) {
    const cp = r.checkpoints.latest ? `; latest checkpoint signed ${when(r.checkpoints.latest.at)} covers ${r.checkpoints.latest.count} rows` : '; no checkpoints yet';
    return `${label}: OK — ${r.rows} rows (seq ${r.lastSeq - r.rows + 1}–${r.lastSeq}), ${r.checkpoints.verified} signed checkpoint(s) verified${cp}; head ${r.headHash} (${ms} ms${speed})\n`;
  }
  const f = r.firstBad!;
  const where = `${f.id ? `row ${f.id}` : 'no row'}${f.seq ? ` (seq ${f.seq})` : ''}${f.line !== undefined ? `, line ${f.line}` : ''}`;
  return `${label}: FAILED — ${f.problem.toUpperCase().replace('_', ' ')} at ${where}: ${f.detail}\n  ${r.rows} rows verified before it.\n`;
}

export const auditVerify: CommandSpec = {
  path: ['audit', 'verify'],
  summary: 'Verify the audit trail (database or export file): hashes, links, signed checkpoints.',
  options: {
    export: { type: 'string', placeholder: '<file.jsonl>', description: 'Verify this export file (from `conclave audit export` or the API) instead of the database.' },
    pubkey: { type: 'string', placeholder: '<key.pem>', description: 'Trusted audit public key(s), PEM (from `conclave audit pubkey`). Required with --export; with the database it pins the key instead of trusting the key table.' },
  },
  details: [
    'Recomputes every row hash (SHA-256 over RFC 8785 canonical JSON), checks every link and',
    'seq, every checkpoint signature (Ed25519), and that no signed rows are missing at the end.',
    'The database is only read. On failure it names the first bad row and what is wrong:',
    'altered, missing, inserted, reordered, broken link, truncated, bad signature, malformed.',
    '',
    'Exit 0 when everything verifies, 8 when it does not. With --json: the verification report.',
  ].join('\n'),
  examples: [
    'conclave audit verify --data-dir /var/lib/conclave',
    'conclave audit verify --export audit.jsonl --pubkey audit-key.pem',
  ],
  async run({ values, io, json }) {
    const keyFile = typeof values.pubkey === 'string' ? values.pubkey : undefined;
    if (typeof values.export === 'string') {
      if (!keyFile) throw usage('--pubkey is required with --export: the file\'s signatures prove nothing against a key taken from the file itself');
      return verifyExportFile(values.export, readKeys(keyFile), io, json);
    }
    const config = loadCliConfig(values, io.env);
    const publicKeys = keyFile ? readKeys(keyFile) : undefined;
    const file = sqliteFile(config.databaseUrl);
    if (file !== null && file !== ':memory:' && !fs.existsSync(file)) throw new CliError(EXIT.notFound, `no database at ${file} (wrong --data-dir?)`);
    const database = openDatabase(config.databaseUrl, { schema: config.databaseSchema, poolSize: 2 });
    let report: DatabaseVerification;
    const started = Date.now();
    try {
      if (!(await pingDatabase(database))) throw new CliError(EXIT.unavailable, `database unreachable: ${database.location}`);
      report = await verifyDatabaseAudit(database.db, { publicKeys });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(EXIT.unexpected, `cannot read the audit trail from ${database.location}: ${(err as Error).message}`);
    } finally {
      await database.close();
    }
    const ms = Date.now() - started;
    if (json) writeJson(io.stdout, { ...report, location: database.location, ms });
    else {
      io.stdout.write(`database ${database.location}; checkpoint keys: ${report.keySource === 'given' ? `pinned (${keyFile})` : 'read from the database — pass --pubkey to pin the published key'}\n`);
      if (report.orgs.length === 0) io.stdout.write('no audit rows yet\n');
      for (const o of report.orgs) io.stdout.write(describeResult(`org ${o.orgId}`, o.result, ms));
    }
    return report.ok ? EXIT.ok : FAILED;
  },
};

async function verifyExportFile(file: string, publicKeys: string[], io: CliIO, json: boolean): Promise<number> {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new CliError(EXIT.notFound, `--export: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const started = Date.now();
  // Large files are verified on every core; any doubt re-verifies sequentially (same verdict).
  const r: ExportVerification = await verifyAuditExportFile(file, { publicKeys });
  const ms = Date.now() - started;
  if (json) writeJson(io.stdout, { ...r, file, ms });
  else {
    if (r.manifest) io.stdout.write(`export of org ${r.manifest.org}, seq ${r.manifest.fromSeq}–${r.manifest.toSeq}, made ${when(r.manifest.exportedAt)}, signed by key ${r.manifest.keyFingerprint}\n`);
    io.stdout.write(describeResult(file, r, ms));
  }
  return r.ok ? EXIT.ok : FAILED;
}

export const auditPubkey: CommandSpec = {
  path: ['audit', 'pubkey'],
  summary: 'Print the audit signing public key (PEM) to publish for verifiers.',
  options: {
    all: { type: 'boolean', description: 'Also print retired keys (still needed for old checkpoints).' },
  },
  details: [
    'Creates the key on first use (an audited action). Give the printed key to auditors out of band:',
    '`conclave audit verify --export file --pubkey key.pem` trusts only this key.',
    'With --json: [{"fingerprint", "algorithm", "publicKeyPem", "createdAt", "current"}]; the',
    'fingerprint is SHA-256 of the key\'s DER encoding (as in GET /api/v1/audit/keys).',
  ].join('\n'),
  examples: ['conclave audit pubkey > audit-key.pem', 'conclave audit pubkey --json'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const keys = await withDeployment(config, async (d) => {
      const current = await d.server.audit.keys.current(d.orgId);
      return (await d.server.audit.keys.list()).map((k) => ({ fingerprint: k.fingerprint, algorithm: 'Ed25519' as const, publicKeyPem: k.public_key_pem, createdAt: Number(k.created_at), current: k.id === current.id }));
    });
    const shown = values.all === true ? keys : keys.filter((k) => k.current);
    if (json) writeJson(io.stdout, shown);
    else io.stdout.write(shown.map((k) => k.publicKeyPem.trimEnd()).join('\n') + '\n');
    return EXIT.ok;
  },
};

function seqOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[1-9]\d{0,15}$/.test(v)) throw new CliError(EXIT.invalid, `--${name}: must be a positive integer`);
  return Number(v);
}

function timeOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const t = typeof v === 'string' ? (/^\d+$/.test(v) ? Number(v) : Date.parse(v)) : Number.NaN;
  if (!Number.isSafeInteger(t) || t < 0) throw new CliError(EXIT.invalid, `--${name}: must be an ISO-8601 time or milliseconds since the epoch`);
  return t;
}

export const auditExport: CommandSpec = {
  path: ['audit', 'export'],
  summary: 'Export the audit trail (or a range) as signed JSON Lines for `audit verify --export`.',
  options: {
    out: { type: 'string', placeholder: '<file.jsonl>', description: 'Write to this file (mode 0600) instead of stdout.' },
    'from-seq': { type: 'string', placeholder: '<n>', description: 'First row (default 1).' },
    'to-seq': { type: 'string', placeholder: '<n>', description: 'Last row (default: the current head).' },
    from: { type: 'string', placeholder: '<time>', description: 'Rows from this time (ISO-8601 or ms) — instead of a seq range.' },
    to: { type: 'string', placeholder: '<time>', description: 'Rows up to this time.' },
  },
  details: [
    'The first line is a manifest signed with the audit key (range, head hash, checkpoints); the',
    'rows follow exactly as stored. The export is itself audited (audit.export, actor system/cli).',
    'With --out, prints a summary (with --json: the manifest).',
  ].join('\n'),
  examples: ['conclave audit export --out audit.jsonl', 'conclave audit export --from 2025-01-01 --to 2025-02-01 --out january.jsonl'],
  async run({ values, io, json }) {
    const range = { fromSeq: seqOption(values, 'from-seq'), toSeq: seqOption(values, 'to-seq'), from: timeOption(values, 'from'), to: timeOption(values, 'to') };
    if ((range.fromSeq !== undefined || range.toSeq !== undefined) && (range.from !== undefined || range.to !== undefined)) throw usage('give --from-seq/--to-seq or --from/--to, not both');
    const config = loadCliConfig(values, io.env);
    const out = typeof values.out === 'string' ? values.out : undefined;
    const target = out ? fs.createWriteStream(out, { mode: 0o600 }) : io.stdout;
    const write = (line: string) => new Promise<void>((resolve, reject) => {
      target.write(`${line}\n`, (err) => (err ? reject(err) : resolve()));
    });
    let manifest;
    try {
      manifest = await withDeployment(config, (d) => d.server.audit.actions.exportTo(d.actor, range, write));
    } finally {
      if (out) await new Promise<void>((resolve) => (target as fs.WriteStream).end(resolve));
    }
    if (out) {
      if (json) writeJson(io.stdout, manifest);
      else io.stdout.write(`exported seq ${manifest.fromSeq}–${manifest.toSeq} (${manifest.count} rows, ${manifest.checkpoints.length} checkpoints) to ${out}; head ${manifest.headHash}\n`);
    }
    return EXIT.ok;
  },
};

export const auditCheckpoint: CommandSpec = {
  path: ['audit', 'checkpoint'],
  summary: 'Sign a checkpoint of the audit chain now (e.g. before a backup).',
  options: {},
  details: 'Prints the new checkpoint (or says the latest one already covers the head). With --json: the checkpoint or null.',
  examples: ['conclave audit checkpoint'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const cp = await withDeployment(config, (d) => d.server.audit.checkpoints.checkpoint(d.orgId));
    const wire = cp ? { org: cp.org_id, count: Number(cp.count), headHash: cp.head_hash, at: Number(cp.at), keyFingerprint: cp.key_fingerprint, signature: cp.signature } : null;
    if (json) writeJson(io.stdout, wire);
    else io.stdout.write(wire ? `checkpoint: ${wire.count} rows, head ${wire.headHash}, signed ${when(wire.at)} by ${wire.keyFingerprint}\n` : 'the latest checkpoint already covers the head\n');
    return EXIT.ok;
  },
};

/** The audit commands, for the command table (commands/index.ts). */
export const AUDIT_COMMANDS: CommandSpec[] = [auditVerify, auditPubkey, auditExport, auditCheckpoint];
