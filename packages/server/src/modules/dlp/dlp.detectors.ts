/**
 * Sensitive-data detectors (DLP-3): Chinese mainland mobile numbers, resident ID numbers
 * (GB 11643 checksum), bank card numbers (Luhn), emails, and administrator patterns.
 * Hits carry type and UTF-16 positions only; callers never log or audit the matched value.
 */
import type { DlpHit, DlpSettings } from '@conclave/protocol';

/** Mobile: 1[3-9] + 9 digits, optionally +86/86 and spaces or hyphens in 3-4-4 groups. */
const CN_MOBILE = /(?<![\dA-Za-z])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\dA-Za-z])/g;
/** Resident ID: 17 digits + check digit or X; the checksum and birth date are verified below. */
const CN_ID = /(?<![\dA-Za-z])[1-9]\d{16}[\dXx](?![\dA-Za-z])/g;
/** Card: 13-19 digits, optionally grouped by spaces or hyphens; Luhn verified below. */
const CARD = /(?<![\dA-Za-z])\d(?:[ -]?\d){12,18}(?![\dA-Za-z])/g;
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])/g;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 (ISO 7064 MOD 11-2) check digit and a plausible birth date. */
function idChecksum(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

export function validCnId(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id) || !idChecksum(id)) return false;
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Luhn (mod 10) over the digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) { n *= 2; if (n > 9) n -= 9; }
    sum += n;
  }
  return sum % 10 === 0;
}

/** Card numbers: 13-19 digits, issuer prefix 3-6 or 9 (China UnionPay, Visa, Mastercard, Amex, JCB, domestic 9xxx), Luhn. */
export function validCard(raw: string): boolean {
  const digits = raw.replace(/[ -]/g, '');
  // An 18-digit number with a valid ID check digit is an ID number (perhaps with an implausible date), not a card.
  if (digits.length === 18 && idChecksum(digits)) return false;
  return digits.length >= 13 && digits.length <= 19 && /^[34569]/.test(digits) && !/^(\d)\1+$/.test(digits) && luhn(digits);
}

interface Detector { type: string; re: RegExp; valid?: (value: string) => boolean }

const BUILTIN: Record<string, Detector> = {
  cn_id: { type: 'cn_id', re: CN_ID, valid: validCnId },
  bank_card: { type: 'bank_card', re: CARD, valid: validCard },
  cn_mobile: { type: 'cn_mobile', re: CN_MOBILE },
  email: { type: 'email', re: EMAIL },
};
/** When hits overlap, the more specific detector wins (an ID number is not also a card number). */
const PRIORITY = ['cn_id', 'bank_card', 'cn_mobile', 'email'];

const customCache = new Map<string, RegExp>();
function customRe(pattern: string): RegExp {
  let re = customCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'giu');
    if (customCache.size > 200) customCache.clear();
    customCache.set(pattern, re);
  }
  return re;
}

/** All hits in `text`, ordered by position, without overlaps. */
export function detect(text: string, settings: Pick<DlpSettings, 'detectors' | 'customPatterns'>): DlpHit[] {
  const detectors: Detector[] = PRIORITY.filter((t) => (settings.detectors as string[]).includes(t)).map((t) => BUILTIN[t]!);
  for (const p of settings.customPatterns) detectors.push({ type: p.name, re: customRe(p.pattern) });
  const taken: DlpHit[] = [];
  for (const d of detectors) {
    d.re.lastIndex = 0;
    for (const m of text.matchAll(d.re)) {
      if (!m[0]) continue;
      const start = m.index, end = m.index + m[0].length;
      if (d.valid && !d.valid(m[0])) continue;
      if (taken.some((h) => start < h.end && h.start < end)) continue;
      taken.push({ type: d.type, start, end });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}
