/** `conclave user list`: the organisation's users as a table or JSON. */
import { listUsers, presentUsers } from '@conclave/server';
import { EXIT } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { table, writeJson } from '../output';
import type { CommandSpec } from '../spec';

/** Far above any organisation; the store's default limit is meant for the directory UI. */
const NO_LIMIT = 1_000_000;

export const userList: CommandSpec = {
  path: ['user', 'list'],
  summary: 'List users (active only unless --all).',
  options: {
    all: { type: 'boolean', description: 'Include deactivated users.' },
  },
  details: 'Output: a table with ID, EMAIL, NAME, ROLE, STATUS, MFA. With --json: an array of user objects.',
  examples: ['conclave user list', 'conclave user list --all --json | jq -r \'.[] | select(.role == "admin") | .email\''],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const users = await withDeployment(config, async (d) => {
      const db = d.server.svc.database.db;
      const rows = await listUsers(db, d.orgId, { includeDeactivated: values.all === true, limit: NO_LIMIT });
      return presentUsers(db, rows, d.server.svc.presence, d.server.svc.keys);
    });
    if (json) writeJson(io.stdout, users);
    else io.stdout.write(table(['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'MFA'], users.map((u) => [u.id, u.email, u.name, u.role, u.status, u.mfaEnabled ? 'on' : 'off'])));
    return EXIT.ok;
  },
};
