/**
 * Branding (INT-3): organisation name, logo, primary colour and login-page text, applied at
 * run time through CSS variables — no rebuild. Today the server provides the organisation
 * name (via /me); the rest slots in when the branding endpoint lands (`setBranding` takes
 * it as is). The last known branding is kept so the sign-in page shows it too.
 */
import { useSyncExternalStore } from 'react';

export interface Branding {
  orgName: string | null;
  logoUrl: string | null;
  primaryColor: string | null;
  loginHeadline: string | null;
  loginText: string | null;
}

const KEY = 'conclave.branding';
const EMPTY: Branding = { orgName: null, logoUrl: null, primaryColor: null, loginHeadline: null, loginText: null };
let current: Branding = load();
const listeners = new Set<() => void>();

function load(): Branding {
  try {
    return { ...EMPTY, ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Branding>) };
  } catch {
    return EMPTY;
  }
}

export function setBranding(patch: Partial<Branding>): void {
  current = { ...current, ...patch };
  try { localStorage.setItem(KEY, JSON.stringify(current)); } catch { /* ignore */ }
  applyBranding(current);
  for (const l of listeners) l();
}

/** Derives the brand palette from one colour; invalid colours are ignored. */
export function applyBranding(b: Branding): void {
  const root = document.documentElement.style;
  const c = b.primaryColor && /^#[0-9a-f]{6}$/i.test(b.primaryColor) ? b.primaryColor : null;
  if (!c) {
    for (const v of ['--brand', '--brand-hover', '--brand-soft', '--brand-contrast']) root.removeProperty(v);
    return;
  }
  root.setProperty('--brand', c);
  root.setProperty('--brand-hover', `color-mix(in srgb, ${c} 85%, black)`);
  root.setProperty('--brand-soft', `color-mix(in srgb, ${c} 12%, white)`);
  root.setProperty('--brand-contrast', luminance(c) > 0.55 ? '#111827' : '#ffffff');
  if (b.orgName) document.title = b.orgName;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function useBranding(): Branding {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => current);
}

applyBranding(current);
