/** `conclave dsar …` commands (data governance, GOV). */
import type { CommandSpec } from '../spec';

export const DSAR_COMMANDS: CommandSpec[] = [];
