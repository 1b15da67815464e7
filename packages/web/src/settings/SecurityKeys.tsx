/**
 * Settings → Security → Security keys (IAM-1): add (name + password + the browser prompt), list
 * with last use, rename in place, remove after a confirmation. A person whose only second
 * factor is keys also manages their recovery codes here.
 */
import { useState, type FormEvent } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import type { MsgKey } from '../i18n/en';
import { RecoveryCodes } from '../auth/AuthScreens';
import { keyErrorText, SecurityKeyEnrol } from '../auth/security-keys';
import { Badge, Button, Modal } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { Card } from '../ui/PageShell';
import { useSubmit } from '../ui/use-submit';

export type SecondFactors = ResponseOf<'listSecurityKeys'>;
type Key = SecondFactors['credentials'][number];

export function SecurityKeysCard({ factors, reload }: { factors: SecondFactors | null; reload(): Promise<void> }) {
  const app = useApp();
  const i18n = useI18n();
  const { t, plural } = i18n;
  const [adding, setAdding] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [added, setAdded] = useState(false);
  const [removing, setRemoving] = useState<Key | null>(null);
  const keys = factors?.credentials ?? [];
  const regenerate = useSubmit(async () => setCodes((await app.client.auth.regenerateRecoveryCodes()).recoveryCodes), (err) => keyErrorText(err, i18n));

  const afterChange = async () => {
    await reload();
    await app.refreshMe();
  };

  return (
    <Card
      title={t('webauthn.settings.title')} description={t('webauthn.settings.hint')}
      actions={keys.length ? <Badge tone="success"><Icon name="key" size={12} /> {plural('webauthn.settings.count', keys.length)}</Badge> : undefined}
    >
      <div data-testid="security-keys">
        {codes ? (
          <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
        ) : (
          <>
            {keys.length ? (
              <ul className="session-list key-list" aria-label={t('webauthn.settings.listLabel')}>
                {keys.map((k) => <KeyRow key={k.id} k={k} onChanged={reload} onRemove={() => setRemoving(k)} />)}
              </ul>
            ) : factors && <p className="muted key-empty">{t('webauthn.settings.none')}</p>}
            {added && !adding && <p className="notice-inline success" role="status"><Icon name="check" /> {t('webauthn.settings.addedNotice')}</p>}
            {adding ? (
              <SecurityKeyEnrol
                client={app.client} askPassword onCancel={() => setAdding(false)}
                onDone={(res) => { setAdding(false); setAdded(true); if (res.recoveryCodes) setCodes(res.recoveryCodes); void afterChange(); }}
              />
            ) : (
              <div className="key-footer">
                <Button variant="primary" icon="plus" onClick={() => { setAdding(true); setAdded(false); }} data-testid="add-security-key">{t('webauthn.settings.add')}</Button>
                {factors && keys.length > 0 && !factors.totpEnabled && (
                  <span className="row gap">
                    <span className="muted small">{t('webauthn.settings.recoveryLeft', { n: factors.recoveryCodesLeft })}</span>
                    <Button size="sm" icon="refresh" busy={regenerate.busy} onClick={() => void regenerate.submit()}>{t('settings.regenerateCodes')}</Button>
                  </span>
                )}
              </div>
            )}
            {regenerate.error && <p className="form-error" role="alert">{regenerate.error}</p>}
          </>
        )}
      </div>
      {removing && <RemoveKeyDialog k={removing} onClose={() => setRemoving(null)} onRemoved={() => { setRemoving(null); void afterChange(); }} />}
    </Card>
  );
}

function transportLabel(tr: string, t: ReturnType<typeof useI18n>['t']): string {
  const key = `webauthn.transport.${tr}` as MsgKey;
  const label = t(key);
  return label === key ? tr : label;
}

function KeyRow({ k, onChanged, onRemove }: { k: Key; onChanged(): Promise<void>; onRemove(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t, date, relative } = i18n;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(k.name);
  const rename = useSubmit(async () => {
    await app.client.webauthn.rename(k.id, name);
    setEditing(false);
    await onChanged();
  }, (err) => keyErrorText(err, i18n));
  const save = (e: FormEvent) => void rename.submit(e);
  return (
    <li className="session-row key-row" data-testid="security-key-row" data-key-name={k.name}>
      <span className="session-icon" aria-hidden="true"><Icon name="key" size={20} /></span>
      {editing ? (
        <form className="key-rename" onSubmit={save} noValidate>
          <input aria-label={t('webauthn.settings.renameLabel', { name: k.name })} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} autoFocus />
          <Button type="submit" size="sm" variant="primary" busy={rename.busy} disabled={!name.trim()}>{t('common.save')}</Button>
          <Button size="sm" variant="ghost" onClick={() => { setEditing(false); setName(k.name); rename.setError(null); }}>{t('common.cancel')}</Button>
          {rename.error && <p className="form-error" role="alert">{rename.error}</p>}
        </form>
      ) : (
        <>
          <span className="session-text">
            <span className="session-device">{k.name} {k.backedUp && <Badge>{t('webauthn.settings.synced')}</Badge>}</span>
            <span className="muted small">
              {[
                ...k.transports.map((tr) => transportLabel(tr, t)),
                t('webauthn.settings.added', { when: date(k.createdAt) }),
                k.lastUsedAt ? t('webauthn.settings.lastUsed', { when: relative(k.lastUsedAt) }) : t('webauthn.settings.neverUsed'),
              ].join(' · ')}
            </span>
          </span>
          <span className="key-row-actions">
            <Button size="sm" variant="ghost" icon="edit" onClick={() => setEditing(true)} aria-label={`${t('webauthn.settings.rename')}: ${k.name}`}>{t('webauthn.settings.rename')}</Button>
            <Button size="sm" variant="danger" icon="trash" onClick={onRemove} aria-label={`${t('webauthn.settings.remove')}: ${k.name}`}>{t('webauthn.settings.remove')}</Button>
          </span>
        </>
      )}
    </li>
  );
}

function RemoveKeyDialog({ k, onClose, onRemoved }: { k: Key; onClose(): void; onRemoved(): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const { busy, error, submit } = useSubmit(async () => {
    await app.client.webauthn.remove(k.id);
    onRemoved();
  }, (err) => keyErrorText(err, i18n));
  return (
    <Modal
      title={t('webauthn.settings.removeTitle')} onClose={onClose}
      footer={<>
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="danger" busy={busy} onClick={() => void submit()} data-testid="confirm-remove-key">{t('webauthn.settings.removeConfirm')}</Button>
      </>}
    >
      <p>{t('webauthn.settings.removeBody', { name: k.name })}</p>
      {error && <p className="form-error" role="alert">{error}</p>}
    </Modal>
  );
}
