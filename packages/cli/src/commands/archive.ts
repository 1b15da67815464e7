/** `conclave archive …` commands (data governance, GOV). */
import type { CommandSpec } from '../spec';

export const ARCHIVE_COMMANDS: CommandSpec[] = [];
