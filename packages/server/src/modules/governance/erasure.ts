/**
 * Erasure of one data subject (GOV-2, GOV-3), run inside the action that approved it: what
 * they wrote becomes tombstones, their message keys (one per conversation and month) and the
 * keys of files they uploaded are destroyed — so copies in backups and exports are unreadable
 * too — their reactions go, their profile is pseudonymised and their sign-in secrets shredded,
 * and a signed receipt states all of it. Anything a legal hold covers stays; a custodian hold
 * on the subject refuses the erasure outright (409).
 */
import type { ActionContext } from '../../kernel/action';
import { AppError, notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import type { AuditKeys } from '../audit/signing-key';
import * as conv from '../conversations/conversations.store';
import { removeMembership } from '../conversations/membership';
import type { FileActions } from '../files/files.actions';
import * as identity from '../identity/identity.store';
import { mlsUserOffboarded } from '../mls/mls.external';
import { HoldSet } from './holds';
import { listHolds } from './governance.store';
import { DeletionTally, eraseFiles, purgeMessages, shredIdleMessageKeys } from './purge';
import { issueReceipt } from './receipts';

/** What an erasure did; the receipt (signed, in the audit chain) holds the same figures. */
export interface ErasureOutcome {
  receiptId: string;
  messagesErased: number;
  filesErased: number;
  keysDestroyed: number;
  /** Items kept because a legal hold covers them (never erased while held). */
  heldItemsKept: number;
}

/** What erasure needs beyond Services; registered by the governance module per server. */
export interface ErasureDeps { files: FileActions; auditKeys: AuditKeys }
const registered = new WeakMap<Services, ErasureDeps>();

export function registerErasureDeps(svc: Services, deps: ErasureDeps): void {
  registered.set(svc, deps);
}

/** Active legal holds naming `userId` as custodian (compliance officers only see them). */
export async function holdsOnCustodian(_svc: Services, db: ActionContext['trx'], orgId: string, userId: string): Promise<string[]> {
  return (await listHolds(db, orgId, true)).filter((h) => h.kind === 'custodian' && h.custodian_id === userId).map((h) => h.id);
}

/**
 * Erases `userId`'s personal data inside the caller's action: messages they wrote and files
 * they uploaded are crypto-shredded, the profile is pseudonymised, a signed receipt is made.
 */
export async function eraseSubject(svc: Services, ctx: ActionContext, userId: string): Promise<ErasureOutcome> {
  const deps = registered.get(svc);
  if (!deps) throw new Error('governance module not wired: registerErasureDeps was not called');
  const orgId = ctx.actor.orgId;
  const user = await identity.findUserById(ctx.trx, orgId, userId);
  if (!user) throw notFound('user');
  const holds = await HoldSet.load(ctx.trx, orgId);
  const custodian = holds.custodianHold(userId);
  if (custodian) throw new AppError('conflict', `the user is a custodian under legal hold ${custodian}: erasure must wait until the hold is released`, { holdId: custodian });
  const tally = new DeletionTally();

  // Messages they wrote: held ones stay as they are; the rest lose their content.
  const written = await ctx.trx.selectFrom('messages').select(['id', 'conversation_id', 'created_at']).where('author_id', '=', userId).execute();
  const erase = written.filter((m) => !holds.covers({ conversationId: m.conversation_id, authorId: userId, createdAt: Number(m.created_at) })).map((m) => m.id);
  tally.add({ heldKept: written.length - erase.length });
  await purgeMessages(ctx, deps.files, erase, tally, true);
  // Erased messages stay as tombstones in their conversations; the receipt counts them as erased messages.
  tally.add({ messages: erase.length, tombstoned: -erase.length });
  const keyRows = await ctx.trx.selectFrom('message_keys').select('key_id').where('author_id', '=', userId).execute();
  await shredIdleMessageKeys(ctx, svc.keys, keyRows.map((k) => k.key_id), tally);

  // Files they uploaded (sent or not), unless held.
  const uploaded = await ctx.trx.selectFrom('files').selectAll().where('org_id', '=', orgId).where('uploader_id', '=', userId).execute();
  const files = uploaded.filter((f) => !holds.covers({ conversationId: f.conversation_id, authorId: userId, createdAt: Number(f.created_at) }));
  tally.add({ heldKept: uploaded.length - files.length });
  await eraseFiles(ctx, deps.files, files, tally);
  await ctx.trx.deleteFrom('reactions').where('user_id', '=', userId).execute();

  // The person: memberships, sessions, devices, secrets, then the profile itself.
  for (const c of await conv.membershipsOf(ctx.trx, userId)) await removeMembership(ctx, c, userId, null);
  await identity.revokeUserSessions(ctx.trx, userId, ctx.now, 'erased');
  await mlsUserOffboarded(ctx, userId);
  await ctx.trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await ctx.trx.deleteFrom('webauthn_credentials').where('user_id', '=', userId).execute();
  await ctx.trx.deleteFrom('webauthn_challenges').where('user_id', '=', userId).execute();
  await ctx.trx.deleteFrom('user_departments').where('user_id', '=', userId).execute();
  const secretKeys = await ctx.trx.selectFrom('data_keys').select(['id', 'scope']).where('scope', '=', `user:${userId}`).where('destroyed_at', 'is', null).execute();
  const shredded = new Set(await svc.keys.destroy(ctx.trx, secretKeys.map((k) => k.id), ctx.now));
  tally.destroyed(secretKeys.filter((k) => shredded.has(k.id)));
  await identity.updateUser(ctx.trx, userId, {
    name: 'Erased user', email: `erased-${userId.toLowerCase()}@erased.invalid`, password_hash: '!erased', must_change_password: 0,
    totp_secret_enc: null, totp_key_id: null, totp_enabled: 0, profile_enc: null, status: 'deactivated', deactivated_at: user.deactivated_at ?? ctx.now, updated_at: ctx.now,
  });

  const { id } = await issueReceipt(ctx, deps.auditKeys, { kind: 'erasure', tally, holds: holds.kept, extra: { subject: userId } });
  return { receiptId: id, messagesErased: erase.length, filesErased: files.length, keysDestroyed: tally.counts.keysDestroyed, heldItemsKept: tally.counts.heldKept };
}
