/** Test support: runs the real `conclave` binary as a child process (used by the CLI suites only). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/conclave.mjs', import.meta.url));

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `conclave args…` with a clean CONCLAVE_* environment pointing at `dataDir`. */
export function runCli(args: string[], opts: { dataDir: string; env?: Record<string, string>; input?: string }): Promise<CliResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CONCLAVE_')));
  Object.assign(env, { CONCLAVE_DATA_DIR: opts.dataDir, CONCLAVE_LOG_LEVEL: 'silent', ...opts.env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
