/** Test support for governance.test.ts: present raw message rows through the server's own presenter. */
import type { ConclaveServer } from '@conclave/server';
import type { MessageRow } from '../src/modules/messages/messages.store';
import { presentMessages } from '../src/modules/messages/messages.presenter';

export function presentMessagesForTest(server: ConclaveServer, rows: MessageRow[]) {
  return presentMessages(server.svc.database.db, server.svc.keys, rows);
}
