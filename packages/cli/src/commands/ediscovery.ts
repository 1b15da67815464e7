/** `conclave ediscovery …` commands (data governance, GOV). */
import type { CommandSpec } from '../spec';

export const EDISCOVERY_COMMANDS: CommandSpec[] = [];
