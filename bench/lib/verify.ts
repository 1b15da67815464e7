/** Row counts used to check that a benchmark's acknowledged writes really persisted. */
import type { ConclaveServer } from '@conclave/server';

export interface RowCounts { messages: number; auditSendSuccess: number; events: number; userEvents: number }

export async function countRows(server: ConclaveServer): Promise<RowCounts> {
  const db = server.svc.database.db;
  const n = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  return {
    messages: await n(db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
    auditSendSuccess: await n(db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'messages.send').where('outcome', '=', 'success').executeTakeFirst()),
    events: await n(db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
    userEvents: await n(db.selectFrom('user_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
  };
}
