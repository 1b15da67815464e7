/**
 * Per-message DLP-1 restrictions: no-forward / no-copy / no-download chosen by the sender, stored
 * as a small bit-field on the message (and copied onto its files). What a viewer may do is the
 * union of these flags and the conversation level's policy: a message flag can only add to the
 * level, never lift it, and once set it is never cleared (see docs/FILES-SEARCH-DLP.md).
 */
import type { LevelPolicy, Message, MessageRestrictionsInput } from '@conclave/protocol';
import { AppError } from '../../kernel/errors';

/** The wire form: what clients may not do with a message or file. */
export type Restrictions = Message['restrictions'];
/** One restriction: `noForward`, `noCopy` or `noDownload`. */
export type RestrictionName = keyof Restrictions;

/** Bits of `messages.restrictions` / `files.restrictions`. Never renumber: they are stored. */
export const RESTRICTION_BITS: Readonly<Record<RestrictionName, number>> = { noForward: 1, noCopy: 2, noDownload: 4 };
const NAMES = Object.keys(RESTRICTION_BITS) as RestrictionName[];

/** The bit-field of a request's flags (missing or false flags add nothing). */
export function flagsOf(input: MessageRestrictionsInput | undefined): number {
  let f = 0;
  if (input) for (const n of NAMES) if (input[n] === true) f |= RESTRICTION_BITS[n];
  return f;
}

/** Whether `flags` holds restriction `name`. */
export function hasFlag(flags: number, name: RestrictionName): boolean {
  return (Number(flags) & RESTRICTION_BITS[name]) !== 0;
}

/** The request form of stored flags (only the set ones), e.g. to carry them onto a forwarded copy. */
export function inputOf(flags: number): MessageRestrictionsInput | undefined {
  const set = NAMES.filter((n) => hasFlag(flags, n));
  return set.length ? Object.fromEntries(set.map((n) => [n, true])) : undefined;
}

/** The wire restrictions: the level's policy combined with the message's own flags. */
export function effectiveRestrictions(policy: LevelPolicy, flags: number): Restrictions {
  return {
    noForward: !policy.forwardingAllowed || hasFlag(flags, 'noForward'),
    noCopy: !policy.copyAllowed || hasFlag(flags, 'noCopy'),
    noDownload: !policy.downloadsAllowed || hasFlag(flags, 'noDownload'),
  };
}

/** Which rule refuses `name` — the level's policy first, then the message's flag — or null. */
export function refusingRule(policy: LevelPolicy, flags: number, name: 'noForward' | 'noDownload'): 'level' | 'message' | null {
  const levelAllows = name === 'noForward' ? policy.forwardingAllowed : policy.downloadsAllowed;
  if (!levelAllows) return 'level';
  return hasFlag(flags, name) ? 'message' : null;
}

/**
 * The flags after an edit: the current ones plus those newly set. Asking to clear a flag the
 * message carries is refused — not even its sender may loosen it, since recipients may already
 * rely on it (the policy is "restrictions only tighten"). `false` for an unset flag is a no-op.
 */
export function tightened(current: number, input: MessageRestrictionsInput | undefined): number {
  if (!input) return Number(current);
  for (const n of NAMES) {
    if (input[n] === false && hasFlag(current, n)) {
      throw new AppError('forbidden', `restrictions.${n}: a message restriction cannot be lifted once set`,
        { issues: [{ path: `body.restrictions.${n}`, message: 'cannot be lifted once set' }] }, 'restriction_locked');
    }
  }
  return Number(current) | flagsOf(input);
}

/** Names of the flags in `after` that were not in `before` (for the audit row). */
export function addedFlags(before: number, after: number): RestrictionName[] {
  return NAMES.filter((n) => hasFlag(after, n) && !hasFlag(before, n));
}
