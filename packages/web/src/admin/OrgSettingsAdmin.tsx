/** Organisation settings: name, who must use MFA, password policy, session lifetime, message size, edit history. */
import { useEffect, useState } from 'react';
import type { OrgSettings } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { setBranding } from '../lib/branding';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Field, SaveBar } from '../ui/kit';
import { useSubmit } from '../ui/use-submit';
import { Card } from '../ui/PageShell';
import { BUILTIN_ROLES, roleLabel } from './roles';

type Form = Pick<OrgSettings, 'name' | 'mfaRequiredRoles' | 'passwordPolicy' | 'sessionTtlHours' | 'maxMessageBytes' | 'editHistoryVisibleTo'>;

export function OrgSettingsAdmin() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, setError, submit } = useSubmit(async () => {
    if (!form) return; // the form is only on screen once the settings have loaded
    const { settings } = await app.client.org.updateSettings(form);
    setBranding({ orgName: settings.name });
    await app.refreshMe();
    setSaved(true);
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    app.client.org.getSettings().then(({ settings: s }) => setForm({
      name: s.name, mfaRequiredRoles: s.mfaRequiredRoles, passwordPolicy: s.passwordPolicy,
      sessionTtlHours: s.sessionTtlHours, maxMessageBytes: s.maxMessageBytes, editHistoryVisibleTo: s.editHistoryVisibleTo,
    }), (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!form) return error ? <p className="form-error" role="alert">{error}</p> : <div className="center-fill"><span className="spinner" /></div>;
  const set = (patch: Partial<Form>) => { setSaved(false); setForm({ ...form, ...patch }); };
  const setPolicy = (patch: Partial<Form['passwordPolicy']>) => set({ passwordPolicy: { ...form.passwordPolicy, ...patch } });

  return (
    <form onSubmit={submit}>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.organisation')}</h2>
          <p className="muted">{t('admin.org.hint')}</p>
        </div>
      </header>
      <Card title={t('admin.org.general')}>
        <div className="narrow">
          <Field label={t('admin.org.name')} hint={t('admin.org.nameHint')}>
            {(id, d) => <input id={id} value={form.name} onChange={(e) => set({ name: e.target.value })} maxLength={200} required aria-describedby={d} />}
          </Field>
        </div>
      </Card>
      <Card title={t('admin.org.mfa')} description={t('admin.org.mfaHint')}>
        <fieldset className="check-grid">
          <legend className="sr-only">{t('admin.org.mfa')}</legend>
          {BUILTIN_ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox" checked={form.mfaRequiredRoles.includes(r)}
                onChange={(e) => set({ mfaRequiredRoles: e.target.checked ? [...form.mfaRequiredRoles, r] : form.mfaRequiredRoles.filter((x) => x !== r) })}
              /> {roleLabel(r, t)}
            </label>
          ))}
        </fieldset>
      </Card>
      <Card title={t('admin.org.passwordPolicy')} description={t('admin.org.passwordPolicyHint')}>
        <div className="form-grid">
          <Field label={t('admin.org.minLength')}>
            {(id) => <input id={id} type="number" min={8} max={128} value={form.passwordPolicy.minLength} onChange={(e) => setPolicy({ minLength: Number(e.target.value) })} />}
          </Field>
          <div className="stack-sm">
            <label className="check"><input type="checkbox" checked={form.passwordPolicy.requireMixedCase} onChange={(e) => setPolicy({ requireMixedCase: e.target.checked })} /> {t('password.rule.mixed')}</label>
            <label className="check"><input type="checkbox" checked={form.passwordPolicy.requireDigit} onChange={(e) => setPolicy({ requireDigit: e.target.checked })} /> {t('password.rule.digit')}</label>
            <label className="check"><input type="checkbox" checked={form.passwordPolicy.requireSymbol} onChange={(e) => setPolicy({ requireSymbol: e.target.checked })} /> {t('password.rule.symbol')}</label>
          </div>
        </div>
      </Card>
      <Card title={t('admin.org.sessionsMessages')}>
        <div className="form-grid">
          <Field label={t('admin.org.sessionTtl')} hint={t('admin.org.sessionTtlHint')}>
            {(id, d) => <input id={id} type="number" min={1} max={2160} value={form.sessionTtlHours} onChange={(e) => set({ sessionTtlHours: Number(e.target.value) })} aria-describedby={d} />}
          </Field>
          <Field label={t('admin.org.maxMessage')} hint={i18n.bytes(form.maxMessageBytes)}>
            {(id, d) => <input id={id} type="number" min={1} max={1024} value={Math.round(form.maxMessageBytes / 1024)} onChange={(e) => set({ maxMessageBytes: Number(e.target.value) * 1024 })} aria-describedby={d} />}
          </Field>
          <Field label={t('admin.org.editHistory')}>
            {(id) => (
              <select id={id} value={form.editHistoryVisibleTo} onChange={(e) => set({ editHistoryVisibleTo: e.target.value as Form['editHistoryVisibleTo'] })}>
                <option value="author_and_admins">{t('admin.org.editHistory.authorAdmins')}</option>
                <option value="members">{t('admin.org.editHistory.members')}</option>
              </select>
            )}
          </Field>
        </div>
      </Card>
      <SaveBar error={error} saved={saved} busy={busy} />
    </form>
  );
}
