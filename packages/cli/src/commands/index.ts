/** Every command of `conclave`, in the order help lists them. */
import type { CommandSpec } from '../spec';
import { AUDIT_COMMANDS } from './audit';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { userCreate } from './user-create';
import { userList } from './user-list';
import { userDeactivate, userReactivate } from './user-status';
import { orgPreset } from './org-preset';
import { GOVERNANCE_COMMANDS } from './governance';
import { ARCHIVE_COMMANDS } from './archive';
import { DSAR_COMMANDS } from './dsar';
import { EDISCOVERY_COMMANDS } from './ediscovery';

export const COMMANDS: CommandSpec[] = [serveCommand, userCreate, userList, userDeactivate, userReactivate, orgPreset, statusCommand, ...AUDIT_COMMANDS,
  ...GOVERNANCE_COMMANDS, ...DSAR_COMMANDS, ...EDISCOVERY_COMMANDS, ...ARCHIVE_COMMANDS];
