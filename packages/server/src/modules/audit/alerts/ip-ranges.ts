/**
 * IP ranges for the login rules (MON-1). No GeoIP database is shipped and nothing is looked
 * up outside (GOV-4), so "where" is approximated by network prefixes:
 * - network: IPv4 /24, IPv6 /48 — a user's usual office or home network;
 * - region:  IPv4 /16, IPv6 /32 — a provider or site; two of them within minutes is the
 *   "impossible travel" signal.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The 8 groups of an IPv6 address, or null. */
function ipv6Groups(ip: string): number[] | null {
  if (!isIPv6(ip)) return null;
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parse(head);
  const t = parse(tail);
  return tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

function v4(ip: string): number[] | null {
  if (isIPv4(ip)) return ip.split('.').map(Number);
  const g = ipv6Groups(ip);
  if (g && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255];
  return null;
}

/** The prefix of `ip` with `v4Bits` (multiple of 8) or `v6Bits` (multiple of 16), as CIDR text; null if not an IP. */
export function ipPrefix(ip: string | null | undefined, v4Bits: 8 | 16 | 24 | 32, v6Bits: 16 | 32 | 48 | 64): string | null {
  if (!ip) return null;
  const a = v4(ip);
  if (a) {
    const keep = v4Bits / 8;
    return `${a.map((x, i) => (i < keep ? x : 0)).join('.')}/${v4Bits}`;
  }
  const g = ipv6Groups(ip);
  if (!g) return null;
  const keep = v6Bits / 16;
  return `${g.slice(0, keep).map((x) => x.toString(16)).join(':')}::/${v6Bits}`;
}

/** The user's "network" (IPv4 /24, IPv6 /48). */
export const networkOf = (ip: string | null | undefined) => ipPrefix(ip, 24, 48);
/** The wider "region" (IPv4 /16, IPv6 /32). */
export const regionOf = (ip: string | null | undefined) => ipPrefix(ip, 16, 32);
