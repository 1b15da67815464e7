/** `conclave user create`: add a user, with a password from stdin or a generated one-time password. */
import { endpoints } from '@conclave/protocol';
import { CliError, EXIT, flagMessage } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { writeJson } from '../output';
import { readSecret } from '../stdin';
import type { CommandSpec } from '../spec';

export const userCreate: CommandSpec = {
  path: ['user', 'create'],
  summary: 'Create a user (one-time password unless --password-stdin).',
  options: {
    email: { type: 'string', placeholder: '<address>', description: 'Email address (login name); stored in lower case.', required: true },
    name: { type: 'string', placeholder: '<name>', description: 'Display name.', required: true },
    role: { type: 'string', placeholder: '<role>', description: 'Organisation role: owner, admin, member, guest or a custom role (default member).' },
    clearance: { type: 'string', placeholder: '<level>', description: 'Confidentiality clearance (default: the organisation\'s default level).' },
    'password-stdin': { type: 'boolean', description: 'Read the password from stdin (trailing newline removed). It must meet the password policy.' },
  },
  details: [
    'Without --password-stdin a one-time password is generated and printed once; the user must',
    'change it at first login. With --password-stdin the password is kept as given.',
    '',
    'Output: the new user\'s id on the first line, then (if generated) "one-time password: <pw>".',
    'With --json: {"user": {...}, "oneTimePassword": "<pw>" | null}.',
  ].join('\n'),
  examples: [
    'conclave user create --email ada@example.com --name "Ada Lovelace" --role admin',
    'printf %s "$PASSWORD" | conclave user create --email bob@example.com --name Bob --password-stdin --json',
  ],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const input = {
      email: values.email, name: values.name, role: values.role ?? 'member',
      ...(values.clearance !== undefined ? { clearance: values.clearance } : {}),
    };
    let body = parseBody(input);
    if (values['password-stdin']) {
      const password = await readSecret(io, 'Password: ');
      if (password === '') throw new CliError(EXIT.invalid, 'password: stdin was empty');
      body = parseBody({ ...input, password });
    }
    const result = await withDeployment(config, (d) => d.server.users.createUser(d.actor, body));
    if (json) writeJson(io.stdout, result);
    else {
      io.stdout.write(`${result.user.id}\n`);
      if (result.oneTimePassword) io.stdout.write(`one-time password: ${result.oneTimePassword}   (shown once; must be changed at first login)\n`);
    }
    return EXIT.ok;
  },
};

/** Validates like the HTTP API does; exit 6 naming the flag of the first invalid field. */
function parseBody(input: Record<string, unknown>) {
  const r = endpoints.createUser.body.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new CliError(EXIT.invalid, flagMessage(`${String(issue.path[0] ?? 'input')}: ${issue.message}`));
}
