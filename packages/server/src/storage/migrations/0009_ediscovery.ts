/** Reserved for the ediscovery part of data governance (GOV). Filled in by its module. */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

export async function up(_db: Kysely<any>, _dialect: DialectName): Promise<void> {}
