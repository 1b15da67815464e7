/**
 * Security alerts (MON-1): the inbox of alerts raised by the rules over the audit stream,
 * one alert with the audit rows that triggered it, and acknowledgement with a note
 * (alerts.manage). Refreshed every few seconds while open. Summaries are rebuilt in the user's
 * language from each alert's rule and figures (alert-summary.ts).
 */
import { useEffect, useRef, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import type { MsgKey } from '../i18n/en';
import { errorText } from '../lib/errors';
import { Badge, Button, Empty, Modal } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { useSubmit } from '../ui/use-submit';
import { AuditTable, shortId, useNameOf, type AuditRecord } from './audit-shared';
import { alertSummarizer } from './alert-summary';

type Alert = ResponseOf<'listAlerts'>['alerts'][number];
type Status = 'open' | 'acknowledged' | 'all';
const RULES = ['brute_force', 'new_network', 'impossible_travel', 'bulk_export', 'off_hours_admin', 'privilege_escalation'] as const;
const REFRESH_MS = 10_000;

const SEVERITY_TONE = { high: 'danger', medium: 'warning', low: 'neutral' } as const;

export function SeverityBadge({ severity }: { severity: Alert['severity'] }) {
  const { t } = useI18n();
  return (
    <span className={`severity severity-${severity}`}>
      <Badge tone={SEVERITY_TONE[severity]}>{severity !== 'low' && <Icon name="alert" size={12} />} {t(`alerts.severity.${severity}` as MsgKey)}</Badge>
    </span>
  );
}

function StatusBadge({ alert }: { alert: Alert }) {
  const { t } = useI18n();
  return alert.status === 'open'
    ? <Badge tone="brand">{t('alerts.status.open')}</Badge>
    : <Badge tone="success"><Icon name="check" size={12} /> {t('alerts.status.acknowledged')}</Badge>;
}

/** The alert's sentence in the user's language, people by name (alert-summary.ts). */
function useSummary(): (a: Alert) => string {
  const i18n = useI18n();
  const nameOf = useNameOf();
  return alertSummarizer(i18n, (id) => nameOf(id));
}

/** "user Ada Lovelace", "address 10.0.0.1", or the subject as given. */
function useSubject(): (s: string) => string {
  const nameOf = useNameOf();
  const { t } = useI18n();
  return (s) => {
    if (s.startsWith('ip:')) return t('alerts.subject.ip', { ip: s.slice(3) });
    if (s.startsWith('email:')) return s.slice(6);
    return nameOf(s) ?? shortId(s);
  };
}

export function AlertsAdmin() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num, relative, dateTime } = i18n;
  const [status, setStatus] = useState<Status>('open');
  const [rule, setRule] = useState('');
  const [data, setData] = useState<ResponseOf<'listAlerts'> | null>(null);
  const [more, setMore] = useState<Alert[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const subject = useSubject();
  const summary = useSummary();
  const gen = useRef(0);

  const load = async () => {
    const mine = ++gen.current;
    try {
      const res = await app.client.http.request('listAlerts', {
        query: { limit: '50', ...(status !== 'all' ? { status } : {}), ...(rule ? { rule: rule as (typeof RULES)[number] } : {}) },
      });
      if (mine !== gen.current) return;
      setData(res);
      setError(null);
    } catch (err) {
      if (mine === gen.current) setError(errorText(err, i18n));
    }
  };
  useEffect(() => {
    setData(null);
    setMore([]);
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, rule]);

  const loadMore = async () => {
    const cursor = more.length ? more[more.length - 1].id : data?.nextCursor;
    if (!cursor) return;
    try {
      const res = await app.client.http.request('listAlerts', {
        query: { limit: '50', cursor, ...(status !== 'all' ? { status } : {}), ...(rule ? { rule: rule as (typeof RULES)[number] } : {}) },
      });
      setMore((m) => [...m, ...res.alerts]);
      if (!res.nextCursor) setData((d) => (d ? { ...d, nextCursor: null } : d));
    } catch (err) {
      setError(errorText(err, i18n));
    }
  };

  const alerts = [...(data?.alerts ?? []), ...more.filter((m) => !data?.alerts.some((a) => a.id === m.id))];
  const openHigh = alerts.filter((a) => a.status === 'open' && a.severity === 'high').length;
  const behind = data ? Math.max(0, data.head - data.scannedThrough) : 0;

  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.alerts')}</h2>
          <p className="muted">{t('alerts.hint')}</p>
        </div>
      </header>

      <div className="stats">
        <div className="stat"><span className="stat-value" data-testid="alerts-count">{data ? num(alerts.length) : '—'}</span><span className="stat-label">{t(`alerts.count.${status}`)}</span></div>
        <div className="stat"><span className={`stat-value ${openHigh ? 'danger' : ''}`}>{data ? num(openHigh) : '—'}</span><span className="stat-label">{t('alerts.highOpen')}</span></div>
        <div className="stat">
          <span className="stat-value sm">
            {!data ? '—' : behind === 0
              ? <span className="notice-inline success"><Icon name="check" /> {t('alerts.scanUpToDate')}</span>
              : <span className="muted">{t('alerts.scanBehind', { count: num(behind) })}</span>}
          </span>
          <span className="stat-label">{t('alerts.scanned', { seq: num(data?.scannedThrough ?? 0) })}</span>
        </div>
      </div>

      {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span> <span className="spacer" /><button type="button" className="link" onClick={() => setNotice(null)}>{t('common.dismiss')}</button></div>}

      <div className="table-tools">
        <div className="segmented" role="radiogroup" aria-label={t('alerts.filterStatus')}>
          {(['open', 'acknowledged', 'all'] as const).map((s) => (
            <button key={s} type="button" role="radio" aria-checked={status === s} className={status === s ? 'active' : ''} onClick={() => setStatus(s)}>
              {t(`alerts.tab.${s}`)}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <label className="inline-field">
          <span>{t('alerts.rule')}</span>
          <select value={rule} onChange={(e) => setRule(e.target.value)}>
            <option value="">{t('alerts.anyRule')}</option>
            {RULES.map((r) => <option key={r} value={r}>{t(`alerts.rule.${r}`)}</option>)}
          </select>
        </label>
        <Button variant="ghost" icon="refresh" onClick={() => void load()}>{t('alerts.refresh')}</Button>
      </div>

      {error && <p className="form-error" role="alert">{error}</p>}

      {!data ? (
        !error && <div className="center-fill"><span className="spinner spinner-lg" aria-hidden="true" /><span className="sr-only">{t('common.loading')}</span></div>
      ) : alerts.length === 0 ? (
        <Empty icon="shield" title={status === 'open' ? t('alerts.emptyOpen') : t('alerts.empty')}>{t('alerts.emptyHint')}</Empty>
      ) : (
        <ul className="alert-list" data-testid="alerts-list" aria-label={t('admin.nav.alerts')}>
          {alerts.map((a) => (
            <li key={a.id} className={`alert-item severity-${a.severity} ${a.status}`} data-rule={a.rule} data-status={a.status}>
              <span className={`alert-icon severity-${a.severity}`}><Icon name={a.rule === 'brute_force' || a.rule === 'new_network' || a.rule === 'impossible_travel' ? 'key' : a.rule === 'bulk_export' ? 'download' : 'shield'} size={18} /></span>
              <div className="alert-main">
                <div className="alert-title">
                  <button type="button" className="alert-open" onClick={() => setOpenId(a.id)}>{t(`alerts.rule.${a.rule}`)}</button>
                  <SeverityBadge severity={a.severity} />
                  <StatusBadge alert={a} />
                </div>
                <p className="alert-summary">{summary(a)}</p>
                <p className="muted small">
                  <Icon name="user" size={12} /> {subject(a.subject)} · <span title={dateTime(a.triggerAt)}>{relative(a.triggerAt)}</span> · {t('alerts.rows', { count: num(a.rowIds.length) })}
                </p>
              </div>
              <Button size="sm" onClick={() => setOpenId(a.id)}>{t('alerts.open')}</Button>
            </li>
          ))}
        </ul>
      )}
      {data?.nextCursor && <div className="table-foot"><span className="spacer" /><Button icon="chevronDown" onClick={() => void loadMore()}>{t('alerts.loadMore')}</Button></div>}

      {openId && (
        <AlertDialog
          id={openId} onClose={() => setOpenId(null)}
          onAcknowledged={(a) => { setNotice(t('alerts.acknowledgedDone', { rule: t(`alerts.rule.${a.rule}`) })); setMore((m) => m.map((x) => (x.id === a.id ? a : x))); void load(); }}
        />
      )}
    </>
  );
}

function AlertDialog({ id, onClose, onAcknowledged }: { id: string; onClose(): void; onAcknowledged(a: Alert): void }) {
  const app = useApp();
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const nameOf = useNameOf();
  const subject = useSubject();
  const summary = useSummary();
  const closeRef = useRef<HTMLButtonElement>(null);
  const [justAcked, setJustAcked] = useState(false);
  const [alert, setAlert] = useState<Alert | null>(null);
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [note, setNote] = useState('');
  const { busy, error, setError, submit: acknowledge } = useSubmit(async () => {
    const res = await app.client.http.request('acknowledgeAlert', { params: { id }, body: note.trim() ? { note: note.trim() } : {} });
    setAlert(res.alert);
    setJustAcked(true);
    onAcknowledged(res.alert);
  }, (err) => errorText(err, i18n));

  // The form (and the focus in it) goes away on acknowledging: keep focus in the dialog.
  useEffect(() => { if (justAcked) closeRef.current?.focus(); }, [justAcked]);
  useEffect(() => {
    app.client.http.request('getAlert', { params: { id } }).then((r) => { setAlert(r.alert); setRecords([...r.records].sort((a, b) => b.seq - a.seq)); }, (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  return (
    <Modal
      title={alert ? t(`alerts.rule.${alert.rule}`) : t('common.loading')} onClose={onClose} wide
      footer={<>
        <button type="button" ref={closeRef} className={`btn ${alert?.status === 'open' ? 'btn-ghost' : 'btn-secondary'} btn-md`} onClick={onClose}>{t('common.close')}</button>
        {alert?.status === 'open' && <Button type="submit" form="ack-form" variant="primary" icon="check" busy={busy} data-testid="acknowledge">{t('alerts.acknowledge')}</Button>}
      </>}
    >
      {error && <p className="form-error" role="alert">{error}</p>}
      {!alert ? (!error && <div className="center-fill"><span className="spinner spinner-lg" aria-hidden="true" /></div>) : (
        <div className="stack alert-detail" data-testid="alert-detail">
          <div className="row gap">
            <SeverityBadge severity={alert.severity} />
            <StatusBadge alert={alert} />
          </div>
          <p className="alert-summary-lg">{summary(alert)}</p>
          <p className="muted small">{t(`alerts.ruleHint.${alert.rule}`)}</p>
          <dl className="deflist">
            <dt>{t('alerts.subject')}</dt><dd>{subject(alert.subject)} {!alert.subject.startsWith('ip:') && <code className="muted small">{alert.subject}</code>}</dd>
            <dt>{t('alerts.triggered')}</dt><dd>{dateTime(alert.triggerAt)} · #{alert.triggerSeq}</dd>
            {Object.entries(alert.details).map(([k, v]) => (
              <DetailRow key={k} k={k} v={v} />
            ))}
            {alert.status === 'acknowledged' && (
              <>
                <dt>{t('alerts.acknowledgedBy')}</dt>
                <dd>{nameOf(alert.acknowledgedBy) ?? alert.acknowledgedBy ?? '—'}{alert.acknowledgedAt ? ` · ${dateTime(alert.acknowledgedAt)}` : ''}</dd>
                {alert.note && <><dt>{t('alerts.note')}</dt><dd className="alert-note">{alert.note}</dd></>}
              </>
            )}
          </dl>
          <section>
            <h3 className="section-title">{t('alerts.triggeringRows', { count: records.length })}</h3>
            <div className="alert-records"><AuditTable records={records} compact testId="alert-records" /></div>
          </section>
          {alert.status === 'open' && (
            <form className="ack-form" id="ack-form" onSubmit={acknowledge}>
              <div className="field">
                <label htmlFor="ack-note">{t('alerts.note')} <span className="muted">({t('common.optional')})</span></label>
                <textarea id="ack-note" rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('alerts.notePlaceholder')} />
              </div>
            </form>
          )}
        </div>
      )}
    </Modal>
  );
}

const DETAIL_KEYS = ['failures', 'threshold', 'windowMinutes', 'ips', 'distinctIps', 'ip', 'network', 'knownNetworks', 'previousLogins', 'from', 'to', 'minutesApart',
  'exportedRows', 'downloadedFiles', 'exportThreshold', 'downloadThreshold', 'operations', 'action', 'localTime', 'timeZone', 'role', 'fromRole', 'grantedBy',
  'requestedBy', 'approvedBy', 'permissions', 'denials', 'actions', 'kind'];

/** One rule-specific detail: known keys in the user's language, people by name. */
function DetailRow({ k, v }: { k: string; v: unknown }) {
  const { t, num, dateTime } = useI18n();
  const nameOf = useNameOf();
  if (k === 'businessHours' || k === 'businessDays') return null;
  const label = DETAIL_KEYS.includes(k) ? t(`alerts.detail.${k}` as MsgKey) : k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  const show = (x: unknown): string => {
    if (x === null || x === undefined || x === '') return '—';
    if (typeof x === 'number') return num(x);
    if (Array.isArray(x)) return x.length ? x.map(show).join(', ') : '—';
    if (typeof x === 'object') {
      const o = x as { ip?: string; region?: string; at?: number };
      if (o.ip !== undefined || o.at !== undefined) return [o.ip, o.region, o.at ? dateTime(o.at) : null].filter(Boolean).join(' · ');
      return JSON.stringify(x);
    }
    if (/^(grantedBy|requestedBy|approvedBy)$/.test(k)) return nameOf(String(x)) ?? String(x);
    return String(x);
  };
  return <><dt className="detail-key">{label}</dt><dd className="detail-value">{show(v)}</dd></>;
}
