/**
 * Runs a benchmark server in a child process (its own heap, event loop and, mostly, its own
 * core) and talks to it over IPC. Used where sharing one event loop with thousands of clients
 * would distort the figure (fan-out, idle memory, catch-up). The child's output goes to our
 * stderr, so it never mixes with the results on stdout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Give up waiting for "ready" after this many ms. */
  startTimeoutMs?: number;
}

export interface BenchChild<Info> {
  info: Info;
  pid: number;
  request<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks the child to clean up and exit; kills it (by pid) if it does not within the grace. */
  close(graceMs?: number): Promise<void>;
}

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

export async function startChild<Info>(script: string, opts: ChildOptions = {}): Promise<BenchChild<Info>> {
  const child: ChildProcess = fork(path.join(BENCH_DIR, 'lib', script), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc', ...(opts.nodeArgs ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (d: Buffer) => process.stderr.write(d));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    for (const p of pending.values()) { clearTimeout(p.timer); p.reject(new Error(`${script} exited`)); }
    pending.clear();
    resolve();
  }));

  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${opts.startTimeoutMs ?? 60_000} ms`)), opts.startTimeoutMs ?? 60_000);
    child.on('message', (m: { type?: string; info?: Info; error?: string } & Partial<Reply>) => {
      if (m.type === 'ready') { clearTimeout(timer); resolve(m.info as Info); return; }
      if (m.type === 'fatal') { clearTimeout(timer); reject(new Error(`${script}: ${m.error}`)); return; }
      if (typeof m.id === 'number') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.result); else p.reject(new Error(`${script}: ${m.error}`));
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code} before it was ready`)); });
  }).catch((err) => { if (!exited) child.kill('SIGKILL'); throw err; });

  let nextId = 1;
  return {
    info,
    pid: child.pid!,
    request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${script} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${script}: "${cmd}" timed out after ${timeoutMs} ms`)); }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, cmd, ...args });
      });
    },
    async close(graceMs = 20_000) {
      if (exited) return;
      try { child.send({ id: 0, cmd: 'close' }); } catch { /* already gone */ }
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, graceMs);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Child side: wires request handlers to IPC and exits cleanly when the parent goes away. */
export function serveIpc(handlers: Record<string, (args: Record<string, unknown>) => Promise<unknown>>, onClose: () => Promise<void>): void {
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try { await onClose(); } catch (err) { process.stderr.write(`cleanup failed: ${String(err)}\n`); }
    process.exit(0);
  };
  process.on('disconnect', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('message', (m: { id: number; cmd: string } & Record<string, unknown>) => {
    if (m.cmd === 'close') return void shutdown();
    if (m.cmd === 'cpu') return process.send!({ id: m.id, ok: true, result: process.cpuUsage() });
    const h = handlers[m.cmd] ?? builtin[m.cmd];
    if (!h) return process.send!({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
    h(m).then(
      (result) => process.send!({ id: m.id, ok: true, result }),
      (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
}

let inspector: Session | null = null;

/** Commands every child understands: CPU profiling of just the measured phase. */
const builtin: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
  'profile-start': async () => { await profileStart(); return { ok: true }; },
  'profile-stop': async (a) => ({ file: await profileStop(String(a.file)) }),
};

/** Starts sampling this process's CPU (200 µs interval) until profileStop. */
export async function profileStart(): Promise<void> {
  inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
  await inspector.post('Profiler.start');
}

/** Stops sampling and writes a .cpuprofile (open in Chrome DevTools or lib/profile-summary.ts). */
export async function profileStop(file: string): Promise<string> {
  if (!inspector) throw new Error('profiler not started');
  const { profile } = await inspector.post('Profiler.stop');
  inspector.disconnect();
  inspector = null;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** process.memoryUsage() after two full GCs (the child runs with --expose-gc). */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}
