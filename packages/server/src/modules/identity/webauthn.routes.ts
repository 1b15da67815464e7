/** Route table for security keys (IAM-1); spread into identityRoutes. */
import { route, type RouteDef } from '../../http/route';
import type { WebAuthnActions } from './webauthn.actions';
import type { WebAuthnQueries } from './webauthn.queries';

export function webauthnRoutes(actions: WebAuthnActions, queries: WebAuthnQueries): RouteDef[] {
  return [
    // Allowed while enrolment is forced: a security key satisfies "MFA required for your role".
    route({ endpoint: 'webauthnRegisterOptions', auth: 'session', action: 'auth.webauthn.register_options', allowRestricted: ['mfa_enrollment'], handler: ({ actor, body }) => actions.registerOptions(actor, body) }),
    route({ endpoint: 'webauthnRegister', auth: 'session', action: 'auth.webauthn.register', allowRestricted: ['mfa_enrollment'], status: 201, handler: ({ actor, body }) => actions.register(actor, body) }),
    route({ endpoint: 'listSecurityKeys', auth: 'session', action: 'auth.webauthn.list', handler: ({ actor }) => queries.mine(actor) }),
    route({ endpoint: 'renameSecurityKey', auth: 'session', action: 'auth.webauthn.rename', handler: ({ actor, params, body }) => actions.rename(actor, params.id, body.name) }),
    // Like turning TOTP off: only from a session that passed MFA.
    route({ endpoint: 'removeSecurityKey', auth: 'mfa', action: 'auth.webauthn.remove', handler: ({ actor, params }) => actions.remove(actor, params.id) }),
    route({ endpoint: 'resetUserMfa', auth: 'session', action: 'users.reset_mfa', handler: ({ actor, params }) => actions.resetUserMfa(actor, params.id) }),
  ];
}
