/**
 * WebAuthn (IAM-1): security keys and platform authenticators as a second factor.
 */
import type { Endpoint } from './api';

/** WebAuthn endpoints (filled in by the WebAuthn change). */
export const webauthnEndpoints = {} satisfies Record<string, Endpoint>;
