import * as z from 'zod';

/** ULID: 26 Crockford base32 characters. All object ids are ULIDs. */
export const Id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (26-character ULID)');
/** Milliseconds since the Unix epoch, UTC. */
export const Millis = z.number().int().nonnegative();
/** A per-user event sequence number (MSG-4). */
export const Seq = z.number().int().nonnegative();

/** Rejects strings holding lone surrogates or NUL, which cannot be stored or displayed faithfully. */
export function cleanText(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => s.isWellFormed(), 'must be valid Unicode (no lone surrogates)')
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');
}

/** Email, normalised to lower case. */
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));

/** Integer query parameter (query strings arrive as text). */
export function queryInt(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}
