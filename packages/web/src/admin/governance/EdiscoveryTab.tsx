/**
 * eDiscovery (GOV-5, ediscovery.export): export requests with their status, a new request
 * (custodians, conversations, range, keywords, levels), approving or refusing another
 * officer's pending request (two-person rule), and the one-time download of a ready package.
 */
import { useEffect, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useGovI18n } from '../../i18n/gov';
import { Badge, Button, Empty, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { useSubmit } from '../../ui/use-submit';
import { ConversationInput, Loading, PeoplePicker, TabHead, dayEnd, dayStart, govErrorText, saveBytes, splitIds, usePersonName } from './shared';

type Export = ResponseOf<'listEdiscoveryExports'>['exports'][number];
const STATUS_TONE = { pending_approval: 'warning', ready: 'success', refused: 'danger', downloaded: 'neutral', expired: 'neutral' } as const;

export function EdiscoveryTab() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [exports, setExports] = useState<Export[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [refusing, setRefusing] = useState<Export | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = () => app.client.ediscovery.list().then((r) => { setExports(r.exports); setError(null); }, (err) => setError(govErrorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);

  const act = async (x: Export, fn: () => Promise<unknown>, done: string) => {
    setBusy(x.id);
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(done);
    } catch (err) {
      setError(govErrorText(err, i18n));
    } finally {
      setBusy(null);
      void load();
    }
  };
  const download = (x: Export) => act(x, async () => {
    const pkg = await app.client.ediscovery.download(x.id);
    saveBytes(pkg.zip as BlobPart, pkg.fileName ?? `conclave-ediscovery-${x.id}.zip`, 'application/zip');
  }, t('gov.ed.downloaded', { matter: x.matter }));

  if (!exports) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  return (
    <>
      <TabHead
        title={t('gov.tab.ediscovery')} hint={t('gov.ed.hint')}
        actions={<Button variant="primary" icon="plus" onClick={() => { setNotice(null); setCreating(true); }} data-testid="ed-create">{t('gov.ed.create')}</Button>}
      />
      {notice && <div className="notice notice-success" role="status" data-testid="ed-notice"><Icon name="check" /> <span>{notice}</span></div>}
      {error && <div className="notice notice-danger" role="alert"><Icon name="alert" /> <span>{error}</span></div>}
      {exports.length === 0 ? <Empty icon="search" title={t('gov.ed.empty')}>{t('gov.ed.emptyHint')}</Empty> : (
        <ul className="gov-list" data-testid="ed-list" aria-label={t('gov.tab.ediscovery')}>
          {exports.map((x) => (
            <ExportItem
              key={x.id} x={x} busy={busy === x.id}
              onApprove={() => void act(x, () => app.client.ediscovery.approve(x.id), t('gov.ed.approved', { matter: x.matter }))}
              onRefuse={() => { setNotice(null); setRefusing(x); }}
              onDownload={() => void download(x)}
            />
          ))}
        </ul>
      )}
      {creating && (
        <CreateExportDialog
          onClose={() => setCreating(false)}
          onCreated={(x) => { setCreating(false); setNotice(t(x.status === 'pending_approval' ? 'gov.ed.createdPending' : 'gov.ed.createdReady', { matter: x.matter })); void load(); }}
        />
      )}
      {refusing && (
        <RefuseDialog
          x={refusing} onClose={() => setRefusing(null)}
          onDone={() => { const m = refusing.matter; setRefusing(null); setNotice(t('gov.ed.refusedDone', { matter: m })); void load(); }}
        />
      )}
    </>
  );
}

function ExportItem({ x, busy, onApprove, onRefuse, onDownload }: { x: Export; busy: boolean; onApprove(): void; onRefuse(): void; onDownload(): void }) {
  const app = useApp();
  const { t, date, dateTime, num } = useGovI18n();
  const person = usePersonName();
  const mine = x.requestedBy === app.me.user.id;
  const canDownload = x.status === 'ready' && (mine || x.decidedBy === app.me.user.id);
  const c = x.criteria;
  const who = [
    c.custodians.length ? t('gov.ed.custodiansList', { names: c.custodians.map(person).join(', ') }) : null,
    c.conversationIds.length ? t('gov.ed.conversationsCount', { n: num(c.conversationIds.length) }) : null,
  ].filter(Boolean).join(' · ');
  return (
    <li className={`gov-item ${x.status === 'expired' || x.status === 'downloaded' || x.status === 'refused' ? 'closed' : ''}`} data-export={x.id} data-status={x.status} data-matter={x.matter}>
      <span className="gov-item-icon"><Icon name="download" size={18} /></span>
      <div className="gov-item-main">
        <div className="gov-item-title">
          <strong>{x.matter}</strong>
          <Badge tone={STATUS_TONE[x.status]}>{t(`gov.ed.status.${x.status}`)}</Badge>
          {x.sensitiveLevels.length > 0 && <Badge tone="level" title={t('gov.ed.sensitiveHint')}><Icon name="lock" size={11} /> {x.sensitiveLevels.join(', ')}</Badge>}
        </div>
        <p className="gov-item-scope">
          {who} · {date(c.from)} – {date(c.to)} · {t('gov.ed.levelsList', { levels: c.levels.join(', ') })}
          {c.keywordCount > 0 && <> · {c.keywords ? t('gov.ed.keywordsList', { words: c.keywords.join(', ') }) : t('gov.ed.keywordsErased', { n: num(c.keywordCount) })}</>}
        </p>
        <p className="muted small">
          {t('gov.ed.requestedBy', { name: mine ? t('gov.you') : person(x.requestedBy), when: dateTime(x.requestedAt) })}
          {x.decidedBy && x.status !== 'refused' && <> · {t('gov.ed.approvedBy', { name: person(x.decidedBy) })}</>}
          {x.status === 'refused' && x.refusalReason && <> · {t('gov.ed.refusedBy', { name: person(x.decidedBy), reason: x.refusalReason })}</>}
          {x.messageCount !== null && <> · {t('gov.ed.produced', { messages: num(x.messageCount), files: num(x.fileCount ?? 0) })}</>}
          {(x.status === 'ready' || x.status === 'pending_approval') && <> · {t('gov.ed.expires', { when: dateTime(x.expiresAt) })}</>}
        </p>
        {x.status === 'pending_approval' && mine && <p className="muted small"><Icon name="users" size={12} /> {t('gov.ed.waitingSecond')}</p>}
      </div>
      <div className="gov-item-actions">
        {x.status === 'pending_approval' && !mine && <Button size="sm" variant="primary" icon="check" busy={busy} onClick={onApprove} data-testid="ed-approve">{t('gov.ed.approve')}</Button>}
        {x.status === 'pending_approval' && <Button size="sm" variant="ghost" disabled={busy} onClick={onRefuse}>{mine ? t('gov.ed.withdraw') : t('gov.ed.refuse')}</Button>}
        {canDownload && <Button size="sm" variant="primary" icon="download" busy={busy} onClick={onDownload} data-testid="ed-download">{t('gov.ed.download')}</Button>}
      </div>
    </li>
  );
}

function CreateExportDialog({ onClose, onCreated }: { onClose(): void; onCreated(x: Export): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const levels = app.caps?.levels.filter((l) => l.visible).map((l) => l.name) ?? [];
  const [matter, setMatter] = useState('');
  const [custodians, setCustodians] = useState<string[]>([]);
  const [conversationId, setConversationId] = useState('');
  const [convText, setConvText] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState(() => new Date().toISOString().slice(0, 10));
  const [keywords, setKeywords] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const conversationIds = [...new Set([...(conversationId ? [conversationId] : []), ...splitIds(convText)])];
  const valid = matter.trim() && (custodians.length || conversationIds.length) && from && to;

  const { busy, error, submit } = useSubmit(async () => {
    const { export: x } = await app.client.ediscovery.create({
      matter: matter.trim(), custodians, conversationIds, from: dayStart(from)!, to: dayEnd(to)!,
      keywords: keywords.split('\n').map((k) => k.trim()).filter(Boolean), ...(picked.length ? { levels: picked } : {}),
    });
    onCreated(x);
  }, (err) => govErrorText(err, i18n));

  return (
    <Modal title={t('gov.ed.create')} onClose={onClose} wide>
      <form className="stack" onSubmit={submit} data-testid="ed-form">
        <Field label={t('gov.ed.matter')} hint={t('gov.ed.matterHint')}>
          {(id, d) => <input id={id} value={matter} onChange={(e) => setMatter(e.target.value)} maxLength={200} required aria-describedby={d} autoComplete="off" />}
        </Field>
        <Field label={t('gov.ed.custodians')} hint={t('gov.ed.custodiansHint')}>
          {(id, d) => <PeoplePicker id={id} value={custodians} onChange={setCustodians} describedBy={d} testId="ed-custodians" />}
        </Field>
        <div className="form-grid">
          <Field label={t('gov.ed.conversation')} hint={t('gov.conversationHint')}>
            {(id, d) => <ConversationInput id={id} value={conversationId} onChange={setConversationId} describedBy={d} />}
          </Field>
          <Field label={t('gov.ed.moreConversations')} hint={t('gov.idsHint')}>
            {(id, d) => <textarea id={id} rows={2} value={convText} onChange={(e) => setConvText(e.target.value)} aria-describedby={d} spellCheck={false} />}
          </Field>
        </div>
        <div className="form-grid">
          <Field label={t('gov.from')}>{(id) => <input id={id} type="date" value={from} max={to || undefined} required onChange={(e) => setFrom(e.target.value)} />}</Field>
          <Field label={t('gov.to')}>{(id) => <input id={id} type="date" value={to} min={from || undefined} required onChange={(e) => setTo(e.target.value)} />}</Field>
        </div>
        <Field label={t('gov.ed.keywords')} hint={t('gov.ed.keywordsHint')}>
          {(id, d) => <textarea id={id} rows={3} value={keywords} onChange={(e) => setKeywords(e.target.value)} aria-describedby={d} />}
        </Field>
        <fieldset className="plain gov-stack">
          <legend className="gov-legend">{t('gov.ed.levels')}</legend>
          <div className="row gap wrap">
            {levels.map((l) => (
              <label key={l} className="check">
                <input type="checkbox" checked={picked.includes(l)} onChange={(e) => setPicked(e.target.checked ? [...picked, l] : picked.filter((x) => x !== l))} /> {l}
              </label>
            ))}
          </div>
          <p className="muted small">{t('gov.ed.levelsHint')}</p>
        </fieldset>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!valid} data-testid="ed-submit">{t('gov.ed.submit')}</Button>
        </div>
      </form>
    </Modal>
  );
}

function RefuseDialog({ x, onClose, onDone }: { x: Export; onClose(): void; onDone(): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const mine = x.requestedBy === app.me.user.id;
  const [reason, setReason] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await app.client.ediscovery.refuse(x.id, reason.trim());
    onDone();
  }, (err) => govErrorText(err, i18n));
  return (
    <Modal title={mine ? t('gov.ed.withdrawTitle', { matter: x.matter }) : t('gov.ed.refuseTitle', { matter: x.matter })} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <Field label={t('gov.dsar.reason')} hint={t('gov.reasonRequired')}>
          {(id, d) => <textarea id={id} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} required aria-describedby={d} />}
        </Field>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="danger" busy={busy} disabled={!reason.trim()}>{mine ? t('gov.ed.withdraw') : t('gov.ed.refuse')}</Button>
        </div>
      </form>
    </Modal>
  );
}
