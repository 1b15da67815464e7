/**
 * Audit verifier throughput (issue 5, AUD-2/AUD-3: "benchmark it: target ≥ 200k rows/s").
 *
 * Generates `--rows` (default 300 000) synthetic audit rows of one organisation exactly as the
 * server writes them — same columns and value shapes as kernel/audit.ts, hashed with the crypto
 * package's own `auditRowHash`, a checkpoint signed with `signCheckpoint` every
 * `--checkpoint-every` (default 1 000, the server default) rows, and an export file written
 * like modules/audit/export.ts (`signManifest`, then `flatCanonicalJson(row)` per line) — then
 * times, in this process:
 *   (a) `verifyAuditTrail` over the in-memory rows (what `conclave audit verify` does with the
 *       rows read from the database, whose columns it selects in canonical key order);
 *   (b) the export file verified as the CLI does (`conclave audit verify --export`):
 *       `verifyAuditExportFile`, which cuts the file into pieces verified on every core and
 *       joins them in order; (b1) the same file on one thread (`verifyAuditExportStream` over a
 *       1 MiB-read file stream) and (b') through `readline` lines into `verifyAuditExport`;
 *   (c) raw baseline: SHA-256 (node:crypto one-shot, hex) over the same canonical bytes each
 *       row's hash covers — no parsing, no checks.
 * Each is run `--repeat` times (default 3); the best run is reported (the machine is shared).
 * No assertions on time: it prints figures, the raw baseline and the ratio, and as the LAST
 * stdout line one JSON object.
 *
 *   npx tsx bench/audit-verify.ts [--rows 300000] [--repeat 3] [--checkpoint-every 1000]
 */
import * as nodeCrypto from 'node:crypto';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { monotonicFactory } from 'ulid';
import {
  auditRowHash, canonicalJson, flatCanonicalJson, generateSigningKeyPair, GENESIS_HASH, signCheckpoint, signManifest,
  verifyAuditExport, verifyAuditExportFile, verifyAuditExportStream, verifyAuditTrail, type AuditCheckpoint,
} from '@conclave/crypto';

const TARGET = 200_000;

function arg(name: string, dflt: number): number {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  const v = argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : argv[i + 1];
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${v}"`);
  return Math.floor(n);
}

const out = (s = ''): void => { process.stdout.write(s + '\n'); };
const progress = (s: string): void => { process.stderr.write(s + '\n'); };
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function loadAverage(): string {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Synthetic trail, shaped like kernel/audit.ts rows (column order as the table returns them).

const ACTIONS: Array<[action: string, targetType: string | null, details: (r: () => number) => Record<string, unknown>]> = [
  ['message.send', 'conversation', (r) => ({ messageId: ulidAt(r), bytes: Math.floor(r() * 4000), attachments: Math.floor(r() * 3) })],
  ['message.edit', 'message', (r) => ({ conversationId: ulidAt(r), fields: ['body'] })],
  ['auth.login', 'user', (r) => ({ method: r() < 0.8 ? 'password' : 'sso', mfa: r() < 0.6 })],
  ['auth.login.failed', 'user', () => ({ method: 'password' })],
  ['conversation.member.add', 'conversation', (r) => ({ userIds: [ulidAt(r), ulidAt(r)], role: 'member' })],
  ['file.download', 'file', (r) => ({ conversationId: ulidAt(r), size: Math.floor(r() * 5_000_000) })],
  ['admin.user.view', 'user', () => ({ fields: ['profile', 'sessions'] })],
  ['session.revoke', 'session', (r) => ({ userId: ulidAt(r), reason: 'admin' })],
  ['search.query', null, (r) => ({ scope: 'org', results: Math.floor(r() * 50), compliance: r() < 0.1 })],
  ['org.settings.update', 'org', () => ({ fields: ['retention.days', 'dlp.enabled'] })],
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'conclave-sdk/0.1.0 node/20.19.0',
  'cli',
];
const OUTCOMES = ['success', 'success', 'success', 'success', 'success', 'success', 'denied', 'failed'] as const;
const REASONS: Record<string, string | null> = { success: null, denied: 'missing_permission:audit.read', failed: 'bad_password' };

const ulid = monotonicFactory();
const BASE_TIME = 1_730_000_000_000;
function ulidAt(r: () => number): string {
  return ulid(BASE_TIME + Math.floor(r() * 1e9));
}

/** Small deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Trail {
  orgId: string;
  rows: Array<Record<string, unknown>>;
  checkpoints: AuditCheckpoint[];
  publicKeyPem: string;
  privateKeyPem: string;
}

function generate(n: number, every: number): Trail {
  const r = rng(42);
  const orgId = ulid(BASE_TIME);
  const users = Array.from({ length: 500 }, () => ({ id: ulid(BASE_TIME), session: ulid(BASE_TIME), ip: `10.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 254) + 1}`, ua: USER_AGENTS[Math.floor(r() * USER_AGENTS.length)]! }));
  const { publicKeyPem, privateKeyPem } = generateSigningKeyPair();
  const rows: Array<Record<string, unknown>> = [];
  const checkpoints: AuditCheckpoint[] = [];
  let prevHash = GENESIS_HASH;
  let at = BASE_TIME;
  for (let seq = 1; seq <= n; seq++) {
    at += 1 + Math.floor(r() * 50);
    const [action, targetType, details] = ACTIONS[Math.floor(r() * ACTIONS.length)]!;
    const system = r() < 0.05;
    const u = users[Math.floor(r() * users.length)]!;
    const outcome = OUTCOMES[Math.floor(r() * OUTCOMES.length)]!;
    // Same fields, order and value kinds as appendAudit (kernel/audit.ts).
    const row = {
      id: ulid(at),
      org_id: orgId,
      seq,
      at,
      actor_type: system ? 'system' : 'user',
      actor_id: system ? null : u.id,
      session_id: system ? null : u.session,
      ip: system ? null : u.ip,
      user_agent: system ? 'scheduler' : u.ua,
      action,
      target_type: targetType,
      target_id: targetType === null ? null : ulid(at),
      outcome,
      reason: REASONS[outcome] ?? null,
      details: canonicalJson(details(r)),
    };
    const hash = auditRowHash(row, prevHash);
    // Keys in canonical (sorted) order: database mode selects the columns that way
    // (audit.store.ts iterateAuditRows), so these are the objects it verifies.
    const stored: Record<string, unknown> = { ...row, prev_hash: prevHash, hash };
    rows.push(Object.fromEntries(Object.keys(stored).sort().map((k) => [k, stored[k]])));
    prevHash = hash;
    if (seq % every === 0 || seq === n) {
      checkpoints.push(signCheckpoint(privateKeyPem, publicKeyPem, { org: orgId, count: seq, headHash: hash, at: at + 500 }));
    }
  }
  return { orgId, rows, checkpoints, publicKeyPem, privateKeyPem };
}

/** The export file exactly as writeAuditExport (modules/audit/export.ts) writes it. */
function writeExport(t: Trail, file: string): number {
  const manifest = signManifest(t.privateKeyPem, t.publicKeyPem, {
    org: t.orgId, fromSeq: 1, toSeq: t.rows.length, startPrevHash: GENESIS_HASH, headHash: t.rows[t.rows.length - 1]!.hash as string,
    exportedAt: Date.now(), exportedBy: { actorType: 'system', actorId: null }, checkpoints: t.checkpoints,
  });
  const fd = fs.openSync(file, 'w', 0o600);
  let bytes = 0;
  try {
    let buf: string[] = [canonicalJson(manifest)];
    const flush = () => {
      const s = buf.join('\n') + '\n';
      bytes += Buffer.byteLength(s);
      fs.writeSync(fd, s);
      buf = [];
    };
    for (const row of t.rows) {
      buf.push(flatCanonicalJson(row) ?? canonicalJson(row));
      if (buf.length >= 10_000) flush();
    }
    if (buf.length) flush();
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------

async function best(label: string, repeat: number, rows: number, run: () => Promise<void> | void): Promise<number> {
  let bestMs = Infinity;
  for (let i = 0; i < repeat; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    progress(`  ${label} run ${i + 1}/${repeat}: ${ms.toFixed(0)} ms, ${fmt((rows / ms) * 1000)} rows/s`);
    bestMs = Math.min(bestMs, ms);
  }
  return (rows / bestMs) * 1000;
}

async function main(): Promise<void> {
  const n = arg('rows', 300_000);
  const repeat = arg('repeat', 3);
  const every = arg('checkpoint-every', 1000);
  const cpu = os.cpus();
  out('== audit-verify ==');
  out(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`);
  const loadBefore = loadAverage();
  out(`uptime before: ${loadBefore}`);

  progress(`generating ${fmt(n)} rows (checkpoint every ${every})…`);
  const g0 = performance.now();
  const trail = generate(n, every);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-bench-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  try {
    const bytes = writeExport(trail, file);
    out(`trail: ${fmt(n)} rows, ${trail.checkpoints.length} signed checkpoints, export ${(bytes / 2 ** 20).toFixed(1)} MiB (${Math.round(bytes / n)} B/row); generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    // Raw baseline input: the exact bytes each row's hash covers (canonical JSON without "hash").
    const canon: Buffer[] = trail.rows.map((row) => {
      const { hash: _h, ...content } = row;
      return Buffer.from(flatCanonicalJson(content) ?? canonicalJson(content), 'utf8');
    });
    const oneShot = (nodeCrypto as unknown as { hash?: (a: string, d: Uint8Array, e: 'hex') => string }).hash;
    let sink = 0;
    const rawRate = await best('(c) raw sha256', repeat, n, () => {
      if (oneShot) for (const b of canon) sink += oneShot('sha256', b, 'hex').charCodeAt(0);
      else for (const b of canon) sink += nodeCrypto.createHash('sha256').update(b).digest('hex').charCodeAt(0);
    });
    if (sink === 0) out('(unreachable)');

    const publicKeys = [trail.publicKeyPem];
    const memRate = await best('(a) in-memory rows', repeat, n, async () => {
      const r = await verifyAuditTrail(trail.rows, { publicKeys, checkpoints: trail.checkpoints, org: trail.orgId });
      if (!r.ok || r.rows !== n || r.checkpoints.verified !== trail.checkpoints.length) throw new Error(`in-memory verification failed: ${JSON.stringify(r.firstBad ?? r)}`);
    });

    // (b) The export file the way `conclave audit verify --export` reads it: verifyAuditExportFile
    // (pieces verified on every core, joined in order), and (b1) the single-threaded stream.
    // The CLI's default: as many threads as there are idle cores now (audit-export-file.ts).
    const threads = Math.max(1, Math.min(8, Math.round(os.availableParallelism() - os.loadavg()[0]!)));
    const fileHow = `verifyAuditExportFile as the CLI does: ${threads} thread(s) for ${os.availableParallelism()} cores at load ${os.loadavg()[0]!.toFixed(1)}`;
    const fileRate = await best('(b) export file (parallel)', repeat, n, async () => {
      const r = await verifyAuditExportFile(file, { publicKeys });
      if (!r.ok || r.rows !== n) throw new Error(`file verification failed: ${JSON.stringify(r)}`);
    });
    const streamRate = await best('(b1) export file (one thread)', repeat, n, async () => {
      const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
      try {
        const r = await verifyAuditExportStream(stream, { publicKeys });
        if (!r.ok || r.rows !== n) throw new Error(`file verification failed: ${JSON.stringify(r)}`);
      } finally {
        stream.destroy();
      }
    });
    const readlineRate = await best('(b\') export file (readline)', repeat, n, async () => {
      const stream = fs.createReadStream(file, { encoding: 'utf8' });
      const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
      try {
        const r = await verifyAuditExport(lines, { publicKeys });
        if (!r.ok || r.rows !== n) throw new Error(`file verification failed: ${JSON.stringify(r)}`);
      } finally {
        lines.close();
        stream.destroy();
      }
    });

    const loadAfter = loadAverage();
    const ratio = memRate / rawRate;
    out('');
    out(`(a) verifier, in-memory rows (verifyAuditTrail):         ${fmt(memRate).padStart(9)} rows/s  (${(1e6 / memRate).toFixed(2)} µs/row)`);
    out(`(b) verifier, export file (${fileHow}): ${fmt(fileRate)} rows/s  (${(1e6 / fileRate).toFixed(2)} µs/row)`);
    out(`(b1) verifier, export file on one thread (fs.createReadStream 1 MiB reads → verifyAuditExportStream): ${fmt(streamRate)} rows/s  (${(1e6 / streamRate).toFixed(2)} µs/row)`);
    out(`(b') verifier, export file via readline lines (verifyAuditExport): ${fmt(readlineRate)} rows/s`);
    out(`(c) raw baseline, SHA-256 over the same canonical bytes:  ${fmt(rawRate).padStart(9)} rows/s  (${(1e6 / rawRate).toFixed(2)} µs/row)`);
    out(`ratio verifier ÷ raw (raw is one thread): in-memory ${(ratio * 100).toFixed(0)} %, file ${((fileRate / rawRate) * 100).toFixed(0)} % (one thread ${((streamRate / rawRate) * 100).toFixed(0)} %)`);
    const verdict = (rate: number) => (rate >= TARGET ? 'met' : `MISSED by ${fmt(TARGET - rate)} rows/s`);
    out(`target ≥ ${fmt(TARGET)} rows/s: in-memory ${verdict(memRate)}; file ${verdict(fileRate)}`);
    out(`uptime after: ${loadAfter}`);
    out(JSON.stringify({
      bench: 'audit-verify', rows: n, rowsPerSec: Math.round(memRate), fileRowsPerSec: Math.round(fileRate), fileOneThreadRowsPerSec: Math.round(streamRate), threads, rawRowsPerSec: Math.round(rawRate),
      ratio: Math.round(ratio * 1000) / 1000, readlineRowsPerSec: Math.round(readlineRate), checkpoints: trail.checkpoints.length,
      loadBefore: os.loadavg()[0] !== undefined ? loadBefore.replace(/^.*load average:\s*/, '') : null, loadAfter: loadAfter.replace(/^.*load average:\s*/, ''),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`audit-verify: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
