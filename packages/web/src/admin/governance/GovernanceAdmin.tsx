/**
 * Admin → Governance (GOV-1..5, docs/GOVERNANCE.md): retention policies, legal minimums, the
 * "why this retention" explanation, runs and receipts; legal holds; the data-subject request
 * queue; eDiscovery exports. One tab per part, each shown only to holders of its permission —
 * the server refuses the rest anyway. Loaded lazily: the chat route never carries it.
 */
import type { ReactNode } from 'react';
import { useApp } from '../../lib/app-context';
import { useGovI18n, type GovKey } from '../../i18n/gov';
import { Icon, type IconName } from '../../ui/Icon';
import { navigate, usePath } from '../../ui/router';
import { RetentionTab } from './RetentionTab';
import { HoldsTab } from './HoldsTab';
import { ReceiptsTab } from './ReceiptsTab';
import { DsarTab } from './DsarTab';
import { EdiscoveryTab } from './EdiscoveryTab';
import './governance.css';

interface GovTab { id: string; label: GovKey; icon: IconName; anyOf: string[]; render(): ReactNode }

const TABS: GovTab[] = [
  { id: 'retention', label: 'gov.tab.retention', icon: 'clock', anyOf: ['retention.manage'], render: () => <RetentionTab /> },
  { id: 'holds', label: 'gov.tab.holds', icon: 'lock', anyOf: ['legal_hold.manage'], render: () => <HoldsTab /> },
  { id: 'receipts', label: 'gov.tab.receipts', icon: 'fileText', anyOf: ['retention.manage', 'audit.read'], render: () => <ReceiptsTab /> },
  { id: 'requests', label: 'gov.tab.requests', icon: 'user', anyOf: ['dsar.decide'], render: () => <DsarTab /> },
  { id: 'ediscovery', label: 'gov.tab.ediscovery', icon: 'search', anyOf: ['ediscovery.export'], render: () => <EdiscoveryTab /> },
];

export default function GovernanceAdmin() {
  const app = useApp();
  const { t } = useGovI18n();
  const path = usePath();
  const tabs = TABS.filter((x) => x.anyOf.some((p) => app.can(p)));
  const active = tabs.find((x) => x.id === path.split('/')[3]) ?? tabs[0];
  if (!active) return null;
  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.governance')}</h2>
          <p className="muted gov-hint">{t('gov.hint')}</p>
        </div>
      </header>
      <nav className="subnav" aria-label={t('admin.nav.governance')}>
        {tabs.map((x) => (
          <a
            key={x.id} href={`/admin/governance/${x.id}`} className={x.id === active.id ? 'active' : ''} aria-current={x.id === active.id ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); navigate(`/admin/governance/${x.id}`); }}
          >
            <Icon name={x.icon} size={15} /> {t(x.label)}
          </a>
        ))}
      </nav>
      <div key={active.id} className="access-body gov-body" data-testid={`gov-${active.id}`}>{active.render()}</div>
    </>
  );
}
