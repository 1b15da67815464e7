/**
 * Access control (ACL-1..5, GOV-6): the department tree, confidentiality levels with their
 * policies and the org-wide policies, industry presets, roles and their permissions, and the
 * privileged role grants waiting for a second administrator. One admin section with a tab per
 * part; each tab shows only to holders of its permission — the server refuses the rest anyway.
 */
import type { ReactNode } from 'react';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import type { MsgKey } from '../../i18n/en';
import { Icon, type IconName } from '../../ui/Icon';
import { CountBadge } from '../../ui/kit';
import { navigate, usePath } from '../../ui/router';
import { DepartmentsTab } from './DepartmentsTab';
import { LevelsTab } from './LevelsTab';
import { PresetsTab } from './PresetsTab';
import { RolesTab } from './RolesTab';
import { ApprovalsTab } from './ApprovalsTab';
import { APPROVALS_PERMISSION, usePendingGrants } from './pending-grants';
import './access.css';

interface AccessTab { id: string; label: MsgKey; icon: IconName; permission: string; render(): ReactNode }

const TABS: AccessTab[] = [
  { id: 'departments', label: 'access.tab.departments', icon: 'building', permission: 'departments.manage', render: () => <DepartmentsTab /> },
  { id: 'levels', label: 'access.tab.levels', icon: 'layers', permission: 'org.update_settings', render: () => <LevelsTab /> },
  { id: 'presets', label: 'access.tab.presets', icon: 'sliders', permission: 'org.update_settings', render: () => <PresetsTab /> },
  { id: 'roles', label: 'access.tab.roles', icon: 'key', permission: 'roles.manage', render: () => <RolesTab /> },
  { id: 'approvals', label: 'access.tab.approvals', icon: 'userCheck', permission: APPROVALS_PERMISSION, render: () => <ApprovalsTab /> },
];

/** Permissions that open this section at all. */
export const ACCESS_PERMISSIONS = [...new Set(TABS.map((t) => t.permission))];

export function AccessAdmin() {
  const app = useApp();
  const { t } = useI18n();
  const path = usePath();
  const { decidable } = usePendingGrants();
  const tabs = TABS.filter((x) => app.can(x.permission));
  const active = tabs.find((x) => x.id === path.split('/')[3]) ?? tabs[0];
  if (!active) return null;
  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.access')}</h2>
          <p className="muted">{t('access.hint')}</p>
        </div>
      </header>
      <nav className="subnav" aria-label={t('admin.nav.access')}>
        {tabs.map((x) => (
          <a
            key={x.id} href={`/admin/access/${x.id}`} className={x.id === active.id ? 'active' : ''} aria-current={x.id === active.id ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); navigate(`/admin/access/${x.id}`); }}
          >
            <Icon name={x.icon} size={15} /> {t(x.label)}
            {x.id === 'approvals' && <CountBadge n={decidable} label={t('access.approvals.waiting', { n: decidable })} />}
          </a>
        ))}
      </nav>
      <div key={active.id} className="access-body" data-testid={`access-${active.id}`}>{active.render()}</div>
    </>
  );
}
