/**
 * Short-lived signed file links (MSG-2, DLP-1): a URL a browser can put in `<img src>` or a
 * download link without an Authorization header. The URL carries no session token: it names the
 * file, the purpose, the user and the issuing session, an expiry (≤ 5 minutes), and an
 * HMAC-SHA-256 over all of them under a per-organisation link key (a data key kept by the
 * KeyService, scope `file-links:<org>`, wrapped by the master key like every other; the MAC key is
 * derived from it with HKDF, so the master key itself never signs anything).
 *
 * A link is a capability only to *ask*: every use re-checks access for that user exactly as the
 * authenticated routes do (accessFile: membership, clearance, history horizon, level MFA; the
 * user still active and the issuing session still live; no-download for content), and is audited.
 * Anything wrong — bad signature, expired, another file or purpose, access lost — is 404.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DEFAULT_ROLE_PERMISSIONS, type BinaryBody, type BuiltinRole, type FileLinkPurpose, type OrgRole, type Permission } from '@conclave/protocol';
import { userActor, type Actor, type UserActor } from '../../kernel/actor';
import { AppError, notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import type { Trx } from '../../storage/tx';
import { previewKind } from './files.presenter';
import { accessFile, assertDownloadable, type FileQueries } from './files.queries';

/** How long a link works. Short on purpose: a leaked URL (history, a proxy log) soon dies. */
export const FILE_LINK_TTL_MS = 5 * 60_000;

const MAC_INFO = 'conclave-file-link-v1';

/** The parsed query of a link: user, session, expiry (ms) and signature. */
export interface LinkQuery { u: string; s: string; e: number; sig: string }

/** Issues and serves signed file links; reads go through FileQueries, so the checks are the authenticated routes' own. */
export class FileLinks {
  /** Link key id per organisation, remembered once the action that found or made it committed. */
  private readonly keyIds = new Map<string, string>();

  constructor(private readonly svc: Services, private readonly queries: FileQueries) {}

  /**
   * Issues a link for `purpose` on a file the caller may read now (same checks as using it, so a
   * refused download is refused here already). Audited as `files.link_issue`.
   */
  async issue(actor: UserActor, fileId: string, purpose: FileLinkPurpose): Promise<{ url: string; expiresAt: number }> {
    return this.svc.runner.run(actor, 'files.link_issue', { targetType: 'file', targetId: fileId, details: { purpose } }, async (ctx) => {
      const a = await accessFile(ctx.trx, actor, fileId);
      ctx.detail({ conversationId: a.conv.id, level: a.level });
      if (purpose === 'content') assertDownloadable(a, ctx.detail);
      if (purpose === 'preview' && previewKind(a.file.content_type) === 'none') {
        throw new AppError('conflict', `no preview for ${a.file.content_type}; download the file instead`, undefined, 'no_preview');
      }
      if (purpose === 'thumbnail' && !a.file.thumb) throw notFound('thumbnail', 'no_thumbnail');
      // Links die with the session they were made in (sign-out, revocation, offboarding: IAM-3).
      if (!actor.sessionId) throw new AppError('forbidden', 'file links are issued to signed-in sessions only', undefined, 'no_session');
      const key = (await this.svc.keys.forScope(ctx.trx, scopeOf(actor.orgId), { now: ctx.now }))!;
      ctx.afterCommit(() => { this.keyIds.set(actor.orgId, key.id); });
      const expiresAt = ctx.now + FILE_LINK_TTL_MS;
      const claims: Claims = { orgId: actor.orgId, fileId, purpose, userId: actor.userId, sessionId: actor.sessionId, expiresAt };
      ctx.detail({ expiresAt });
      const q = new URLSearchParams({ u: actor.userId, s: actor.sessionId, e: String(expiresAt), sig: sign(macKey(key.key), claims) });
      return { url: `/api/v1/files/${encodeURIComponent(fileId)}/links/${purpose}?${q.toString()}`, expiresAt };
    });
  }

  /**
   * Serves a link: signature (constant-time), expiry, the session and user, then the same audited
   * read as the authenticated route, as that user. `anon` carries the caller's address for the audit.
   */
  async use(anon: Actor, fileId: string, purpose: FileLinkPurpose, q: LinkQuery): Promise<BinaryBody> {
    const db = this.svc.database.db;
    const now = this.svc.clock.now();
    const key = await this.linkKey(db, anon.orgId);
    const claims: Claims = { orgId: anon.orgId, fileId, purpose, userId: q.u, sessionId: q.s, expiresAt: q.e };
    // A forged or altered link is not audited: it proves nothing about anyone (and would let any
    // client on the network write audit rows). Everything after a valid signature is.
    if (!key || !verifies(macKey(key), claims, q.sig)) throw notFound('file', 'link_signature');
    const refuse = async (reason: string): Promise<never> => {
      const err = notFound('file', reason);
      await this.svc.runner.recordFailure(anon, 'files.link_use', err, { targetType: 'file', targetId: fileId, details: { purpose, via: 'link', userId: q.u } });
      throw err;
    };
    if (q.e <= now) return refuse('link_expired');
    const actor = await linkActor(db, anon, q, now);
    if (!actor) return refuse('link_session');
    if (purpose === 'content') return this.queries.download(actor, fileId, 'link');
    if (purpose === 'preview') return this.queries.preview(actor, fileId, 'link');
    return this.queries.thumbnail(actor, fileId, 'link');
  }

  /** The organisation's link key, or null when no link was ever issued there. */
  private async linkKey(db: Trx, orgId: string): Promise<Buffer | null> {
    const id = this.keyIds.get(orgId);
    if (id) return this.svc.keys.getLive(db, id);
    const found = await this.svc.keys.forScope(db, scopeOf(orgId));
    if (found) this.keyIds.set(orgId, found.id);
    return found?.key ?? null;
  }
}

interface Claims { orgId: string; fileId: string; purpose: FileLinkPurpose; userId: string; sessionId: string; expiresAt: number }

function scopeOf(orgId: string): string {
  return `file-links:${orgId}`;
}

/** The MAC key: HKDF of the stored data key, so the same key material is never used for two things. */
function macKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), MAC_INFO, 32));
}

/** base64url HMAC-SHA-256 over every claim (ids, enum and digits only, so `\n` separates them unambiguously). */
function sign(key: Buffer, c: Claims): string {
  return createHmac('sha256', key).update([MAC_INFO, c.orgId, c.fileId, c.purpose, c.userId, c.sessionId, String(c.expiresAt)].join('\n')).digest('base64url');
}

/**
 * Constant-time comparison of the canonical encodings (comparing decoded bytes would accept a
 * last character differing only in base64's unused low bits).
 */
function verifies(key: Buffer, c: Claims, given: string): boolean {
  const want = Buffer.from(sign(key, c));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * The link's user as an actor, as the session layer would build it for the issuing session (role
 * permissions, clearance, MFA of that session) — or null when the session was revoked or expired,
 * belongs to someone else, is restricted, or the user is no longer active.
 */
async function linkActor(db: Trx, anon: Actor, q: LinkQuery, now: number): Promise<UserActor | null> {
  // Mirrors Authenticator.authenticate (identity.auth.ts), keyed by session id instead of token hash.
  const row = await db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('roles as r', (j) => j.onRef('r.org_id', '=', 'u.org_id').onRef('r.name', '=', 'u.role'))
    .select(['s.user_id', 's.org_id', 's.expires_at', 's.revoked_at', 's.mfa_verified', 's.restriction', 'u.role', 'u.status', 'u.clearance', 'r.permissions'])
    .where('s.id', '=', q.s).executeTakeFirst();
  if (!row || row.user_id !== q.u || row.org_id !== anon.orgId || row.revoked_at !== null || row.status !== 'active' || Number(row.expires_at) <= now || row.restriction !== null) return null;
  return userActor({
    orgId: row.org_id, userId: row.user_id, role: row.role as OrgRole, clearance: row.clearance, sessionId: q.s, mfaVerified: row.mfa_verified === 1,
    ip: anon.ip, userAgent: anon.userAgent,
    permissions: row.permissions ? (JSON.parse(row.permissions) as Permission[]) : (DEFAULT_ROLE_PERMISSIONS[row.role as BuiltinRole] ?? []),
  });
}
