/**
 * Data-subject requests (GOV-3, dsar.decide): every request of the organisation with its
 * deadline, one request's history, approve / refuse with a reason (the server wants an MFA
 * session for that, and says so), and the deadline alerts.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useGovI18n } from '../../i18n/gov';
import { Badge, Button, Empty, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { Loading, TabHead, govErrorText, usePersonName } from './shared';
import { DsarHistory, DsarStatusBadge, DeadlineBadge } from './dsar-shared';

type Request = ResponseOf<'listDsarRequests'>['requests'][number];
type Alert = ResponseOf<'listDsarAlerts'>['alerts'][number];
type StatusFilter = 'open' | 'completed' | 'refused' | 'cancelled' | 'all';
const FILTERS: StatusFilter[] = ['open', 'completed', 'refused', 'cancelled', 'all'];

export function DsarTab() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, num, date, dateTime, relative } = i18n;
  const person = usePersonName();
  const [status, setStatus] = useState<StatusFilter>('open');
  const [kind, setKind] = useState<'' | 'export' | 'erasure'>('');
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = async () => {
    try {
      const res = await app.client.dsar.list({ limit: '200', ...(status !== 'all' ? { status } : {}), ...(kind ? { kind } : {}) });
      setRequests(res.requests);
      setError(null);
    } catch (err) {
      setError(govErrorText(err, i18n));
    }
  };
  useEffect(() => {
    setRequests(null);
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, kind]);
  useEffect(() => {
    app.client.dsar.alerts({ limit: '50' }).then((r) => setAlerts(r.alerts), () => setAlerts([]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const overdue = requests?.filter((r) => r.deadline === 'overdue').length ?? 0;
  const dueSoon = requests?.filter((r) => r.deadline === 'due_soon').length ?? 0;

  return (
    <>
      <TabHead title={t('gov.tab.requests')} hint={t('gov.dsar.hint')} />
      <div className="stats">
        <div className="stat"><span className="stat-value" data-testid="dsar-count">{requests ? num(requests.length) : '—'}</span><span className="stat-label">{t(`gov.dsar.count.${status}`)}</span></div>
        <div className="stat"><span className={`stat-value ${overdue ? 'danger' : ''}`}>{requests ? num(overdue) : '—'}</span><span className="stat-label">{t('gov.dsar.overdue')}</span></div>
        <div className="stat"><span className={`stat-value ${dueSoon ? 'warning' : ''}`}>{requests ? num(dueSoon) : '—'}</span><span className="stat-label">{t('gov.dsar.dueSoon')}</span></div>
      </div>
      {notice && <div className="notice notice-success" role="status" data-testid="dsar-notice"><Icon name="check" /> <span>{notice}</span> <button type="button" className="link" onClick={() => setNotice(null)}>{t('common.dismiss')}</button></div>}
      <div className="table-tools">
        <div className="segmented" role="radiogroup" aria-label={t('gov.dsar.filterStatus')}>
          {FILTERS.map((s) => (
            <button key={s} type="button" role="radio" aria-checked={status === s} className={status === s ? 'active' : ''} onClick={() => setStatus(s)}>{t(`gov.dsar.tab.${s}`)}</button>
          ))}
        </div>
        <span className="spacer" />
        <label className="inline-field">
          <span>{t('gov.dsar.kind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="">{t('gov.dsar.anyKind')}</option>
            <option value="export">{t('gov.dsar.kind.export')}</option>
            <option value="erasure">{t('gov.dsar.kind.erasure')}</option>
          </select>
        </label>
        <Button variant="ghost" icon="refresh" onClick={() => void load()}>{t('gov.refresh')}</Button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!requests ? (!error && <Loading />) : requests.length === 0 ? (
        <Empty icon="user" title={t('gov.dsar.empty')}>{t('gov.dsar.emptyHint')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="dsar-table">
            <caption className="sr-only">{t('gov.tab.requests')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('gov.dsar.requester')}</th>
                <th scope="col">{t('gov.dsar.kind')}</th>
                <th scope="col">{t('gov.dsar.status')}</th>
                <th scope="col">{t('gov.dsar.opened')}</th>
                <th scope="col">{t('gov.dsar.due')}</th>
                <th scope="col"><span className="sr-only">{t('gov.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id} data-request={r.id} data-kind={r.kind} data-status={r.status} className={r.deadline ? `gov-deadline-${r.deadline}` : ''}>
                  <td><span className="user-name">{person(r.requesterId)}</span></td>
                  <td><Badge tone={r.kind === 'erasure' ? 'danger' : 'brand'}>{t(`gov.dsar.kind.${r.kind}`)}</Badge></td>
                  <td><DsarStatusBadge request={r} /></td>
                  <td className="small nowrap" title={dateTime(r.openedAt)}>{relative(r.openedAt)}</td>
                  <td className="small nowrap"><span title={dateTime(r.dueAt)}>{date(r.dueAt)}</span> <DeadlineBadge request={r} /></td>
                  <td className="actions-cell"><Button size="sm" onClick={() => setOpen(r.id)} aria-label={t('gov.dsar.openOf', { name: person(r.requesterId) })}>{t('gov.dsar.open')}</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <section className="card" aria-labelledby="dsar-alerts-title">
        <header className="card-header">
          <div>
            <h2 id="dsar-alerts-title"><Icon name="bell" /> {t('gov.dsar.alerts')}</h2>
            <p className="muted">{t('gov.dsar.alertsHint')}</p>
          </div>
        </header>
        <div className="card-body">
          {!alerts ? <Loading /> : alerts.length === 0 ? <p className="muted" data-testid="dsar-alerts-empty">{t('gov.dsar.alertsEmpty')}</p> : (
            <ul className="gov-alerts" data-testid="dsar-alerts">
              {alerts.map((a) => (
                <li key={a.id} className={`gov-alert ${a.kind}`}>
                  <Badge tone={a.kind === 'overdue' ? 'danger' : 'warning'}><Icon name="clock" size={12} /> {t(`gov.dsar.deadline.${a.kind}`)}</Badge>
                  <span>{t('gov.dsar.alertText', { kind: t(`gov.dsar.kind.${a.requestKind}`), name: person(a.requesterId), due: date(a.dueAt) })}</span>
                  <span className="spacer" />
                  <span className="muted small" title={dateTime(a.createdAt)}>{relative(a.createdAt)}</span>
                  <button type="button" className="link" onClick={() => setOpen(a.requestId)}>{t('gov.dsar.open')}</button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>

      {open && (
        <DecideDialog
          id={open} onClose={() => setOpen(null)}
          onDecided={(r) => { setOpen(null); setNotice(t(r.status === 'refused' ? 'gov.dsar.refusedDone' : 'gov.dsar.approvedDone', { name: person(r.requesterId) })); void load(); }}
        />
      )}
    </>
  );
}

function DecideDialog({ id, onClose, onDecided }: { id: string; onClose(): void; onDecided(r: Request): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, dateTime } = i18n;
  const person = usePersonName();
  const [request, setRequest] = useState<Request | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'refuse' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    app.client.dsar.get(id).then((r) => setRequest(r.request), (err) => setLoadError(govErrorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  const own = request?.requesterId === app.me.user.id;

  const decide = async (decision: 'approve' | 'refuse', e?: FormEvent) => {
    e?.preventDefault();
    setBusy(decision);
    setError(null);
    try {
      onDecided((await app.client.dsar.decide(id, decision, reason.trim())).request);
    } catch (err) {
      setError(govErrorText(err, i18n));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      title={request ? t('gov.dsar.dialogTitle', { kind: t(`gov.dsar.kind.${request.kind}`), name: person(request.requesterId) }) : t('common.loading')} onClose={onClose} wide
      footer={request?.status === 'open' && !own ? <>
        <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="danger" busy={busy === 'refuse'} disabled={!reason.trim() || !!busy} onClick={() => void decide('refuse')} data-testid="dsar-refuse">{t('gov.dsar.refuse')}</Button>
        <Button variant="primary" icon="check" busy={busy === 'approve'} disabled={!reason.trim() || !!busy} onClick={() => void decide('approve')} data-testid="dsar-approve">
          {request.kind === 'erasure' ? t('gov.dsar.approveErasure') : t('gov.dsar.approve')}
        </Button>
      </> : <Button onClick={onClose}>{t('common.close')}</Button>}
    >
      {loadError && <p className="form-error" role="alert">{loadError}</p>}
      {!request ? (!loadError && <Loading />) : (
        <div className="stack" data-testid="dsar-detail">
          <div className="row gap">
            <Badge tone={request.kind === 'erasure' ? 'danger' : 'brand'}>{t(`gov.dsar.kind.${request.kind}`)}</Badge>
            <DsarStatusBadge request={request} />
            <DeadlineBadge request={request} />
          </div>
          <dl className="deflist gov-deflist">
            <dt>{t('gov.dsar.requester')}</dt><dd>{person(request.requesterId)} <code className="muted small">{request.requesterId}</code></dd>
            <dt>{t('gov.dsar.opened')}</dt><dd>{dateTime(request.openedAt)}</dd>
            <dt>{t('gov.dsar.due')}</dt><dd>{dateTime(request.dueAt)}</dd>
            <dt>{t('gov.dsar.note')}</dt><dd className="gov-note">{request.note ?? <span className="muted">—</span>}</dd>
            {request.erasure && <><dt>{t('gov.dsar.erasure')}</dt><dd>{t('gov.dsar.erasureFigures', { messages: request.erasure.messagesErased, files: request.erasure.filesErased, keys: request.erasure.keysDestroyed, held: request.erasure.heldItemsKept })} · <code>{request.erasure.receiptId}</code></dd></>}
          </dl>
          <section>
            <h3 className="section-title">{t('gov.dsar.history')}</h3>
            <DsarHistory request={request} />
          </section>
          {request.status === 'open' && (own ? (
            <div className="notice notice-info"><Icon name="info" /> <span>{t('gov.dsar.ownRequest')}</span></div>
          ) : (
            <form className="ack-form" onSubmit={(e) => e.preventDefault()}>
              {request.kind === 'erasure' && <div className="notice notice-warning"><Icon name="alert" /> <span>{t('gov.dsar.erasureWarning')}</span></div>}
              <Field label={t('gov.dsar.reason')} hint={t('gov.dsar.reasonHint')}>
                {(fid, d) => <textarea id={fid} rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby={d} data-testid="dsar-reason" />}
              </Field>
              <p className="muted small"><Icon name="shield" size={13} /> {t('gov.dsar.mfaNote')}</p>
              {error && <div className="notice notice-danger" role="alert" data-testid="dsar-decide-error"><Icon name="alert" /> <span>{error}</span></div>}
            </form>
          ))}
        </div>
      )}
    </Modal>
  );
}
