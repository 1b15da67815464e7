/** TOTP (RFC 6238) via otplib, with replay protection by time step (IAM-1). */
import { authenticator } from 'otplib';
import { randomBytes } from 'node:crypto';

const STEP_SECONDS = 30;
/** Accept the previous and next step too: clocks drift and people type slowly. */
const WINDOW = 1;

authenticator.options = { step: STEP_SECONDS, window: WINDOW, digits: 6 };

export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function otpauthUri(email: string, issuer: string, secret: string): string {
  return authenticator.keyuri(email, issuer, secret);
}

/**
 * Checks `code` at time `now`; returns the matched time step, or null. A step at or before
 * `lastStep` is refused so that an observed code cannot be replayed.
 */
export function checkTotp(secret: string, code: string, now: number, lastStep: number): number | null {
  const current = Math.floor(now / 1000 / STEP_SECONDS);
  for (let d = -WINDOW; d <= WINDOW; d++) {
    const step = current + d;
    if (step <= lastStep) continue;
    const expected = authenticator.clone({ epoch: step * STEP_SECONDS * 1000, window: 0 }).generate(secret);
    if (timingSafeEq(expected, code)) return step;
  }
  return null;
}

/** A TOTP code for `now` — for tests and the CLI. */
export function totpCode(secret: string, now = Date.now()): string {
  return authenticator.clone({ epoch: now, window: 0 }).generate(secret);
}

export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const hex = randomBytes(5).toString('hex');
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
}

function timingSafeEq(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
