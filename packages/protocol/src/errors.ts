/**
 * Every error code the API can return, with its HTTP status and meaning.
 * docs/ERRORS.md is checked against this table by a test (rule 4, ARCHITECTURE.md).
 */
export const ERROR_CODES = {
  bad_request: { status: 400, meaning: 'The request could not be read: malformed JSON, invalid UTF-8, wrong content type.' },
  validation_failed: { status: 400, meaning: 'A field is missing, of the wrong type or out of range; details.issues names each field.' },
  password_policy: { status: 400, meaning: 'The new password does not meet the organisation password policy; details.rules lists the failed rules.' },
  unauthenticated: { status: 401, meaning: 'No valid session: the token is missing, unknown, expired or revoked.' },
  invalid_credentials: { status: 401, meaning: 'Email or password is wrong (also for unknown or deactivated accounts, so nothing leaks).' },
  mfa_required: { status: 401, meaning: 'The password was right; a second factor (TOTP code, security key or recovery code) is required to finish the login: details.methods lists them, details.webauthn holds security-key request options.' },
  mfa_invalid: { status: 401, meaning: 'The TOTP or recovery code is wrong or already used, or the security-key response was refused (details.reason: challenge_unknown, challenge_expired, origin, rp_id, unknown_credential, signature, counter_regression, malformed).' },
  webauthn_invalid: { status: 400, meaning: 'A security-key registration response was refused: unknown, used or expired challenge, wrong origin or RP ID, or an attestation that does not verify; details.reason says which.' },
  mfa_enrollment_required: { status: 403, meaning: 'The organisation requires MFA for this role: enrol TOTP or a security key before using anything else.' },
  password_change_required: { status: 403, meaning: 'The password is a one-time password and must be changed before anything else.' },
  forbidden: { status: 403, meaning: 'You can see this object but may not perform this action on it.' },
  not_found: { status: 404, meaning: 'No such object, or you may not see it (the two are indistinguishable on purpose).' },
  conflict: { status: 409, meaning: 'The request conflicts with the current state (e.g. email already used, conversation archived).' },
  stale_epoch: { status: 409, meaning: 'The MLS commit was made for an epoch that is no longer current (another commit won it); details.epoch is the current epoch: process the newer commits, then redo yours on top.' },
  payload_too_large: { status: 413, meaning: 'The request body or message text exceeds the configured maximum size.' },
  headers_too_large: { status: 431, meaning: 'The request line or headers exceed the 16 KiB limit (a very long URL or cookie).' },
  unsupported_media_type: { status: 415, meaning: 'The request body must be application/json (application/octet-stream for file chunks).' },
  file_rejected: { status: 422, meaning: 'The file was refused: a blocked type, content that does not match its name or declared type, text that holds blocked sensitive data, or malware found by the scanner; details.reason says which.' },
  dlp_blocked: { status: 422, meaning: 'The content holds sensitive data (phone, ID or card number, email, custom pattern) that this level blocks; details.hits gives type and position of each.' },
  dlp_warning: { status: 409, meaning: 'The content holds sensitive data this level warns about; resend with acknowledgeSensitive: true to send it anyway (details.hits).' },
  account_locked: { status: 429, meaning: 'Too many failed logins for this account or address; details.retryAfterMs says when to retry.' },
  rate_limited: { status: 429, meaning: 'Too many requests; details.retryAfterMs says when to retry.' },
  internal: { status: 500, meaning: 'An unexpected server error; the server log has the incident id given in details.incidentId.' },
  unavailable: { status: 503, meaning: 'The server is starting, shutting down or its database is unreachable.' },
} as const;

/** A documented error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** WebSocket close codes the server uses (4000-4999 is the application range). */
export const WS_CLOSE = {
  /** Session revoked or user deactivated: do not reconnect with this token. */
  revoked: 4001,
  /** Token missing or invalid at connect time. */
  unauthenticated: 4003,
  /** Client could not keep up; reconnect and resume from the last seq. */
  slowConsumer: 4008,
  /** Malformed frames; reconnect only after fixing the client. */
  protocolError: 4009,
  /** Server shutting down; reconnect (to another node) and resume. */
  shuttingDown: 4010,
} as const;
