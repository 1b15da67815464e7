/**
 * The one error type (rule 4). `code` is a documented wire code (docs/ERRORS.md);
 * `reason` is the internal why, written to the audit row and never sent to the client,
 * so that "denied" and "missing" look the same outside (rule 2) but differ for auditors.
 */
import { ERROR_CODES, type ErrorCode } from '@conclave/protocol';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** HTTP status of this error's code. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** Outcome recorded in the audit log for this failure. */
  get outcome(): 'denied' | 'failed' {
    // A refused security-key response is an authentication denial (IAM-1), though answered 400.
    return this.code === 'not_found' || this.code === 'forbidden' || this.status === 401 || this.code === 'mfa_enrollment_required' || this.code === 'password_change_required'
      || this.code === 'webauthn_invalid'
      ? 'denied'
      : 'failed';
  }
}

/** Not found — also what a denied caller sees. `reason` says which, for the audit row only. */
export function notFound(what: string, reason = 'missing'): AppError {
  return new AppError('not_found', `${what} not found`, undefined, reason);
}

export function forbidden(message: string, reason = 'forbidden'): AppError {
  return new AppError('forbidden', message, undefined, reason);
}

export function conflict(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('conflict', message, details);
}

export function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { issues: [{ path: field, message }] });
}
