/** Error → wire body. Never a stack trace, never internal reasons (rule 4). */
import type { ErrorBody } from '@conclave/protocol';
import type { AppError } from '../kernel/errors';

export function errorBody(e: AppError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
}
