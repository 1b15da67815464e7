/**
 * `conclave audit pubkey | checkpoint | export | verify` as an auditor uses them (AUD-2, AUD-3):
 * the real binary as a child process against a real deployment on a temp data dir. The
 * auditor exports (CLI and API), keeps the published key, and later verifies the export and
 * the live SQLite database — after someone altered one row of each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFingerprint } from '@conclave/crypto';
import { runCli, type CliResult } from './run-cli.test-support';
import { startTestServer, type TestServer, type TestUser } from '@conclave/testkit';


const cli = (args: string[], dataDir: string): Promise<CliResult> => runCli(args, { dataDir });

describe('conclave audit (CLI, offline verifier)', () => {
  let ts: TestServer;
  let dataDir: string;
  let auditor: TestUser;
  const file = (name: string) => path.join(dataDir, name);
  const run = (args: string[]) => cli(args, dataDir);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-audit-cli-'));
    ts = await startTestServer({ dataDir });
    auditor = await ts.createUser({ role: 'auditor' });
    const bob = await ts.createUser();
    const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'Audited' });
    for (let i = 0; i < 10; i++) await bob.client.messages.send(conversation.id, { text: `m${i}` });
  });

  afterAll(async () => {
    await ts?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pubkey prints the published key, whose fingerprint the admin API shows', async () => {
    const r = await run(['audit', 'pubkey']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    fs.writeFileSync(file('key.pem'), r.stdout);
    const { keys } = await auditor.client.http.request('listAuditKeys');
    expect(keys.find((k) => k.current)!.fingerprint).toBe(publicKeyFingerprint(r.stdout));
    const json = JSON.parse((await run(['audit', 'pubkey', '--json'])).stdout) as Array<{ fingerprint: string }>;
    expect(json[0]!.fingerprint).toBe(keys[0]!.fingerprint);
  });

  it('checkpoint, export and verify: an intact export and the live database verify (exit 0)', async () => {
    const cp = await run(['audit', 'checkpoint']);
    expect(cp.code).toBe(0);
    expect(cp.stdout).toMatch(/^checkpoint: \d+ rows, head [0-9a-f]{64}, signed /);
    const ex = await run(['audit', 'export', '--out', file('cli.jsonl')]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toMatch(/^exported seq 1–\d+ \(\d+ rows, 1 checkpoints\) to /);
    expect(fs.statSync(file('cli.jsonl')).mode & 0o777).toBe(0o600);

    const v = await run(['audit', 'verify', '--export', file('cli.jsonl'), '--pubkey', file('key.pem')]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/: OK — \d+ rows \(seq 1–\d+\), 1 signed checkpoint\(s\) verified/);

    // The same from an API export.
    const api = await auditor.client.http.request('exportAudit', { body: { fromSeq: 3 } });
    fs.writeFileSync(file('api.jsonl'), api.jsonl);
    const va = await run(['audit', 'verify', '--export', file('api.jsonl'), '--pubkey', file('key.pem'), '--json']);
    expect(va.code).toBe(0);
    expect(JSON.parse(va.stdout)).toMatchObject({ ok: true, manifest: { fromSeq: 3 } });

    const db = await run(['audit', 'verify', '--pubkey', file('key.pem')]);
    expect(db.code, db.stdout + db.stderr).toBe(0);
    expect(db.stdout).toMatch(/checkpoint keys: pinned/);
    expect(db.stdout).toMatch(/: OK — /);
  });

  it('an export with one altered row fails (exit 8) naming the row id and its line; a cut file names the line', async () => {
    const lines = fs.readFileSync(file('cli.jsonl'), 'utf8').split('\n');
    const row = JSON.parse(lines[5]!) as { id: string; seq: number; outcome: string };
    lines[5] = JSON.stringify({ ...row, outcome: row.outcome === 'success' ? 'failed' : 'success' });
    fs.writeFileSync(file('altered.jsonl'), lines.join('\n'));
    const r = await run(['audit', 'verify', '--export', file('altered.jsonl'), '--pubkey', file('key.pem')]);
    expect(r.code).toBe(8);
    expect(r.stdout).toContain(`FAILED — ALTERED at row ${row.id} (seq ${row.seq}), line 6`);

    const text = fs.readFileSync(file('cli.jsonl'), 'utf8');
    fs.writeFileSync(file('cut.jsonl'), text.slice(0, Math.floor(text.length * 0.6)));
    const c = await run(['audit', 'verify', '--export', file('cut.jsonl'), '--pubkey', file('key.pem'), '--json']);
    expect(c.code).toBe(8);
    const rep = JSON.parse(c.stdout) as { firstBad: { problem: string; line: number } };
    expect(rep.firstBad.problem).toBe('malformed');
    expect(rep.firstBad.line).toBeGreaterThan(1);

    // Another key: the manifest signature does not verify.
    fs.writeFileSync(file('other.pem'), (await import('@conclave/crypto')).generateSigningKeyPair().publicKeyPem);
    const k = await run(['audit', 'verify', '--export', file('cli.jsonl'), '--pubkey', file('other.pem')]);
    expect(k.code).toBe(8);
    expect(k.stdout).toContain('BAD SIGNATURE');
  });

  it('bad input: --export without --pubkey, a missing file, a private key as --pubkey', async () => {
    const a = await run(['audit', 'verify', '--export', file('cli.jsonl')]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/^conclave: .*--pubkey is required/);
    const b = await run(['audit', 'verify', '--export', file('nope.jsonl'), '--pubkey', file('key.pem')]);
    expect(b.code).toBe(4);
    fs.writeFileSync(file('private.pem'), (await import('@conclave/crypto')).generateSigningKeyPair().privateKeyPem);
    const c = await run(['audit', 'verify', '--export', file('cli.jsonl'), '--pubkey', file('private.pem')]);
    expect(c.code).toBe(6);
    expect(c.stderr).toMatch(/PRIVATE KEY/);
    const d = await run(['audit', 'export', '--from-seq', '0']);
    expect(d.code).toBe(6);
  });

  it('one row altered directly in the SQLite database: verify exits 8 and names the row', async () => {
    await ts.stop();
    const sqlite = new Database(path.join(dataDir, 'conclave.db'));
    let victim: { id: string; seq: number };
    try {
      sqlite.exec('DROP TRIGGER audit_log_no_update');
      victim = sqlite.prepare("SELECT id, seq FROM audit_log WHERE action = 'messages.send' ORDER BY seq LIMIT 1 OFFSET 3").get() as { id: string; seq: number };
      sqlite.prepare("UPDATE audit_log SET ip = '203.0.113.9' WHERE id = ?").run(victim.id);
    } finally {
      sqlite.close();
    }
    for (const extra of [[], ['--pubkey', file('key.pem')]]) {
      const r = await run(['audit', 'verify', ...extra]);
      expect(r.code, r.stdout + r.stderr).toBe(8);
      expect(r.stdout).toContain(`FAILED — ALTERED at row ${victim.id} (seq ${victim.seq}): stored hash does not match the row's content`);
      expect(r.stdout).toContain(`${victim.seq - 1} rows verified before it`);
    }
    const j = JSON.parse((await run(['audit', 'verify', '--json'])).stdout) as { ok: boolean; orgs: Array<{ result: { firstBad: { id: string; problem: string } } }> };
    expect(j.ok).toBe(false);
    expect(j.orgs[0]!.result.firstBad).toMatchObject({ id: victim.id, problem: 'altered' });
  });
});
