/** Access control (ACL-1..5): roles as data, departments, role grants, clearance and levels. */
import type { Kysely } from 'kysely';
import { BUILTIN_ROLES, DEFAULT_ROLE_PERMISSIONS } from '@conclave/protocol';
import type { DialectName } from '../db';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.createTable('roles')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('roles_pk', ['org_id', 'name'])
    .execute();

  await db.schema.createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('manager_id', 'text')
    .addColumn('external_isolation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('departments_org').on('departments').column('org_id').execute();

  await db.schema.createTable('user_departments')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_departments_pk', ['user_id', 'department_id'])
    .execute();
  await db.schema.createIndex('user_departments_dept').on('user_departments').column('department_id').execute();

  await db.schema.createTable('role_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', big)
    .execute();

  // Existing users and conversations get the default level ('internal' in the default list).
  await db.schema.alterTable('users').addColumn('clearance', 'text', (c) => c.notNull().defaultTo('internal')).execute();
  await db.schema.alterTable('conversations').addColumn('level', 'text', (c) => c.notNull().defaultTo('internal')).execute();
  await db.schema.alterTable('conversations').addColumn('department_id', 'text').execute();
  // First position a member may read (0 = the whole history).
  await db.schema.alterTable('conversation_members').addColumn('history_from', big, (c) => c.notNull().defaultTo(0)).execute();

  // Organisations that existed before roles were data get the built-in table.
  const orgs = await db.selectFrom('orgs').select('id').execute();
  for (const o of orgs) {
    await db.insertInto('roles').values(BUILTIN_ROLES.map((name) => ({
      org_id: o.id, name, permissions: JSON.stringify(DEFAULT_ROLE_PERMISSIONS[name]), builtin: 1, created_at: Date.now(),
    }))).execute();
  }
}
