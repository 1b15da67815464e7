import type { ErrorCode } from '@conclave/protocol';

/**
 * Codes the SDK itself produces when no server answer is available. They never collide with
 * the server's codes (docs/ERRORS.md), so one `switch (err.code)` handles both.
 *
 * - `network`: the request never got an HTTP answer (DNS, refused, reset, timeout). Safe to
 *   retry for idempotent calls; `messages.send` does so itself.
 * - `aborted`: the caller's AbortSignal fired or the client was closed.
 * - `bad_response`: the server answered with something that is not the documented JSON
 *   (a proxy's HTML error page, or a body failing `validateResponses`).
 * - `invalid_argument`: the SDK was called with arguments it cannot send (a missing path param).
 */
export const CLIENT_ERROR_CODES = ['network', 'aborted', 'bad_response', 'invalid_argument'] as const;

/** An SDK-side error code (see {@link CLIENT_ERROR_CODES}). */
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/**
 * Every code a {@link ConclaveError} can carry. The `string & {}` member keeps editor
 * completion for the known codes while tolerating codes added by a newer server.
 */
export type ConclaveErrorCode = ErrorCode | ClientErrorCode | (string & {});

/** Options for constructing a {@link ConclaveError}. */
export interface ConclaveErrorInit {
  /** HTTP status; 0 when there was no HTTP answer. */
  status?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type the SDK throws: server errors (`{ error: { code, message, details } }`)
 * and SDK-side failures alike, so callers branch on `code` and never on message text.
 */
export class ConclaveError extends Error {
  /** Machine-readable code: a server code from docs/ERRORS.md or a {@link ClientErrorCode}. */
  readonly code: ConclaveErrorCode;
  /** HTTP status of the answer, or 0 when no answer arrived (network, aborted, invalid_argument). */
  readonly status: number;
  /** Structured extra information from the server (e.g. `issues`, `retryAfterMs`, `incidentId`). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ConclaveErrorCode, message: string, init: ConclaveErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ConclaveError';
    this.code = code;
    this.status = init.status ?? 0;
    this.details = init.details;
  }

  /** The server's `details.retryAfterMs` (for `rate_limited` / `account_locked`), if any. */
  get retryAfterMs(): number | undefined {
    const v = this.details?.retryAfterMs;
    return typeof v === 'number' ? v : undefined;
  }
}

/**
 * True when `err` is a {@link ConclaveError}, optionally with one of the given codes.
 * Prefer this to `instanceof` when several copies of the SDK may be loaded (bundles + Node).
 */
export function isConclaveError(err: unknown, ...codes: ConclaveErrorCode[]): err is ConclaveError {
  if (!(err instanceof ConclaveError) && !(err instanceof Error && err.name === 'ConclaveError' && 'code' in err)) return false;
  return codes.length === 0 || codes.includes((err as ConclaveError).code);
}
