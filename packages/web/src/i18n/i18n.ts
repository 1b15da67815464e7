/**
 * Tiny i18n: flat dictionaries (en is the source of keys; zh-CN must have every key, the type
 * checker enforces it), `{name}` interpolation, Intl for dates, numbers and relative time.
 * The language follows the browser until the user picks one (kept in localStorage).
 */
import { en, type MsgKey } from './en';
import { zhCN } from './zh-CN';

export type Lang = 'en' | 'zh-CN';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];
const DICTS: Record<Lang, Record<MsgKey, string>> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'conclave.lang';

/** The saved choice, else the first browser language we support, else English. */
export function initialLang(): Lang {
  const saved = safeGet(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const prefs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  for (const p of prefs) {
    const l = p.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export function saveLang(lang: Lang): void {
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* private mode */ }
}

function safeGet(key: string): string | null {
  try { return localStorage.getItem(key); } catch { return null; }
}

export type Vars = Record<string, string | number>;

/** Everything a component needs to speak the user's language. */
export interface I18n {
  lang: Lang;
  t(key: MsgKey, vars?: Vars): string;
  /** Picks `<key>.one` / `<key>.other` by the language's plural rules, with {count} formatted. */
  plural(key: string, count: number, vars?: Vars): string;
  num(n: number, opts?: Intl.NumberFormatOptions): string;
  time(ms: number): string;
  dateTime(ms: number): string;
  date(ms: number): string;
  /** "Today", "Yesterday", or a full date for day separators. */
  day(ms: number): string;
  relative(ms: number): string;
  bytes(n: number): string;
}

export function makeI18n(lang: Lang): I18n {
  const dict = DICTS[lang];
  const pr = new Intl.PluralRules(lang);
  const nf = new Intl.NumberFormat(lang);
  const tf = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
  const dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const df = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
  const dayF = new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric' });
  const dayYearF = new Intl.DateTimeFormat(lang, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const fill = (s: string, vars?: Vars) =>
    vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? (typeof vars[k] === 'number' ? nf.format(vars[k] as number) : String(vars[k])) : m)) : s;
  const t = (key: MsgKey, vars?: Vars) => fill(dict[key] ?? en[key] ?? key, vars);
  return {
    lang,
    t,
    plural(key, count, vars) {
      const form = pr.select(count) === 'one' ? 'one' : 'other';
      return t(`${key}.${form}` as MsgKey, { ...vars, count });
    },
    num: (n, opts) => (opts ? new Intl.NumberFormat(lang, opts).format(n) : nf.format(n)),
    time: (ms) => tf.format(ms),
    dateTime: (ms) => dtf.format(ms),
    date: (ms) => df.format(ms),
    day(ms) {
      const d = new Date(ms);
      const today = new Date();
      const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
      const diff = Math.round((startOf(today) - startOf(d)) / 86_400_000);
      if (diff === 0) return t('day.today');
      if (diff === 1) return t('day.yesterday');
      return (d.getFullYear() === today.getFullYear() ? dayF : dayYearF).format(d);
    },
    relative(ms) {
      const s = Math.round((ms - Date.now()) / 1000);
      const a = Math.abs(s);
      if (a < 45) return t('time.justNow');
      if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
      if (a < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
      if (a < 30 * 86_400) return rtf.format(Math.round(s / 86_400), 'day');
      return dtf.format(ms);
    },
    bytes(n) {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
      let i = 0;
      while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
      return new Intl.NumberFormat(lang, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: n < 10 && i > 0 ? 1 : 0 }).format(n);
    },
  };
}
