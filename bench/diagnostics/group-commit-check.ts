/**
 * Diagnostic (not run by npm run bench): group commit under mixed success and failure. Many sends
 * in flight, every third one refers to a missing thread root (fails inside the action, after its
 * access check and audit-relevant reads), so groups contain failing actions that must roll back to
 * their savepoint alone. Checks afterwards: every acknowledged send has its message and success audit
 * row, every failure has its failure audit row and no message, per-user seqs are 1..n without gaps,
 * and the audit chain verifies.  npx tsx bench/diagnostics/group-commit-check.ts [--dialect postgres]
 */
import '../lib/env';
import { startTestServer } from '@conclave/testkit';
import { verifyDatabaseAudit } from '@conclave/server';
import { dialectArg, parseArgs } from '../lib/args';
import { preparePostgres } from '../lib/pg-bench';
import { bulkCreateUsers } from '../lib/bulk-users';
import { actorForToken } from '../lib/direct';

const dialect = dialectArg(parseArgs());
if (dialect === 'postgres') await preparePostgres();
const ts = await startTestServer({ dialect });
const [u] = await bulkCreateUsers(ts.server, ts.server.bootstrap.orgId, 1);
const { conversation } = await ts.admin.client.conversations.create({ kind: 'channel', name: 'gc', memberIds: [u!.id] });
const actor = await actorForToken(ts.server, ts.admin.client.token!);
const r = ts.server.routes.find((x) => x.endpoint === 'sendMessage')!;
const send = (body: Record<string, unknown>) => r.handler({ actor, params: { id: conversation.id }, query: undefined, body } as never);
const db = ts.server.svc.database.db;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const count = async (sqlWhere: (q: any) => any) => Number((await sqlWhere(db.selectFrom('audit_log').select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow()).n);
const msgs0 = Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow()).n);
const ok0 = await count((q) => q.where('action', '=', 'messages.send').where('outcome', '=', 'success'));
const bad0 = await count((q) => q.where('action', '=', 'messages.send').where('outcome', '!=', 'success'));
let ok = 0, bad = 0, other = 0;
const N = 600;
await Promise.all(Array.from({ length: N }, async (_, i) => {
  try {
    await send(i % 3 === 2 ? { text: `bad ${i}`, clientId: `gc-${i}`, threadRootId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } : { text: `ok ${i}`, clientId: `gc-${i}` });
    ok++;
  } catch (e) {
    if ((e as { code?: string }).code === 'not_found') bad++; else { other++; console.error(e); }
  }
}));
const msgs = Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow()).n) - msgs0;
const okAudit = (await count((q) => q.where('action', '=', 'messages.send').where('outcome', '=', 'success'))) - ok0;
const badAudit = (await count((q) => q.where('action', '=', 'messages.send').where('outcome', '!=', 'success'))) - bad0;
const seqs = await db.selectFrom('user_events').select(['user_id', 'seq']).orderBy('user_id').orderBy('seq').execute();
let gaps = 0;
const byUser = new Map<string, number[]>();
for (const s of seqs) byUser.set(s.user_id, [...(byUser.get(s.user_id) ?? []), Number(s.seq)]);
for (const list of byUser.values()) list.forEach((v, i) => { if (v !== i + 1) gaps++; });
const cursors = await db.selectFrom('user_cursors').select(['user_id', 'last_seq']).execute();
const cursorMismatch = cursors.filter((c) => (byUser.get(c.user_id)?.length ?? 0) !== Number(c.last_seq)).length;
const positions = (await db.selectFrom('messages').select('position').where('conversation_id', '=', conversation.id).orderBy('position').execute()).map((p) => Number(p.position));
const posGaps = positions.filter((p, i) => p !== i + 1).length;
const v = await verifyDatabaseAudit(db);
console.log(JSON.stringify({ dialect, sent: N, ok, bad, other, msgs, okAudit, badAudit, users: byUser.size, seqGaps: gaps, cursorMismatch, posGaps, audit: { ok: v.ok, rows: (v as any).rows ?? (v as any).count, firstBad: (v as any).firstBad ?? null } }));
const pass = other === 0 && msgs === ok && okAudit === ok && badAudit === bad && gaps === 0 && cursorMismatch === 0 && posGaps === 0 && v.ok;
console.log(pass ? 'PASS' : 'FAIL');
await ts.close();
process.exit(pass ? 0 : 1);
