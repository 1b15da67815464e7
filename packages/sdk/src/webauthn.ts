/**
 * WebAuthn security keys (IAM-1) through the SDK.
 */
import type { ConclaveClient } from './client';

/** The `client.webauthn` group (filled in by the WebAuthn change). */
export function webauthnGroup(client: ConclaveClient) {
  // Read client.http on each call: this runs from a field initializer, before the constructor sets it.
  const http = () => client.http;
  void http;
  return {};
}
