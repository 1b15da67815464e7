/** Who is calling: built once per request by the HTTP/WS layer, passed to every action and query. */
import type { OrgRole, Permission } from '@conclave/protocol';

export interface Actor {
  kind: 'user' | 'system' | 'anonymous';
  orgId: string;
  userId: string | null;
  sessionId: string | null;
  role: OrgRole | null;
  permissions: ReadonlySet<Permission>;
  /** True when this session passed a second factor at login. */
  mfaVerified: boolean;
  /** Highest confidentiality level the actor may see (ACL-2); system actors see everything. */
  clearance: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** A signed-in user. */
export type UserActor = Actor & { kind: 'user'; userId: string; role: OrgRole; clearance: string };

/** A user actor; `permissions` come from the organisation's role table (roles are data, ACL-1). */
export function userActor(a: {
  orgId: string; userId: string; role: OrgRole; permissions: Iterable<Permission>; clearance: string; sessionId: string | null; mfaVerified: boolean;
  ip?: string | null; userAgent?: string | null;
}): UserActor {
  return {
    kind: 'user', orgId: a.orgId, userId: a.userId, role: a.role, sessionId: a.sessionId, mfaVerified: a.mfaVerified, clearance: a.clearance,
    permissions: new Set(a.permissions), ip: a.ip ?? null, userAgent: a.userAgent ?? null,
  };
}

export function anonymousActor(orgId: string, ip: string | null, userAgent: string | null): Actor {
  return { kind: 'anonymous', orgId, userId: null, sessionId: null, role: null, permissions: new Set(), mfaVerified: false, clearance: null, ip, userAgent };
}

/** The server itself (bootstrap, jobs, CLI acting with local authority). */
export function systemActor(orgId: string, label = 'system'): Actor {
  return { kind: 'system', orgId, userId: null, sessionId: null, role: null, permissions: new Set(), mfaVerified: true, clearance: null, ip: null, userAgent: label };
}

export function isUser(a: Actor): a is UserActor {
  return a.kind === 'user' && a.userId !== null;
}
