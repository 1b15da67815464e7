/**
 * The real `conclave` binary as a child process against a real deployment: a testkit server
 * (bootstrapped, listening) on a temp data dir, with the CLI writing to the same SQLite file
 * while the server runs — the normal way an operator uses it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConclaveClient } from '@conclave/sdk';
import { runCli, type CliResult } from './run-cli.test-support';
import { startTestServer, type TestServer } from '@conclave/testkit';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const cli = runCli;

/** Asserts the error contract: the exit code, and exactly one `conclave: …` line on stderr. */
function expectError(r: CliResult, code: number, pattern: RegExp): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code, stderr: expect.stringMatching(/^conclave: [^\n]+\n$/) });
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
}

describe('conclave CLI', () => {
  let ts: TestServer;
  let dataDir: string;
  const run = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) => cli(args, { dataDir, ...opts });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-cli-'));
    ts = await startTestServer({ dataDir });
  });

  afterAll(async () => {
    await ts?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a user with --password-stdin, audited as the system actor, who can then log in', async () => {
    const password = 'a-long-enough-cli-password-7';
    const r = await run(['user', 'create', '--email', 'Ada@Example.com', '--name', 'Ada Lovelace', '--role', 'admin', '--password-stdin', '--json'], { input: `${password}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ user: { email: 'ada@example.com', name: 'Ada Lovelace', role: 'admin', status: 'active' }, oneTimePassword: null });

    const login = await new ConclaveClient({ baseUrl: ts.url }).login('ada@example.com', password);
    expect(login.user.id).toBe(out.user.id);

    const audit = await ts.server.svc.database.db.selectFrom('audit_log').selectAll()
      .where('action', '=', 'users.create').where('target_id', '=', out.user.id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: 'system', user_agent: 'cli', outcome: 'success' });
  });

  it('prints the id and a one-time password when no password is given', async () => {
    const r = await run(['user', 'create', '--email', 'bob@example.com', '--name', 'Bob']);
    expect(r.code).toBe(0);
    const [id, otpLine] = r.stdout.trimEnd().split('\n');
    expect(id).toMatch(ULID);
    const otp = /^one-time password: (\S+)/.exec(otpLine ?? '')?.[1];
    expect(otp).toBeDefined();
    const login = await new ConclaveClient({ baseUrl: ts.url }).login('bob@example.com', otp!);
    expect(login.user.id).toBe(id);
  });

  it('rejects a duplicate email (5) and an unknown role naming --role (6)', async () => {
    const [dup, role] = await Promise.all([
      run(['user', 'create', '--email', 'ADA@example.com', '--name', 'Again']),
      run(['user', 'create', '--email', 'eve@example.com', '--name', 'Eve', '--role', 'superuser']),
    ]);
    expectError(dup, 5, /already exists/);
    expectError(role, 6, /--role/);
  });

  it('lists users as JSON', async () => {
    const r = await run(['user', 'list', '--json']);
    expect(r.code).toBe(0);
    const users = JSON.parse(r.stdout) as Array<{ email: string; status: string }>;
    expect(users.map((u) => u.email)).toEqual(expect.arrayContaining(['ada@example.com', 'bob@example.com']));
    expect(users.every((u) => u.status === 'active')).toBe(true);
  });

  it('deactivates by email (0), refuses a second time (5), and reports an unknown user (4)', async () => {
    const first = await run(['user', 'deactivate', 'bob@example.com']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^deactivated bob@example.com/);
    const [again, unknown] = await Promise.all([
      run(['user', 'deactivate', 'bob@example.com']),
      run(['user', 'deactivate', 'nobody@example.com']),
    ]);
    expectError(again, 5, /already deactivated/);
    expectError(unknown, 4, /user not found: nobody@example.com/);
    await expect(new ConclaveClient({ baseUrl: ts.url }).login('bob@example.com', 'whatever-it-was')).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('applies an industry preset as an audited system action, and names an unknown preset (2) (GOV-6)', async () => {
    const r = await run(['org', 'preset', 'manufacturing', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).settings).toMatchObject({ preset: 'manufacturing', directoryVisibility: 'department' });
    expect((await ts.admin.client.org.getSettings()).settings.preset).toBe('manufacturing');
    const rows = await ts.server.svc.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'org.apply_preset').execute();
    expect(rows.map((x) => [x.actor_type, x.user_agent])).toEqual([['system', 'cli']]);
    expectError(await run(['org', 'preset', 'casino']), 2, /unknown preset "casino"/);
  });

  it('reports status: database, organisation, users and the running server', async () => {
    const r = await run(['status', '--url', ts.url, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      database: { reachable: true }, migrations: { state: 'up_to_date', pending: [] },
      org: { id: ts.server.bootstrap.orgId }, users: { active: expect.any(Number), deactivated: 1 },
      server: { url: ts.url, ready: true },
    });
  });

  it('maps usage, configuration and missing-organisation errors to their exit codes', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-cli-empty-'));
    try {
      const [unknownCmd, unknownFlag, missing, badEnv, noOrg, help] = await Promise.all([
        run(['frobnicate']),
        run(['user', 'list', '--everything']),
        run(['user', 'create', '--email', 'x@example.com']),
        run(['user', 'list'], { env: { CONCLAVE_PORT: 'abc' } }),
        cli(['user', 'list'], { dataDir: empty }),
        run(['--help']),
      ]);
      expectError(unknownCmd, 2, /unknown command 'frobnicate'/);
      expectError(unknownFlag, 2, /--everything/);
      expectError(missing, 2, /--name/);
      expectError(badEnv, 3, /CONCLAVE_PORT/);
      expectError(noOrg, 4, /no organisation yet: run `conclave serve` once first/);
      expect(fs.readdirSync(empty)).toEqual([]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Exit codes:[\s\S]*6 {2}invalid input/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
