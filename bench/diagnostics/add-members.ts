/**
 * Diagnostic (not part of `npm run bench`): reproduces the cost of adding members to a
 * channel through the API, which grows with (new members × channel size) because every new
 * member gets its own `member.added` event delivered to every member.
 *   npx tsx bench/diagnostics/add-members.ts [--quick] [--profile]
 */
import '../lib/env';
import { ConclaveClient } from '@conclave/sdk';
import { startTestServer } from '@conclave/testkit';
import { bulkCreateUsers } from '../lib/bulk-users';
import { profileStart, profileStop } from '../lib/child';
import { installSqlTiming, resetSqlTiming, sqlTimingReport } from '../lib/sql-timing';

async function main(): Promise<void> {
  installSqlTiming();
  const ts = await startTestServer({ dialect: 'sqlite' });
  try {
    const users = await bulkCreateUsers(ts.server, ts.server.bootstrap.orgId, 1400);
    const admin = new ConclaveClient({ baseUrl: ts.url, token: ts.admin.client.token!, timeoutMs: 600_000 });
    const { conversation } = await admin.conversations.create({ kind: 'channel', name: 'probe' });
    const db = ts.server.svc.database.db;
    const userEvents = async () => Number((await db.selectFrom('user_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    for (const [a, b] of (process.argv.includes('--quick') ? [[0, 200], [200, 1200]] : [[0, 100], [100, 200], [200, 1200]]) as Array<[number, number]>) {
      const before = await userEvents();
      const t0 = performance.now();
      await admin.conversations.addMembers(conversation.id, users.slice(a, b).map((u) => u.id));
      process.stdout.write(`addMembers(${b - a}) → channel of ${b + 1}: ${(performance.now() - t0).toFixed(0)} ms, ${(await userEvents()) - before} user_events rows\n`);
    }
    resetSqlTiming();
    if (process.argv.includes('--profile')) await profileStart();
    const t0 = performance.now();
    const pending = admin.conversations.addMembers(conversation.id, users.slice(1200, 1400).map((u) => u.id));
    // Probe responsiveness while the add runs: a small authenticated GET every 100 ms.
    let done = false;
    void pending.finally(() => { done = true; });
    const probes: number[] = [];
    while (!done) {
      const t1 = performance.now();
      await admin.me.get();
      probes.push(performance.now() - t1);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stdout.write(`GET /api/v1/me every 100 ms during that add: ${probes.length} probes, max ${Math.max(...probes).toFixed(0)} ms, median ${probes.sort((a, b) => a - b)[probes.length >> 1]!.toFixed(0)} ms\n`);
    await pending;
    process.stdout.write(`(that addMembers(200) → channel of 1401 took ${(performance.now() - t0).toFixed(0)} ms)\n`);
    await new Promise((r) => setTimeout(r, 3000)); // after-commit publishing
    if (process.argv.includes('--profile')) process.stdout.write(`profile: ${await profileStop(`bench/profiles/add-members-${Date.now()}.cpuprofile`)}\n`);
    process.stdout.write(`${sqlTimingReport(8)}\n`);
    admin.close();
  } finally {
    await ts.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
