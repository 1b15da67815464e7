/**
 * Settings → My data (GOV-3): ask for an export of your own data or for its erasure, follow
 * your requests and their history, cancel an open one, download a completed export (a zip made
 * on download, for a limited time). Loaded lazily with the governance messages.
 */
import { useEffect, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { useGovI18n } from '../i18n/gov';
import { Badge, Button, Empty, Field } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { Card } from '../ui/PageShell';
import { useSubmit } from '../ui/use-submit';
import { Loading, govErrorText, saveBytes } from '../admin/governance/shared';
import { DeadlineBadge, DsarHistory, DsarStatusBadge } from '../admin/governance/dsar-shared';
import '../admin/governance/governance.css';

type Request = ResponseOf<'listMyDsarRequests'>['requests'][number];
type Kind = Request['kind'];

export default function MyData() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = () => app.client.dsar.mine().then((r) => { setRequests(r.requests); setError(null); }, (err) => setError(govErrorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);
  const openKinds = new Set((requests ?? []).filter((r) => r.status === 'open').map((r) => r.kind));

  return (
    <>
      <header className="page-head"><h2>{t('settings.myData')}</h2><p className="muted">{t('mydata.hint')}</p></header>
      {notice && <div className="notice notice-success" role="status" data-testid="mydata-notice"><Icon name="check" /> <span>{notice}</span> <button type="button" className="link" onClick={() => setNotice(null)}>{t('common.dismiss')}</button></div>}
      <div className="gov-ask-grid">
        <AskCard kind="export" blocked={openKinds.has('export')} onOpened={(r) => { setNotice(t(r.status === 'completed' ? 'mydata.openedReady' : 'mydata.opened', { kind: t('gov.dsar.kind.export') })); void load(); }} />
        <AskCard kind="erasure" blocked={openKinds.has('erasure')} onOpened={() => { setNotice(t('mydata.opened', { kind: t('gov.dsar.kind.erasure') })); void load(); }} />
      </div>
      <Card title={t('mydata.requests')} description={t('mydata.requestsHint')}>
        {error && <p className="form-error" role="alert">{error}</p>}
        {!requests ? (!error && <Loading />) : requests.length === 0 ? (
          <Empty icon="fileText" title={t('mydata.empty')}>{t('mydata.emptyHint')}</Empty>
        ) : (
          <ul className="gov-requests" data-testid="mydata-requests">
            {requests.map((r) => <RequestItem key={r.id} r={r} onChanged={(text) => { setNotice(text); void load(); }} onError={setError} />)}
          </ul>
        )}
      </Card>
    </>
  );
}

function AskCard({ kind, blocked, onOpened }: { kind: Kind; blocked: boolean; onOpened(r: Request): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [note, setNote] = useState('');
  const [asking, setAsking] = useState(false);
  const { busy, error, setError, submit } = useSubmit(async () => {
    const { request } = await app.client.dsar.open({ kind, ...(note.trim() ? { note: note.trim() } : {}) });
    setNote('');
    setAsking(false);
    onOpened(request);
  }, (err) => govErrorText(err, i18n));
  return (
    <section className={`card gov-ask gov-ask-${kind}`} data-testid={`ask-${kind}`}>
      <header className="card-header">
        <div>
          <h2><Icon name={kind === 'export' ? 'download' : 'trash'} /> {t(`mydata.${kind}.title`)}</h2>
          <p className="muted">{t(`mydata.${kind}.hint`)}</p>
        </div>
      </header>
      <div className="card-body">
        {blocked ? (
          <p className="muted small"><Icon name="clock" size={13} /> {t('mydata.alreadyOpen')}</p>
        ) : asking ? (
          <form className="gov-stack" onSubmit={submit}>
            {kind === 'erasure' && <div className="notice notice-warning"><Icon name="alert" /> <span>{t('mydata.erasure.warning')}</span></div>}
            <Field label={`${t('mydata.note')} (${t('common.optional')})`} hint={t('mydata.noteHint')}>
              {(id, d) => <textarea id={id} rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby={d} data-testid={`note-${kind}`} />}
            </Field>
            {error && <p className="form-error" role="alert">{error}</p>}
            <div className="row gap">
              <Button type="submit" variant={kind === 'erasure' ? 'danger' : 'primary'} busy={busy} data-testid={`submit-${kind}`}>{t(`mydata.${kind}.submit`)}</Button>
              <Button variant="ghost" onClick={() => { setAsking(false); setError(null); }}>{t('common.cancel')}</Button>
            </div>
          </form>
        ) : (
          <Button variant={kind === 'erasure' ? 'secondary' : 'primary'} icon={kind === 'export' ? 'download' : 'trash'} onClick={() => setAsking(true)} data-testid={`start-${kind}`}>{t(`mydata.${kind}.start`)}</Button>
        )}
      </div>
    </section>
  );
}

function RequestItem({ r, onChanged, onError }: { r: Request; onChanged(notice: string): void; onError(e: string | null): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, dateTime, date, num } = i18n;
  const [busy, setBusy] = useState<'cancel' | 'download' | null>(null);
  const [showHistory, setShowHistory] = useState(r.status === 'open');
  const run = async (what: 'cancel' | 'download', fn: () => Promise<string>) => {
    setBusy(what);
    onError(null);
    try {
      onChanged(await fn());
    } catch (err) {
      onError(govErrorText(err, i18n));
    } finally {
      setBusy(null);
    }
  };
  const cancel = () => run('cancel', async () => { await app.client.dsar.cancel(r.id); return t('mydata.cancelled'); });
  const download = () => run('download', async () => {
    const zip = await app.client.dsar.download(r.id);
    saveBytes(zip.bytes as BlobPart, zip.fileName ?? `conclave-data-export-${r.id}.zip`, 'application/zip');
    return t('mydata.downloaded');
  });
  const canDownload = r.kind === 'export' && r.status === 'completed' && r.export && !r.export.expired;
  return (
    <li className="gov-request" data-request={r.id} data-kind={r.kind} data-status={r.status}>
      <div className="gov-request-head">
        <span className="gov-item-icon"><Icon name={r.kind === 'export' ? 'download' : 'trash'} size={18} /></span>
        <div className="gov-item-main">
          <div className="gov-item-title">
            <strong>{t(`gov.dsar.kind.${r.kind}`)}</strong>
            <DsarStatusBadge request={r} />
            <DeadlineBadge request={r} />
          </div>
          <p className="muted small">
            {t('mydata.openedAt', { when: dateTime(r.openedAt) })}
            {r.status === 'open' && <> · {t('mydata.dueBy', { when: date(r.dueAt) })}</>}
            {r.export && <> · {r.export.expired ? t('mydata.expired') : t('mydata.availableUntil', { when: dateTime(r.export.availableUntil) })}{r.export.downloads > 0 && ` · ${t('mydata.downloads', { n: num(r.export.downloads) })}`}</>}
          </p>
          {r.decision?.outcome === 'refused' && <p className="gov-refusal"><Icon name="info" size={13} /> {t('mydata.refusedBecause', { reason: r.decision.reason })}</p>}
        </div>
        <div className="gov-item-actions">
          {canDownload && <Button size="sm" variant="primary" icon="download" busy={busy === 'download'} onClick={() => void download()} data-testid="mydata-download">{t('mydata.download')}</Button>}
          {r.status === 'open' && <Button size="sm" variant="ghost" busy={busy === 'cancel'} onClick={() => void cancel()} data-testid="mydata-cancel">{t('mydata.cancel')}</Button>}
          <Button size="sm" variant="ghost" icon={showHistory ? 'chevronDown' : 'chevronRight'} aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>{t('gov.dsar.history')}</Button>
        </div>
      </div>
      {showHistory && <div className="gov-request-history">{r.note && <p className="muted small">{t('mydata.yourNote')}: <span className="gov-note">{r.note}</span></p>}<DsarHistory request={r} /></div>}
      {r.kind === 'erasure' && r.erasure && <p className="muted small"><Badge tone="success">{t('gov.dsar.erasure')}</Badge> {t('gov.dsar.erasureFigures', { messages: r.erasure.messagesErased, files: r.erasure.filesErased, keys: r.erasure.keysDestroyed, held: r.erasure.heldItemsKept })}</p>}
    </li>
  );
}
