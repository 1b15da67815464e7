/**
 * The admin console at /admin (owners and admins). Sections are a table: roles, departments,
 * confidentiality levels, policies and presets, role-grant approvals (counted in the navigation
 * while any wait for this admin), audit, alerts, and Governance (retention, legal
 * holds, receipts, data-subject requests, eDiscovery; its own lazy chunk). Each section shows
 * only to holders of its permission.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { useApp } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import type { MsgKey } from '../i18n/en';
import { PageShell } from '../ui/PageShell';
import { usePath } from '../ui/router';
import type { IconName } from '../ui/Icon';
import { UsersAdmin } from './UsersAdmin';
import { OrgSettingsAdmin } from './OrgSettingsAdmin';
import { HealthAdmin } from './HealthAdmin';
import { AuditAdmin } from './AuditAdmin';
import { AlertsAdmin } from './AlertsAdmin';
import { AccessAdmin, ACCESS_PERMISSIONS } from './access/AccessAdmin';
import { PendingGrantsProvider, usePendingGrants } from './access/pending-grants';
import { GOVERNANCE_PERMISSIONS } from './governance/permissions';
import { Spinner } from '../ui/kit';

/** Its own chunk: governance screens and messages load only when the section opens. */
const GovernanceAdmin = lazy(() => import('./governance/GovernanceAdmin'));

interface AdminSection { id: string; label: MsgKey; icon: IconName; permission?: string; anyOf?: readonly string[]; render(): ReactNode }

const SECTIONS: AdminSection[] = [
  { id: 'users', label: 'admin.nav.users', icon: 'users', permission: 'users.create', render: () => <UsersAdmin /> },
  { id: 'organisation', label: 'admin.nav.organisation', icon: 'building', permission: 'org.update_settings', render: () => <OrgSettingsAdmin /> },
  { id: 'access', label: 'admin.nav.access', icon: 'lock', anyOf: ACCESS_PERMISSIONS, render: () => <AccessAdmin /> },
  { id: 'audit', label: 'admin.nav.audit', icon: 'fileText', permission: 'audit.read', render: () => <AuditAdmin /> },
  { id: 'alerts', label: 'admin.nav.alerts', icon: 'bell', permission: 'alerts.manage', render: () => <AlertsAdmin /> },
  { id: 'governance', label: 'admin.nav.governance', icon: 'shield', anyOf: GOVERNANCE_PERMISSIONS, render: () => <GovernanceSection /> },
  { id: 'health', label: 'admin.nav.health', icon: 'activity', render: () => <HealthAdmin /> },
];

export default function AdminConsole() {
  return <PendingGrantsProvider><Console /></PendingGrantsProvider>;
}

function Console() {
  const app = useApp();
  const { t } = useI18n();
  const path = usePath();
  const visible = SECTIONS.filter((s) => (!s.permission || app.can(s.permission)) && (!s.anyOf || s.anyOf.some((p) => app.can(p))));
  const active = visible.find((s) => s.id === path.split('/')[2]) ?? visible[0];
  // Grants waiting for this admin's decision (dual control): counted on Access control.
  const { decidable } = usePendingGrants();
  const badge = (id: string) => (id === 'access' && decidable ? { count: decidable, label: t('access.approvals.waiting', { n: decidable }) } : undefined);
  return (
    <PageShell
      title={t('admin.title')} subtitle={app.me.org.name} base="/admin" active={active.id}
      nav={visible.map((s) => ({ id: s.id, label: t(s.label), icon: s.icon, badge: badge(s.id) }))}
    >
      {active.render()}
    </PageShell>
  );
}

function GovernanceSection() {
  const { t } = useI18n();
  return <Suspense fallback={<Spinner label={t('common.loading')} />}><GovernanceAdmin /></Suspense>;
}
