/**
 * WebAuthn credentials (IAM-1): security keys and platform authenticators as a second factor.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(_db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // Filled in by the WebAuthn change.
}
