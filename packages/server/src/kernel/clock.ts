/** A clock that tests can move forward (session expiry, lockouts, TOTP windows). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock whose time is `Date.now() + offset`; tests advance `offset`. */
export class OffsetClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}
