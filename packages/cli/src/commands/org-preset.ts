/** `conclave org preset <name>`: apply an industry preset (GOV-6, docs/PRESETS.md). */
import { PRESETS, type Preset } from '@conclave/protocol';
import { EXIT, usage } from '../errors';
import { loadCliConfig, withDeployment } from '../deployment';
import { writeJson } from '../output';
import type { CommandSpec } from '../spec';

export const orgPreset: CommandSpec = {
  path: ['org', 'preset'],
  summary: `Apply an industry preset: ${PRESETS.join(', ')}.`,
  args: [{ name: 'name', required: true, description: `One of ${PRESETS.join(', ')} (see docs/PRESETS.md).` }],
  options: {},
  details: 'Applies the bundle as one audited action. With --json: {"settings": {...}, "roles": [...]}.',
  examples: ['conclave org preset finance'],
  async run({ values, args, io, json }) {
    const name = args[0]!;
    if (!(PRESETS as readonly string[]).includes(name)) throw usage(`name: unknown preset "${name}"; choose ${PRESETS.join(', ')}`);
    const config = loadCliConfig(values, io.env);
    const result = await withDeployment(config, (d) => d.server.access.applyPreset(d.actor, name as Preset));
    if (json) writeJson(io.stdout, result);
    else io.stdout.write(`applied preset ${name}: MFA for ${result.settings.mfaRequiredRoles.length} role(s), directory ${result.settings.directoryVisibility}, history for newcomers ${result.settings.historyVisibleToNewMembers ? 'visible' : 'hidden'}\n`);
    return EXIT.ok;
  },
};
