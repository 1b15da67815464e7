/** `conclave user deactivate` and `conclave user reactivate`. */
import { EXIT } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';
import { resolveUser } from './users';

const USER_ARG = [{ name: 'id|email', required: true, description: 'The user\'s id or email address.' }];

export const userDeactivate: CommandSpec = {
  path: ['user', 'deactivate'],
  summary: 'Offboard a user: revoke sessions, leave conversations, hand over ownership.',
  args: USER_ARG,
  options: {
    'transfer-to': { type: 'string', placeholder: '<id|email>', description: 'Who receives conversations the user alone owned (default: their department manager).' },
  },
  details: [
    'Exit 5 when the user is already deactivated or is the last active owner.',
    'With --json: {"user": {...}, "revokedSessions": n, "removedFrom": n, "transferred": [...]}.',
  ].join('\n'),
  examples: ['conclave user deactivate bob@example.com', 'conclave user deactivate 01J9Z3… --transfer-to ada@example.com'],
  async run({ values, args, io, json }) {
    const config = loadCliConfig(values, io.env);
    const result = await withDeployment(config, async (d) => {
      const user = await resolveUser(d, args[0]!);
      const heir = typeof values['transfer-to'] === 'string' ? (await resolveUser(d, values['transfer-to'])).id : undefined;
      return d.server.users.deactivateUser(d.actor, user.id, heir);
    });
    if (json) writeJson(io.stdout, result);
    else {
      io.stdout.write(`deactivated ${result.user.email} (${result.user.id}): ${result.revokedSessions} session(s) revoked, `
        + `removed from ${result.removedFrom} conversation(s), ${result.transferred.length} ownership transfer(s)\n`);
    }
    return EXIT.ok;
  },
};

export const userReactivate: CommandSpec = {
  path: ['user', 'reactivate'],
  summary: 'Reactivate a deactivated user (no sessions or memberships are restored).',
  args: USER_ARG,
  options: {},
  details: 'Exit 5 when the user is already active. With --json: {"user": {...}}.',
  examples: ['conclave user reactivate bob@example.com'],
  async run({ values, args, io, json }) {
    const config = loadCliConfig(values, io.env);
    const result = await withDeployment(config, async (d) => d.server.users.reactivateUser(d.actor, (await resolveUser(d, args[0]!)).id));
    if (json) writeJson(io.stdout, result);
    else io.stdout.write(`reactivated ${result.user.email} (${result.user.id})\n`);
    return EXIT.ok;
  },
};
