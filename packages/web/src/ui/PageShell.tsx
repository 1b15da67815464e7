/** The frame of Settings and the admin console: a section nav on the left, content on the right. */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/context';
import { Icon, type IconName } from './Icon';
import { CountBadge } from './kit';
import { navigate } from './router';

/** A section link; `badge` shows a count (e.g. approvals waiting), spoken as its label. */
export interface NavEntry { id: string; label: string; icon: IconName; badge?: { count: number; label: string } }

export function PageShell({ title, subtitle, base, nav, active, children }: { title: string; subtitle?: string; base: string; nav: NavEntry[]; active: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="page-shell">
      <a href="#page-main" className="skip-link">{t('nav.skipToMain')}</a>
      <aside className="page-nav">
        <button type="button" className="back-link" onClick={() => navigate('/')}><Icon name="arrowLeft" /> {t('nav.backToChat')}</button>
        <div className="page-nav-title">
          <h1>{title}</h1>
          {subtitle && <p>{subtitle}</p>}
        </div>
        <nav aria-label={title}>
          <ul role="list">
            {nav.map((n) => (
              <li key={n.id}>
                <a
                  href={`${base}/${n.id}`} className={n.id === active ? 'active' : ''} aria-current={n.id === active ? 'page' : undefined}
                  onClick={(e) => { e.preventDefault(); navigate(`${base}/${n.id}`); }}
                >
                  <Icon name={n.icon} /> {n.label}
                  {n.badge && <CountBadge n={n.badge.count} label={n.badge.label} />}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <main className="page-main" id="page-main">{children}</main>
    </div>
  );
}

export function Card({ title, description, children, actions }: { title: string; description?: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      <header className="card-header">
        <div>
          <h2>{title}</h2>
          {description && <p className="muted">{description}</p>}
        </div>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children && <div className="card-body">{children}</div>}
    </section>
  );
}
