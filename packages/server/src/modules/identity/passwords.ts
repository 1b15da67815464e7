/** Password hashing (argon2id) and the organisation password policy (IAM-1). */
import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import type { PasswordPolicy } from '@conclave/protocol';
import { AppError } from '../../kernel/errors';

// OWASP 2024 baseline for argon2id: m=19 MiB, t=2, p=1.
const ARGON = { algorithm: 2 /* Argon2id (const enum, inlined for isolatedModules) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of a random password: verifying against it costs the same as against a real one. */
let dummyHash: Promise<string> | null = null;
export function timingDummyHash(): Promise<string> {
  return (dummyHash ??= hashPassword(`dummy-${randomInt(1e9)}`));
}

const COMMON = new Set(['password', 'password123', '123456789012', 'qwertyuiop', 'letmein', 'welcome', 'changeme', 'administrator', 'conclave']);

/** Throws `password_policy` listing every rule the password breaks. */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy, email?: string): void {
  const failed: string[] = [];
  if ([...password].length < policy.minLength) failed.push(`at least ${policy.minLength} characters`);
  if (policy.requireMixedCase && !(/[a-z]/.test(password) && /[A-Z]/.test(password))) failed.push('upper- and lower-case letters');
  if (policy.requireDigit && !/\d/.test(password)) failed.push('a digit');
  if (policy.requireSymbol && !/[^\p{L}\p{N}]/u.test(password)) failed.push('a symbol');
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || (email && lower.includes(email.split('@')[0]!.toLowerCase()) && email.split('@')[0]!.length >= 4)) failed.push('not a common password or your email name');
  if (failed.length) throw new AppError('password_policy', `password must have: ${failed.join(', ')}`, { rules: failed });
}

/** A generated one-time password: 4 groups of 5 unambiguous characters (~95 bits). */
export function generateOneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 5; i++) s += alphabet[randomInt(alphabet.length)];
    groups.push(s);
  }
  return groups.join('-');
}
