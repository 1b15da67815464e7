import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { initialLang, makeI18n, saveLang, type I18n, type Lang } from './i18n';

interface Ctx extends I18n { setLang(lang: Lang): void }
const I18nContext = createContext<Ctx | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<Ctx>(() => {
    document.documentElement.lang = lang;
    return {
      ...makeI18n(lang),
      setLang(next) { saveLang(next); setLangState(next); },
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language's t(), plural() and Intl formatters. */
export function useI18n(): Ctx {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
