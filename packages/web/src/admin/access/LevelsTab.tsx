/**
 * Levels & policies (ACL-2, ACL-3, org.update_settings): the ordered confidentiality levels
 * with what each allows (forwarding, copying, downloads, two-step, end-to-end encryption,
 * retention), the org-wide policies, and who may create groups, channels and invite externals.
 * The level list itself (add, relabel, reorder, remove) is edited in LevelListDialog.
 */
import { useEffect, useState } from 'react';
import type { OrgSettings } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import type { MsgKey } from '../../i18n/en';
import { errorText } from '../../lib/errors';
import { Badge, Button, Field, SaveBar } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { Card } from '../../ui/PageShell';
import { roleLabel } from '../roles';
import { LevelListDialog } from './LevelListDialog';
import { Loading, sortRoles, type Role } from './shared';

type LevelPolicy = OrgSettings['levelPolicies'][string];
type PolicyForm = Pick<OrgSettings, 'levels' | 'levelLabels' | 'levelPolicies' | 'defaultLevel' | 'directoryVisibility' | 'historyVisibleToNewMembers' | 'guestDmToNonMembers' | 'dualControlRoleGrants'>;
const FLAGS = [
  ['forwardingAllowed', 'access.level.forwarding'],
  ['copyAllowed', 'access.level.copying'],
  ['downloadsAllowed', 'access.level.downloads'],
  ['mfaRequired', 'access.level.mfa'],
  ['e2eeRequired', 'access.level.e2ee'],
] as const;
const DEFAULT_POLICY: LevelPolicy = { forwardingAllowed: true, copyAllowed: true, downloadsAllowed: true, mfaRequired: false, e2eeRequired: false, retentionDays: null };
/** Permissions behind the "who may" policies: they live on roles. */
const WHO_MAY = [
  ['conversations.create_group', 'access.who.createGroup'],
  ['conversations.create_channel', 'access.who.createChannel'],
  ['conversations.invite_guests', 'access.who.inviteGuests'],
] as const;

function formOf(s: OrgSettings): PolicyForm {
  return {
    levels: s.levels, levelLabels: s.levelLabels ?? {}, levelPolicies: s.levelPolicies, defaultLevel: s.defaultLevel, directoryVisibility: s.directoryVisibility,
    historyVisibleToNewMembers: s.historyVisibleToNewMembers, guestDmToNonMembers: s.guestDmToNonMembers, dualControlRoleGrants: s.dualControlRoleGrants,
  };
}

export function LevelsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const policyOf = (level: string): LevelPolicy => form?.levelPolicies[level] ?? DEFAULT_POLICY;
  const labelOf = (level: string) => form?.levelLabels?.[level] || level;
  const { busy, error, setError, submit } = useSubmit(async () => {
    if (!form) return; // the form is only on screen once the settings have loaded
    const levelPolicies = Object.fromEntries(form.levels.map((l) => [l, policyOf(l)]));
    const { settings } = await app.client.org.updateSettings({
      levelPolicies, directoryVisibility: form.directoryVisibility, historyVisibleToNewMembers: form.historyVisibleToNewMembers,
      guestDmToNonMembers: form.guestDmToNonMembers, dualControlRoleGrants: form.dualControlRoleGrants,
    });
    setForm({ ...form, levelPolicies: settings.levelPolicies });
    await app.refreshMe();
    setSaved(true);
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    app.client.org.getSettings().then(({ settings }) => setForm(formOf(settings)), (err) => setError(errorText(err, i18n)));
    if (app.can('roles.manage')) app.client.http.request('listRoles').then((r) => setRoles(r.roles), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!form) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const set = (patch: Partial<PolicyForm>) => { setSaved(false); setForm({ ...form, ...patch }); };
  const setLevel = (level: string, patch: Partial<LevelPolicy>) => set({ levelPolicies: { ...form.levelPolicies, [level]: { ...policyOf(level), ...patch } } });

  /** After the list changed: the server's levels and labels, and unsaved policy edits kept for levels that stayed. */
  const onLevelsSaved = (s: OrgSettings) => {
    setEditing(false);
    setNotice(t('access.levels.saved'));
    setForm({
      ...form, levels: s.levels, levelLabels: s.levelLabels ?? {}, defaultLevel: s.defaultLevel,
      levelPolicies: Object.fromEntries(s.levels.map((l) => [l, form.levels.includes(l) ? policyOf(l) : s.levelPolicies[l] ?? DEFAULT_POLICY])),
    });
    void app.refreshMe();
  };

  return (
    <>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
      <form onSubmit={submit} className="stack">
        <Card
          title={t('access.level.title')} description={t('access.level.hint')}
          actions={<Button icon="edit" onClick={() => { setNotice(null); setEditing(true); }} data-testid="edit-levels">{t('access.levels.edit')}</Button>}
        >
          <div className="table-wrap flat">
            <table className="table level-table" data-testid="levels-table">
              <caption className="sr-only">{t('access.level.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('access.level.level')}</th>
                  {FLAGS.map(([k, label]) => <th key={k} scope="col" className="center">{t(label)}</th>)}
                  <th scope="col">{t('access.level.retention')}</th>
                </tr>
              </thead>
              <tbody>
                {form.levels.map((level, i) => {
                  const p = policyOf(level);
                  const label = labelOf(level);
                  return (
                    <tr key={level} data-level={level}>
                      <th scope="row">
                        <span className="level-cell">
                          <span className="level-rank" aria-hidden="true">{i + 1}</span>
                          {/* A label shows as the admin typed it; a bare name is capitalised by the badge. */}
                          <Badge tone="level">{label !== level ? <span className="as-typed">{label}</span> : label}</Badge>
                          {label.toLowerCase() !== level && <code className="muted small">{level}</code>}
                          {level === form.defaultLevel && <span className="muted small">{t('access.level.default')}</span>}
                        </span>
                      </th>
                      {FLAGS.map(([k, flag]) => (
                        <td key={k} className="center">
                          <input
                            type="checkbox" className="level-check" checked={p[k]} onChange={(e) => setLevel(level, { [k]: e.target.checked })}
                            aria-label={t('access.level.flagFor', { flag: t(flag), level })}
                          />
                        </td>
                      ))}
                      <td>
                        <span className="retention-input">
                          <input
                            type="number" min={1} max={36500} inputMode="numeric" placeholder={t('access.level.keepForever')}
                            value={p.retentionDays ?? ''} aria-label={t('access.level.retentionFor', { level })}
                            onChange={(e) => setLevel(level, { retentionDays: e.target.value ? Math.max(1, Math.round(Number(e.target.value))) : null })}
                          />
                          <span className="muted small">{p.retentionDays ? retentionText(p.retentionDays, t) : t('access.level.days')}</span>
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted small level-note"><Icon name="info" size={14} /> {t('access.level.orderHint')}</p>
        </Card>

        <Card title={t('access.org.title')} description={t('access.org.hint')}>
          <div className="form-grid">
            <Field label={t('access.org.directory')} hint={t(`access.org.directory.${form.directoryVisibility}.hint` as MsgKey)}>
              {(id, d) => (
                <select id={id} value={form.directoryVisibility} aria-describedby={d} onChange={(e) => set({ directoryVisibility: e.target.value as PolicyForm['directoryVisibility'] })}>
                  <option value="all">{t('access.org.directory.all')}</option>
                  <option value="department">{t('access.org.directory.department')}</option>
                  <option value="explicit">{t('access.org.directory.explicit')}</option>
                </select>
              )}
            </Field>
            <fieldset className="stack-sm plain">
              <legend className="sr-only">{t('access.org.title')}</legend>
              <label className="check"><input type="checkbox" checked={form.historyVisibleToNewMembers} onChange={(e) => set({ historyVisibleToNewMembers: e.target.checked })} /> {t('access.org.history')}</label>
              <label className="check"><input type="checkbox" checked={form.guestDmToNonMembers} onChange={(e) => set({ guestDmToNonMembers: e.target.checked })} /> {t('access.org.guestDm')}</label>
              <label className="check"><input type="checkbox" checked={form.dualControlRoleGrants} onChange={(e) => set({ dualControlRoleGrants: e.target.checked })} /> {t('access.org.dualControl')}</label>
            </fieldset>
          </div>
          {roles && (
            <div className="who-may">
              <h3 className="section-title">{t('access.who.title')}</h3>
              <dl className="deflist who-list">
                {WHO_MAY.map(([perm, label]) => {
                  const holders = sortRoles(roles.filter((r) => r.permissions.includes(perm)));
                  return (
                    <div key={perm} className="who-row">
                      <dt>{t(label)}</dt>
                      <dd>{holders.length ? holders.map((r) => <Badge key={r.name}>{roleLabel(r.name, t)}</Badge>) : <span className="muted">{t('access.who.nobody')}</span>}</dd>
                    </div>
                  );
                })}
              </dl>
              <p className="muted small">{t('access.who.hint')}</p>
            </div>
          )}
        </Card>
        <SaveBar error={error} saved={saved} busy={busy} />
      </form>
      {editing && (
        <LevelListDialog
          levels={form.levels} labels={form.levelLabels ?? {}} defaultLevel={form.defaultLevel}
          onClose={() => setEditing(false)} onSaved={onLevelsSaved}
        />
      )}
    </>
  );
}

function retentionText(days: number, t: (k: MsgKey, v?: Record<string, string | number>) => string): string {
  if (days % 365 === 0) return t('access.level.years', { n: days / 365 });
  if (days >= 365 && Math.abs(days / 365 - Math.round(days / 365)) < 0.01) return t('access.level.aboutYears', { n: Math.round(days / 365) });
  return t('access.level.days');
}
