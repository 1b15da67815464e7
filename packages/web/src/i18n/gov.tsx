/**
 * The governance screens' messages (admin → Governance, Settings → My data). They live in their
 * own pair of dictionaries so that only those lazily loaded screens carry them, not the chat
 * route. Same rules as en.ts / zh-CN.ts: gov.en.ts is the source of keys and the type checker
 * makes gov.zh-CN.ts define every one; `t` also accepts every main-dictionary key.
 */
import { useMemo } from 'react';
import { useI18n } from './context';
import type { MsgKey } from './en';
import type { Vars } from './i18n';
import { govEn, type GovKey } from './gov.en';
import { govZhCN } from './gov.zh-CN';

export type { GovKey };
export type GovI18n = ReturnType<typeof useI18n> & { t(key: MsgKey | GovKey, vars?: Vars): string };

/** useI18n() whose `t` also knows the governance keys. */
export function useGovI18n(): GovI18n {
  const i18n = useI18n();
  return useMemo(() => {
    const dict: Record<GovKey, string> = i18n.lang === 'zh-CN' ? govZhCN : govEn;
    const nf = new Intl.NumberFormat(i18n.lang);
    const fill = (s: string, vars?: Vars) =>
      vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? (typeof vars[k] === 'number' ? nf.format(vars[k] as number) : String(vars[k])) : m)) : s;
    const t = (key: MsgKey | GovKey, vars?: Vars): string =>
      Object.prototype.hasOwnProperty.call(govEn, key) ? fill(dict[key as GovKey] ?? govEn[key as GovKey], vars) : i18n.t(key as MsgKey, vars);
    return { ...i18n, t };
  }, [i18n]);
}
