/** Legal holds (GOV-1, legal_hold.manage): active and released holds, placing one, releasing with a reason. */
import { useEffect, useState } from 'react';
import type { BodyOf, ResponseOf } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useGovI18n } from '../../i18n/gov';
import { Badge, Button, Empty, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { ConversationInput, Loading, PeoplePicker, TabHead, dayEnd, dayStart, govErrorText, splitIds, useConversationLabel, usePersonName } from './shared';

type Hold = ResponseOf<'listLegalHolds'>['holds'][number];
type Kind = Hold['kind'];
const KINDS: Kind[] = ['custodian', 'conversation', 'query'];

export function HoldsTab() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, num } = i18n;
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [show, setShow] = useState<'active' | 'released'>('active');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [releasing, setReleasing] = useState<Hold | null>(null);
  const load = () => app.client.governance.holds().then((r) => { setHolds(r.holds); setError(null); }, (err) => setError(govErrorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);

  if (!holds) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  const active = holds.filter((h) => h.active);
  const released = holds.filter((h) => !h.active);
  const shown = show === 'active' ? active : released;
  return (
    <>
      <TabHead
        title={t('gov.tab.holds')} hint={t('gov.hold.hint')}
        actions={<Button variant="primary" icon="plus" onClick={() => { setNotice(null); setCreating(true); }} data-testid="hold-create">{t('gov.hold.create')}</Button>}
      />
      {notice && <div className="notice notice-success" role="status" data-testid="hold-notice"><Icon name="check" /> <span>{notice}</span></div>}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="table-tools">
        <div className="segmented" role="radiogroup" aria-label={t('gov.hold.filter')}>
          <button type="button" role="radio" aria-checked={show === 'active'} className={show === 'active' ? 'active' : ''} onClick={() => setShow('active')}>{t('gov.hold.active', { n: num(active.length) })}</button>
          <button type="button" role="radio" aria-checked={show === 'released'} className={show === 'released' ? 'active' : ''} onClick={() => setShow('released')}>{t('gov.hold.released', { n: num(released.length) })}</button>
        </div>
      </div>
      {shown.length === 0 ? (
        <Empty icon="lock" title={show === 'active' ? t('gov.hold.emptyActive') : t('gov.hold.emptyReleased')}>{show === 'active' ? t('gov.hold.emptyHint') : null}</Empty>
      ) : (
        <ul className="gov-list" data-testid="holds-list" aria-label={t('gov.tab.holds')}>
          {shown.map((h) => <HoldItem key={h.id} hold={h} onRelease={() => { setNotice(null); setReleasing(h); }} />)}
        </ul>
      )}
      {creating && (
        <CreateHoldDialog
          onClose={() => setCreating(false)}
          onCreated={(h) => { setCreating(false); setShow('active'); setNotice(t('gov.hold.created', { name: h.name })); void load(); }}
        />
      )}
      {releasing && (
        <ReleaseDialog
          hold={releasing} onClose={() => setReleasing(null)}
          onReleased={(h) => { setReleasing(null); setNotice(t('gov.hold.releasedDone', { name: h.name })); void load(); }}
        />
      )}
    </>
  );
}

function HoldItem({ hold: h, onRelease }: { hold: Hold; onRelease(): void }) {
  const { t, dateTime } = useGovI18n();
  const person = usePersonName();
  const conv = useConversationLabel();
  const q = h.query;
  const scope = h.kind === 'custodian' ? person(h.custodianId)
    : h.kind === 'conversation' ? conv(h.conversationId ?? '')
    : [
      q?.authorIds && t('gov.hold.q.authors', { names: q.authorIds.map(person).join(', ') }),
      q?.conversationIds && t('gov.hold.q.conversations', { names: q.conversationIds.map(conv).join(', ') }),
      q?.from !== undefined && t('gov.hold.q.from', { when: dateTime(q.from) }),
      q?.to !== undefined && t('gov.hold.q.to', { when: dateTime(q.to) }),
    ].filter(Boolean).join(' · ');
  return (
    <li className={`gov-item ${h.active ? '' : 'closed'}`} data-hold={h.name} data-active={h.active}>
      <span className="gov-item-icon"><Icon name={h.kind === 'custodian' ? 'user' : h.kind === 'conversation' ? 'message' : 'filter'} size={18} /></span>
      <div className="gov-item-main">
        <div className="gov-item-title">
          <strong>{h.name}</strong>
          <Badge tone="brand">{t(`gov.hold.kind.${h.kind}`)}</Badge>
          {h.active ? <Badge tone="warning"><Icon name="lock" size={11} /> {t('gov.hold.statusActive')}</Badge> : <Badge>{t('gov.hold.statusReleased')}</Badge>}
        </div>
        <p className="gov-item-scope">{scope}</p>
        <p className="muted small">{t('gov.hold.placedBy', { name: person(h.createdBy), when: dateTime(h.createdAt) })} · {t('gov.hold.reason')}: {h.reason}</p>
        {!h.active && h.releasedAt && (
          <p className="muted small">{t('gov.hold.releasedBy', { name: person(h.releasedBy), when: dateTime(h.releasedAt) })}{h.releaseReason ? ` · ${t('gov.hold.reason')}: ${h.releaseReason}` : ''}</p>
        )}
      </div>
      {h.active && <Button size="sm" onClick={onRelease} aria-label={t('gov.hold.releaseName', { name: h.name })}>{t('gov.hold.release')}</Button>}
    </li>
  );
}

function CreateHoldDialog({ onClose, onCreated }: { onClose(): void; onCreated(h: Hold): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('custodian');
  const [custodian, setCustodian] = useState<string[]>([]);
  const [conversationId, setConversationId] = useState('');
  const [authors, setAuthors] = useState<string[]>([]);
  const [convText, setConvText] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');

  const convIds = splitIds(convText);
  const scopeOk = kind === 'custodian' ? custodian.length === 1 : kind === 'conversation' ? !!conversationId : authors.length > 0 || convIds.length > 0 || !!from || !!to;
  const valid = name.trim() && reason.trim().length >= 3 && scopeOk;

  const { busy, error, submit } = useSubmit(async () => {
    const body: BodyOf<'createLegalHold'> = { name: name.trim(), kind, reason: reason.trim() };
    if (kind === 'custodian') body.custodianId = custodian[0];
    else if (kind === 'conversation') body.conversationId = conversationId;
    else {
      body.query = {
        ...(authors.length ? { authorIds: authors } : {}), ...(convIds.length ? { conversationIds: convIds } : {}),
        ...(from ? { from: dayStart(from) } : {}), ...(to ? { to: dayEnd(to) } : {}),
      };
    }
    onCreated((await app.client.governance.createHold(body)).hold);
  }, (err) => govErrorText(err, i18n));

  return (
    <Modal title={t('gov.hold.create')} onClose={onClose} wide>
      <form className="stack" onSubmit={submit} data-testid="hold-form">
        <Field label={t('gov.hold.name')} hint={t('gov.hold.nameHint')}>
          {(id, d) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required aria-describedby={d} autoComplete="off" />}
        </Field>
        <fieldset className="plain gov-stack">
          <legend className="gov-legend">{t('gov.hold.kind')}</legend>
          <div className="gov-radios">
            {KINDS.map((k) => (
              <label key={k} className={`gov-radio ${kind === k ? 'active' : ''}`}>
                <input type="radio" name="hold-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                <span><strong>{t(`gov.hold.kind.${k}`)}</strong><span className="muted small">{t(`gov.hold.kind.${k}.hint`)}</span></span>
              </label>
            ))}
          </div>
        </fieldset>
        {kind === 'custodian' && (
          <Field label={t('gov.hold.custodian')} hint={t('gov.picker.hint')}>
            {(id, d) => <PeoplePicker id={id} value={custodian} onChange={setCustodian} single describedBy={d} testId="hold-custodian" />}
          </Field>
        )}
        {kind === 'conversation' && (
          <Field label={t('gov.policy.conversation')} hint={t('gov.conversationHint')}>
            {(id, d) => <ConversationInput id={id} value={conversationId} onChange={setConversationId} required describedBy={d} testId="hold-conversation" />}
          </Field>
        )}
        {kind === 'query' && (
          <div className="gov-stack">
            <p className="muted small">{t('gov.hold.queryHint')}</p>
            <Field label={t('gov.hold.authors')} hint={t('gov.picker.hint')}>
              {(id, d) => <PeoplePicker id={id} value={authors} onChange={setAuthors} describedBy={d} />}
            </Field>
            <Field label={t('gov.hold.conversationIds')} hint={t('gov.idsHint')}>
              {(id, d) => <textarea id={id} rows={2} value={convText} onChange={(e) => setConvText(e.target.value)} aria-describedby={d} spellCheck={false} />}
            </Field>
            <div className="form-grid">
              <Field label={t('gov.from')}>{(id) => <input id={id} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />}</Field>
              <Field label={t('gov.to')}>{(id) => <input id={id} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />}</Field>
            </div>
          </div>
        )}
        <Field label={t('gov.hold.reason')} hint={t('gov.hold.reasonHint')}>
          {(id, d) => <textarea id={id} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required aria-describedby={d} />}
        </Field>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" icon="lock" busy={busy} disabled={!valid} data-testid="hold-submit">{t('gov.hold.place')}</Button>
        </div>
      </form>
    </Modal>
  );
}

function ReleaseDialog({ hold, onClose, onReleased }: { hold: Hold; onClose(): void; onReleased(h: Hold): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [reason, setReason] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    onReleased((await app.client.governance.releaseHold(hold.id, reason.trim())).hold);
  }, (err) => govErrorText(err, i18n));
  return (
    <Modal title={t('gov.hold.releaseName', { name: hold.name })} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <div className="notice notice-warning"><Icon name="alert" /> <span>{t('gov.hold.releaseWarning')}</span></div>
        <Field label={t('gov.hold.releaseReason')} hint={t('gov.reasonRequired')}>
          {(id, d) => <textarea id={id} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required aria-describedby={d} />}
        </Field>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="danger" busy={busy} disabled={reason.trim().length < 3} data-testid="hold-release-confirm">{t('gov.hold.release')}</Button>
        </div>
      </form>
    </Modal>
  );
}
