/** `conclave governance …` commands (data governance, GOV). */
import type { CommandSpec } from '../spec';

export const GOVERNANCE_COMMANDS: CommandSpec[] = [];
