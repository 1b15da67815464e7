/**
 * Erasure of one data subject (GOV-2, GOV-3): called by an approved data-subject request.
 * Being implemented by the governance module; the signature is the contract.
 */
import type { ActionContext } from '../../kernel/action';
import { AppError } from '../../kernel/errors';
import type { Services } from '../../services';

/** What an erasure did; the receipt (signed, in the audit chain) holds the same figures. */
export interface ErasureOutcome {
  receiptId: string;
  messagesErased: number;
  filesErased: number;
  keysDestroyed: number;
  /** Items kept because a legal hold covers them (never erased while held). */
  heldItemsKept: number;
}

/** Active legal holds naming `userId` as custodian (compliance officers only see them). */
export async function holdsOnCustodian(_svc: Services, _db: ActionContext['trx'], _orgId: string, _userId: string): Promise<string[]> {
  return [];
}

/**
 * Erases `userId`'s personal data inside the caller's action: messages they wrote and files
 * they uploaded are crypto-shredded, the profile is pseudonymised, a signed receipt is made.
 */
export async function eraseSubject(_svc: Services, _ctx: ActionContext, _userId: string): Promise<ErasureOutcome> {
  throw new AppError('internal', 'erasure is not implemented yet');
}
