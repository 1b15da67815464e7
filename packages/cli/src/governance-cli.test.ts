/**
 * `conclave governance verify-receipt | retention-run` and `conclave backup create | restore`
 * (GOV-1, GOV-2) as an operator and an auditor use them: the real binary against a real
 * deployment on a temp data dir. A receipt verifies offline against the published audit key
 * and its audit export, and fails (exit 8) once altered; backups hold no key material.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.test-support';
import { startTestServer, type TestServer, type TestUser } from '@conclave/testkit';

describe('conclave governance / backup (CLI)', () => {
  let ts: TestServer;
  let dataDir: string;
  let officer: TestUser;
  const file = (name: string) => path.join(dataDir, name);
  const run = (args: string[]) => runCli(args, { dataDir });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-gov-cli-'));
    ts = await startTestServer({ dataDir, config: { retentionIntervalMs: 0 } });
    officer = await ts.createUser({ role: 'compliance_officer' });
    const bob = await ts.createUser();
    const { conversation } = await bob.client.conversations.create({ kind: 'group', name: 'Short-lived' });
    await bob.client.messages.send(conversation.id, { text: 'soon gone' });
    await officer.client.governance.setPolicy({ scope: 'conversation', target: conversation.id, deleteAfterDays: 1 });
  });

  afterAll(async () => {
    await ts?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('retention-run issues a receipt that verify-receipt accepts with the audit key and export, and rejects once altered', async () => {
    await ts.stop(); // the CLI takes the deployment while the server is down
    const r = await run(['governance', 'retention-run']);
    expect(r.code, r.stderr).toBe(0);
    const receiptId = /receipt ([0-9A-Z]{26})/.exec(r.stdout)![1]!;
    expect(fs.writeFileSync(file('key.pem'), (await run(['audit', 'pubkey'])).stdout)).toBeUndefined();
    expect((await run(['audit', 'export', '--out', file('audit.jsonl')])).code).toBe(0);

    const restarted = await startTestServer({ dataDir, config: { retentionIntervalMs: 0 } });
    try {
      const officerAgain = restarted.client();
      await officerAgain.login(officer.user.email, officer.password);
      fs.writeFileSync(file('receipt.json'), JSON.stringify(await officerAgain.governance.receipt(receiptId)));
    } finally {
      await restarted.stop();
    }
    const ok = await run(['governance', 'verify-receipt', file('receipt.json'), '--pubkey', file('key.pem'), '--audit-export', file('audit.jsonl')]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/: OK — retention .* linked into the audit export/);

    const altered = JSON.parse(fs.readFileSync(file('receipt.json'), 'utf8')) as { receipt: { counts: { messages: number } } };
    altered.receipt.counts.messages += 1;
    fs.writeFileSync(file('altered.json'), JSON.stringify(altered));
    const bad = await run(['governance', 'verify-receipt', file('altered.json'), '--pubkey', file('key.pem')]);
    expect(bad.code).toBe(8);
    expect(bad.stdout).toMatch(/altered/);
    expect((await run(['governance', 'verify-receipt', file('receipt.json')])).code).toBe(2);
  });

  it('backup create writes no key material; restore brings keys from the live deployment', async () => {
    const out = path.join(os.tmpdir(), `conclave-bk-${process.pid}-${Date.now()}`);
    const to = `${out}-restored`;
    try {
      const b = await run(['backup', 'create', out]);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/data keys left out/);
      expect((await run(['backup', 'create', out])).code).toBe(5); // not empty
      const r = await run(['backup', 'restore', out, to]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/data keys from the live deployment, \d+ destroyed since the backup/);
      expect(fs.existsSync(path.join(to, 'conclave.db'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      fs.rmSync(to, { recursive: true, force: true });
    }
  });
});
