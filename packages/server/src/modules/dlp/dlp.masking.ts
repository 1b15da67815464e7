/**
 * Masking (DLP-3 "mask" action, DLP-4 role-based masking): 138****5678, 110***********002X,
 * 6222 **** **** 1234, z***@example.com, an address reduced to its city and district.
 */
import type { DlpHit } from '@conclave/protocol';

/** Keeps the first `head` and last `tail` digits; other digits become `*`, separators stay. */
function maskDigits(value: string, head: number, tail: number): string {
  const total = value.replace(/\D/g, '').length;
  let seen = 0;
  return value.replace(/\d/g, (d) => {
    seen++;
    return seen <= head || seen > total - tail ? d : '*';
  });
}

/** 13812345678 → 138****5678 (a +86 prefix is kept as is). */
export function maskPhone(value: string): string {
  const m = /^(\+?86[\s-]?)?(.*)$/.exec(value)!;
  return (m[1] ?? '') + maskDigits(m[2]!, 3, 4);
}

/** 11010519491231002X → 110***********002X. */
export function maskIdNumber(value: string): string {
  return value.length <= 7 ? '*'.repeat(value.length) : value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

/** 6222021234567890123 → 6222***********0123 (grouping kept). */
export function maskBankCard(value: string): string {
  return maskDigits(value, 4, 4);
}

/** zhang.san@example.com → z***@example.com. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

/**
 * An address reduced to its city and district: 北京市海淀区中关村大街27号 → 北京市海淀区,
 * 浙江省杭州市西湖区文三路 → 浙江省杭州市西湖区; "12 Baker St, Marylebone, London" → "Marylebone, London".
 */
export function maskAddress(value: string): string {
  const cn = /^((?:[^省市区县]{1,12}(?:省|自治区|特别行政区))?(?:[^省市区县]{1,12}?(?:市|自治州|地区|盟))?(?:[^省市区县]{1,12}?(?:区|县|旗|市))?)/u.exec(value);
  if (cn && cn[1] && cn[1].length < value.length && /[\u4e00-\u9fff]/u.test(cn[1])) return cn[1];
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.length > 2 ? parts.slice(-2).join(', ') : parts.length === 2 ? parts[1]! : '***';
}

/** The masked form of a detector hit's value. */
export function maskValue(type: string, value: string): string {
  switch (type) {
    case 'cn_mobile': return maskPhone(value);
    case 'cn_id': return maskIdNumber(value);
    case 'bank_card': return maskBankCard(value);
    case 'email': return maskEmail(value);
    default: return '*'.repeat(Math.min(value.length, 12));
  }
}

/** `text` with every hit replaced by its masked form. */
export function maskHits(text: string, hits: DlpHit[]): string {
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + maskValue(h.type, text.slice(h.start, h.end));
    at = h.end;
  }
  return out + text.slice(at);
}
