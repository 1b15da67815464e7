/**
 * Editing the ordered level list (ACL-2, PUT /admin/levels): relabel, move up or down, remove,
 * add a level, choose the default. Saved as one change; the dialog warns before a reorder
 * (it changes what every clearance reaches at once) and the server's refusal of a level still in
 * use names the level and what uses it.
 */
import { useId, useState } from 'react';
import type { OrgSettings } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useI18n } from '../../i18n/context';
import { errorText } from '../../lib/errors';
import { Badge, Button, Field, IconButton, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';

/** The server's rule for a level name (protocol LevelName). */
const LEVEL_NAME = /^[a-z][a-z0-9_]{1,29}$/;
const MAX_LEVELS = 10;

interface Row { name: string; label: string; isNew: boolean }

export function LevelListDialog({ levels, labels, defaultLevel: initialDefault, onClose, onSaved }: {
  levels: string[]; labels: Record<string, string>; defaultLevel: string; onClose(): void; onSaved(s: OrgSettings): void;
}) {
  const app = useApp();
  const i18n = useI18n();
  const { t } = i18n;
  const [rows, setRows] = useState<Row[]>(() => levels.map((name) => ({ name, label: labels[name] ?? '', isNew: false })));
  const [defaultLevel, setDefaultLevel] = useState(initialDefault);
  const [newName, setNewName] = useState('');
  const [newLabel, setNewLabel] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const listLabel = useId();

  const names = rows.map((r) => r.name);
  const removed = levels.filter((l) => !names.includes(l));
  const kept = names.filter((n) => levels.includes(n));
  const reordered = kept.join() !== levels.filter((l) => names.includes(l)).join();

  const move = (i: number, by: -1 | 1) => setRows((rs) => { const next = [...rs]; [next[i], next[i + by]] = [next[i + by]!, next[i]!]; return next; });
  const remove = (i: number) => setRows((rs) => rs.filter((_, j) => j !== i));
  const restore = (name: string) => setRows((rs) => {
    // Back where it was relative to the levels that are still there.
    const at = levels.indexOf(name);
    const after = rs.findIndex((r) => !r.isNew && levels.indexOf(r.name) > at);
    const row = { name, label: labels[name] ?? '', isNew: false };
    return after < 0 ? [...rs, row] : [...rs.slice(0, after), row, ...rs.slice(after)];
  });
  const add = () => {
    const name = newName.trim();
    if (!LEVEL_NAME.test(name)) { setAddError(t('access.levels.nameRule')); return; }
    if (names.includes(name)) { setAddError(t('access.levels.nameTaken', { name })); return; }
    if (rows.length >= MAX_LEVELS) { setAddError(t('access.levels.tooMany', { n: MAX_LEVELS })); return; }
    setRows([...rows, { name, label: newLabel.trim(), isNew: true }]);
    setNewName('');
    setNewLabel('');
    setAddError(null);
  };

  const { busy, error, submit } = useSubmit(async () => {
    const { settings } = await app.client.org.updateLevels({
      levels: rows.map((r) => ({ name: r.name, ...(r.label.trim() ? { label: r.label.trim() } : {}) })),
      ...(defaultLevel !== initialDefault ? { defaultLevel } : {}),
    });
    onSaved(settings);
  }, (err) => errorText(err, i18n));

  return (
    <Modal
      title={t('access.levels.edit')} onClose={onClose} wide
      footer={<>
        {error && <p className="form-error footer-error" role="alert" data-testid="levels-error">{error}</p>}
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="submit" form="level-list-form" variant="primary" busy={busy} disabled={!rows.length || !names.includes(defaultLevel)} data-testid="save-levels">{t('access.levels.save')}</Button>
      </>}
    >
      <form id="level-list-form" className="stack" onSubmit={submit}>
        <p className="muted">{t('access.levels.hint')}</p>
        <h3 className="section-title" id={listLabel}>{t('access.levels.order')}</h3>
        <ol className="level-editor" aria-labelledby={listLabel} data-testid="level-editor">
          {rows.map((r, i) => (
            <li key={r.name} data-level={r.name}>
              <span className="level-rank" aria-hidden="true">{i + 1}</span>
              <span className="level-editor-name">
                <code>{r.name}</code>
                {r.isNew && <Badge tone="brand">{t('access.levels.new')}</Badge>}
                {r.name === defaultLevel && <Badge>{t('access.level.default')}</Badge>}
              </span>
              <input
                value={r.label} maxLength={40} placeholder={r.name} aria-label={t('access.levels.labelOf', { level: r.name })}
                onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)))}
              />
              <span className="level-editor-actions">
                {i > 0 ? <IconButton icon="arrowUp" label={t('access.levels.up', { level: r.name })} onClick={() => move(i, -1)} /> : <span className="icon-btn-placeholder" aria-hidden="true" />}
                {i < rows.length - 1 ? <IconButton icon="arrowDown" label={t('access.levels.down', { level: r.name })} onClick={() => move(i, 1)} /> : <span className="icon-btn-placeholder" aria-hidden="true" />}
                {r.name !== defaultLevel && rows.length > 1
                  ? <IconButton icon="trash" className="danger-hover" label={t('access.levels.remove', { level: r.name })} onClick={() => remove(i)} />
                  : <span className="icon-btn-placeholder" aria-hidden="true" />}
              </span>
            </li>
          ))}
        </ol>
        <p className="muted small">{t('access.levels.orderHint')}</p>

        {removed.length > 0 && (
          <div className="notice notice-warning" data-testid="levels-removed">
            <Icon name="alert" />
            <span>
              {t('access.levels.removing', { levels: removed.join(', ') })}{' '}
              {removed.map((l) => <button key={l} type="button" className="link" onClick={() => restore(l)}>{t('access.levels.restore', { level: l })}</button>)}
            </span>
          </div>
        )}
        {reordered && <div className="notice notice-warning" data-testid="levels-reordered"><Icon name="alert" /> <span>{t('access.levels.reorderWarning')}</span></div>}

        <div className="level-add-wrap">
        <fieldset className="level-add">
          <legend className="section-title">{t('access.levels.add')}</legend>
          <div className="level-add-row">
            <Field label={t('access.levels.name')} hint={t('access.levels.nameHint')} error={addError}>
              {(id, d) => (
                <input
                  id={id} value={newName} onChange={(e) => { setNewName(e.target.value.toLowerCase()); setAddError(null); }} aria-describedby={d}
                  maxLength={30} autoComplete="off" spellCheck={false} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }}
                />
              )}
            </Field>
            <Field label={t('access.levels.label')}>
              {(id) => <input id={id} value={newLabel} onChange={(e) => setNewLabel(e.target.value)} maxLength={40} autoComplete="off" onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />}
            </Field>
            <Button icon="plus" onClick={add} disabled={!newName.trim()} data-testid="add-level">{t('access.levels.addButton')}</Button>
          </div>
          <p className="muted small">{t('access.levels.addHint')}</p>
        </fieldset>
        </div>

        <Field label={t('access.levels.default')} hint={t('access.levels.defaultHint')}>
          {(id, d) => (
            <select id={id} value={defaultLevel} onChange={(e) => setDefaultLevel(e.target.value)} aria-describedby={d}>
              {rows.map((r) => <option key={r.name} value={r.name}>{r.label.trim() || r.name}</option>)}
            </select>
          )}
        </Field>
      </form>
    </Modal>
  );
}
