/** Shared by the `user` commands: find a user by id or email, and print one. */
import { Email } from '@conclave/protocol';
import { findUserByEmail, findUserById, type UserRow } from '@conclave/server';
import { CliError, EXIT } from '../errors';
import type { Deployment } from '../deployment';

/** The user named by `ref` (an id, or an email when it contains '@'); exit 4 when there is none. */
export async function resolveUser(d: Deployment, ref: string): Promise<UserRow> {
  const db = d.server.svc.database.db;
  let row: UserRow | undefined;
  if (ref.includes('@')) {
    const email = Email.safeParse(ref);
    row = email.success ? await findUserByEmail(db, d.orgId, email.data) : undefined;
  } else {
    row = await findUserById(db, d.orgId, ref);
  }
  if (!row) throw new CliError(EXIT.notFound, `user not found: ${ref}`);
  return row;
}
