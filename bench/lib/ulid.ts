/**
 * ULIDs for rows the benchmarks insert directly (setup and raw baselines). Same format as the
 * server's ids (26 Crockford base32 characters: 48-bit time, 80-bit randomness) so protocol
 * validation accepts them; ordering within one millisecond does not matter here.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  let r = '';
  for (let i = 0; i < 16; i++) r += ALPHABET[rnd[i]! & 31];
  return time + r;
}
