/** Industry presets (GOV-6, docs/PRESETS.md): four documented bundles, each applied after a confirmation. */
import { useEffect, useState } from 'react';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import type { MsgKey } from '../../i18n/en';
import { errorText } from '../../lib/errors';
import { Badge, Button, Modal } from '../../ui/kit';
import { Icon, type IconName } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { Loading } from './shared';

const PRESETS = ['finance', 'healthcare', 'manufacturing', 'government'] as const;
type Preset = (typeof PRESETS)[number];
const PRESET_ICON: Record<Preset, IconName> = { finance: 'lock', healthcare: 'shield', manufacturing: 'building', government: 'key' };
const PRESET_POINTS: Record<Preset, number> = { finance: 4, healthcare: 3, manufacturing: 3, government: 4 };

export function PresetsTab() {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [current, setCurrent] = useState<string | null | undefined>(undefined);
  const [confirm, setConfirm] = useState<Preset | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const name = (p: Preset) => t(`access.preset.${p}` as MsgKey);
  const { busy, error, setError, submit: apply } = useSubmit(async () => {
    const preset = confirm;
    if (!preset) return; // the apply button only exists while a preset is being confirmed
    const { settings } = await app.client.http.request('applyPreset', { body: { preset } });
    setCurrent(settings.preset);
    setConfirm(null);
    setNotice(t('access.preset.applied', { name: name(preset) }));
    await app.refreshMe();
  }, (err) => errorText(err, i18n));

  useEffect(() => {
    app.client.org.getSettings().then(({ settings }) => setCurrent(settings.preset), (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (current === undefined) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  return (
    <>
      <p className="muted">{t('access.preset.hint')}</p>
      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
      {error && !confirm && <p className="form-error" role="alert">{error}</p>}
      <ul className="preset-grid" role="list">
        {PRESETS.map((p) => (
          <li key={p} className={`preset-card ${current === p ? 'current' : ''}`} data-preset={p}>
            <div className="preset-head">
              <span className="preset-icon" aria-hidden="true"><Icon name={PRESET_ICON[p]} size={20} /></span>
              <h3>{name(p)}</h3>
              {current === p && <Badge tone="success"><Icon name="check" size={12} /> {t('access.preset.current')}</Badge>}
            </div>
            <p className="preset-desc">{t(`access.preset.${p}.desc` as MsgKey)}</p>
            <ul className="preset-points">
              {Array.from({ length: PRESET_POINTS[p] }, (_, i) => <li key={i}><Icon name="check" size={13} /> {t(`access.preset.${p}.${i + 1}` as MsgKey)}</li>)}
            </ul>
            <div className="preset-foot">
              {/* The visible words start the accessible name (WCAG 2.5.3, axe label-content-name-mismatch); the preset follows for screen readers. */}
              <Button onClick={() => { setError(null); setConfirm(p); }}>
                {current === p ? t('access.preset.reapply') : t('access.preset.apply')}<span className="sr-only">{t('access.preset.forName', { name: name(p) })}</span>
              </Button>
            </div>
          </li>
        ))}
      </ul>
      {confirm && (
        <Modal
          title={t('access.preset.confirmTitle', { name: name(confirm) })} onClose={() => setConfirm(null)}
          footer={<>
            <Button variant="ghost" onClick={() => setConfirm(null)}>{t('common.cancel')}</Button>
            <Button variant="primary" busy={busy} data-testid="confirm-preset" onClick={() => void apply()}>{t('access.preset.apply')}</Button>
          </>}
        >
          <div className="stack">
            <p>{t('access.preset.confirmBody')}</p>
            <ul className="preset-points">
              {Array.from({ length: PRESET_POINTS[confirm] }, (_, i) => <li key={i}><Icon name="check" size={13} /> {t(`access.preset.${confirm}.${i + 1}` as MsgKey)}</li>)}
            </ul>
            {confirm !== 'manufacturing' && <div className="notice notice-warning"><Icon name="alert" /> <span>{t('access.preset.mfaWarning')}</span></div>}
            {error && <p className="form-error" role="alert">{error}</p>}
          </div>
        </Modal>
      )}
    </>
  );
}
