/** Route table for identity: auth, me, users, sessions. */
import { route, type RouteDef } from '../../http/route';
import type { IdentityActions } from './identity.actions';
import type { IdentityQueries } from './identity.queries';
import type { UserAdminActions } from './users.actions';
import { webauthnRoutes } from './webauthn.routes';

export function identityRoutes(actions: IdentityActions, users: UserAdminActions, queries: IdentityQueries): RouteDef[] {
  const both: ('password_change' | 'mfa_enrollment')[] = ['password_change', 'mfa_enrollment'];
  return [
    route({ endpoint: 'login', auth: 'none', action: 'auth.login', handler: ({ actor, body }) => actions.login(actor, body) }),
    route({ endpoint: 'logout', auth: 'session', action: 'auth.logout', allowRestricted: both, handler: ({ actor }) => actions.logout(actor) }),
    route({ endpoint: 'changePassword', auth: 'session', action: 'auth.change_password', allowRestricted: both, handler: ({ actor, body }) => actions.changePassword(actor, body) }),
    route({ endpoint: 'totpEnroll', auth: 'session', action: 'auth.totp.enroll_start', allowRestricted: ['mfa_enrollment'], handler: ({ actor }) => actions.totpEnroll(actor) }),
    route({ endpoint: 'totpConfirm', auth: 'session', action: 'auth.totp.enable', allowRestricted: ['mfa_enrollment'], handler: ({ actor, body }) => actions.totpConfirm(actor, body) }),
    route({ endpoint: 'totpDisable', auth: 'mfa', action: 'auth.totp.disable', handler: ({ actor, body }) => actions.totpDisable(actor, body) }),
    route({ endpoint: 'regenerateRecoveryCodes', auth: 'mfa', action: 'auth.recovery_codes.regenerate', handler: ({ actor }) => actions.regenerateRecoveryCodes(actor) }),
    route({ endpoint: 'me', auth: 'session', action: 'me.read', allowRestricted: both, handler: ({ actor }) => queries.me(actor) }),
    route({ endpoint: 'listMySessions', auth: 'session', action: 'sessions.list', handler: ({ actor }) => queries.mySessions(actor) }),
    route({ endpoint: 'revokeMySession', auth: 'session', action: 'sessions.revoke', handler: async ({ actor, params }) => {
      await actions.revokeSessions(actor, 'sessions.revoke', actor.userId, [params.id], 'revoked_by_user');
      return { ok: true as const };
    } }),
    route({ endpoint: 'listUsers', auth: 'session', action: 'users.list', handler: ({ actor, query }) => queries.listUsers(actor, query) }),
    route({ endpoint: 'getUser', auth: 'session', action: 'users.read', handler: ({ actor, params }) => queries.getUser(actor, params.id) }),
    route({ endpoint: 'createUser', auth: 'session', action: 'users.create', status: 201, handler: ({ actor, body }) => users.createUser(actor, body) }),
    route({ endpoint: 'updateUser', auth: 'session', action: 'users.update', handler: ({ actor, params, body }) => users.updateUser(actor, params.id, body) }),
    route({ endpoint: 'deactivateUser', auth: 'session', action: 'users.deactivate', handler: ({ actor, params, body }) => users.deactivateUser(actor, params.id, body?.transferTo) }),
    route({ endpoint: 'reactivateUser', auth: 'session', action: 'users.reactivate', handler: ({ actor, params }) => users.reactivateUser(actor, params.id) }),
    route({ endpoint: 'listUserSessions', auth: 'session', action: 'sessions.list_user', auditSuccess: { targetType: 'user' }, handler: ({ actor, params }) => queries.userSessions(actor, params.id) }),
    route({ endpoint: 'revokeUserSession', auth: 'session', action: 'sessions.revoke_user', handler: async ({ actor, params }) => {
      await actions.revokeSessions(actor, 'sessions.revoke_user', params.id, [params.sessionId], 'revoked_by_admin');
      return { ok: true as const };
    } }),
    ...webauthnRoutes(actions.webauthn, actions.webauthn.queries),
  ];
}
