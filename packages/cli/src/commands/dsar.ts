/**
 * `conclave dsar list` (GOV-3): the organisation's data-subject requests with their deadlines,
 * for operators and compliance scripts. It runs the server's own `listDsarRequests` route
 * handler as the CLI's system actor, so the listing is the API's (same presenter, same
 * deadline state) and is audited (`dsar.list`, actor_type system, label cli).
 */
import { DsarKind, DsarStatus, type DsarRequest, type ResponseOf } from '@conclave/protocol';
import { CliError, EXIT, usage } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { table, writeJson } from '../output';
import type { CommandSpec } from '../spec';

const PAGE = 500;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const dsarList: CommandSpec = {
  path: ['dsar', 'list'],
  summary: 'List data-subject requests (export / erasure) with status and deadline.',
  options: {
    status: { type: 'string', placeholder: '<status>', description: `Only this status: ${DsarStatus.options.join(', ')}.` },
    kind: { type: 'string', placeholder: '<kind>', description: `Only this kind: ${DsarKind.options.join(', ')}.` },
    late: { type: 'boolean', description: 'Only open requests due within 7 days or overdue.' },
  },
  details: [
    'Output: a table with ID, KIND, STATUS, REQUESTER, OPENED, DUE, DEADLINE (on_track, due_soon,',
    'overdue; "-" once closed), newest first. With --json: an array of request objects as the API',
    'returns them (GET /api/v1/dsar/requests). The listing is audited.',
  ].join('\n'),
  examples: ['conclave dsar list --status open', 'conclave dsar list --late --json | jq -r \'.[] | "\\(.id) \\(.deadline)"\''],
  async run({ values, io, json }) {
    const status = values.status === undefined ? undefined : DsarStatus.safeParse(values.status);
    if (status && !status.success) throw usage(`--status: must be one of ${DsarStatus.options.join(', ')}`);
    const kind = values.kind === undefined ? undefined : DsarKind.safeParse(values.kind);
    if (kind && !kind.success) throw usage(`--kind: must be one of ${DsarKind.options.join(', ')}`);
    const config = loadCliConfig(values, io.env);
    let requests = await withDeployment(config, async (d) => {
      const route = d.server.routes.find((r) => r.endpoint === 'listDsarRequests');
      if (!route) throw new CliError(EXIT.unexpected, 'this server has no data-subject request module');
      const out: DsarRequest[] = [];
      let cursor: string | undefined;
      do {
        const page = (await route.handler({
          actor: d.actor, params: undefined, body: undefined,
          // The table's handler type is the union of every endpoint's; this one is listDsarRequests.
          query: { status: status?.data, kind: kind?.data, cursor, limit: PAGE } as never,
        })) as ResponseOf<'listDsarRequests'>;
        out.push(...page.requests);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    });
    if (values.late === true) requests = requests.filter((r) => r.deadline === 'due_soon' || r.deadline === 'overdue');
    if (json) writeJson(io.stdout, requests);
    else {
      io.stdout.write(table(['ID', 'KIND', 'STATUS', 'REQUESTER', 'OPENED', 'DUE', 'DEADLINE'],
        requests.map((r) => [r.id, r.kind, r.status, r.requesterId, day(r.openedAt), day(r.dueAt), r.deadline ?? '-'])));
    }
    return EXIT.ok;
  },
};

export const DSAR_COMMANDS: CommandSpec[] = [dsarList];
