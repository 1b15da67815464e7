/**
 * Per-message DLP restrictions (DLP-1): no-forward / no-copy / no-download set by the sender.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(_db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // Filled in by the per-message restrictions change.
}
