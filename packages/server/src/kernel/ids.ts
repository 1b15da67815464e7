/** Ids are monotonic ULIDs: sortable by creation time, unique across nodes. */
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export function newId(now = Date.now()): string {
  return next(now);
}
