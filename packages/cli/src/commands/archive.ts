/**
 * `conclave archive status` (GOV-5): the E2EE compliance archive at a glance — levels, the
 * current archive key's fingerprint and k-of-n, counts. Metadata only: the server cannot read
 * the archive, and neither can this command. Setup and decryption happen in officers' clients.
 */
import { archiveSummary } from '@conclave/server';
import { loadCliConfig, withDeployment } from '../deployment';
import { EXIT } from '../errors';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';

export const archiveStatus: CommandSpec = {
  path: ['archive', 'status'],
  summary: 'Show the E2EE compliance archive: archived levels, archive key fingerprint and quorum, counts.',
  options: {},
  details: [
    'Reads metadata only (no audit row, nothing sealed is touched).',
    'Compare the fingerprint with the one officers saw at the setup ceremony.',
    'With --json: {"enabled", "levels", "archiveKey", "retiredKeys", "activeOfficerKeys", "archivedMessages", "requests"}.',
  ].join('\n'),
  examples: ['conclave archive status', 'conclave archive status --json'],
  async run({ values, io, json }) {
    const config = loadCliConfig(values, io.env);
    const s = await withDeployment(config, (d) => archiveSummary(d.server.svc.database.db, d.orgId, Date.now()));
    if (json) writeJson(io.stdout, s);
    else {
      const key = s.archiveKey;
      io.stdout.write([
        `compliance archive: ${s.enabled ? `ON for ${s.levels.join(', ')}` : 'off'}`,
        key ? `archive key ${key.id}: ${key.threshold}-of-${key.shareCount}, created ${new Date(key.createdAt).toISOString()}\n  fingerprint ${key.fingerprint}` : 'archive key: none (no setup ceremony yet)',
        `retired keys: ${s.retiredKeys}; active officer keys: ${s.activeOfficerKeys}; archived messages: ${s.archivedMessages}`,
        `requests: ${Object.entries(s.requests).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`,
      ].join('\n') + '\n');
    }
    return EXIT.ok;
  },
};

export const ARCHIVE_COMMANDS: CommandSpec[] = [archiveStatus];
