import { useId } from 'react';
import { useI18n } from '../i18n/context';
import { LANGS, type Lang } from '../i18n/i18n';
import { Icon } from './Icon';

export function LanguageSelect({ compact }: { compact?: boolean }) {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <span className={`lang-select ${compact ? 'compact' : ''}`}>
      <label htmlFor={id} className={compact ? 'sr-only' : undefined}>{t('settings.language')}</label>
      {compact && <Icon name="globe" />}
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="language-select">
        {LANGS.map((l) => <option key={l.id} value={l.id} lang={l.id}>{l.label}</option>)}
      </select>
    </span>
  );
}
