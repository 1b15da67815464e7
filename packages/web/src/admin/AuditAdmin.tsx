/**
 * Audit log (AUD-2, AUD-3): search with filters, cursor paging, a record's full detail, trace
 * of every operation on one object, the chain status (signing key, latest signed checkpoint)
 * and a signed JSON Lines export for `conclave audit verify --export` (audit.export).
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { isConclaveError, type QueryOf, type ResponseOf } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Button, CopyButton, Empty } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { AuditTable, groupHex, shortHash, type AuditRecord } from './audit-shared';

const PAGE = 50;
const OUTCOMES = ['success', 'denied', 'failed', 'error'] as const;
/** Suggestions for the action filter; any action name or `prefix.*` is accepted. */
const ACTION_HINTS = ['auth.*', 'auth.login', 'users.*', 'users.create', 'users.update', 'users.deactivate', 'roles.*', 'org.*', 'conversations.*', 'messages.*', 'files.*', 'audit.*', 'alerts.*', 'sessions.*'];
const VERIFY_COMMAND = 'conclave audit verify --export <file> --pubkey <key.pem>';

interface Filters { action: string; actor: string; target: string; outcome: string; from: string; to: string }
const EMPTY: Filters = { action: '', actor: '', target: '', outcome: '', from: '', to: '' };

type SearchQuery = QueryOf<'searchAudit'>;

function toQuery(f: Filters): SearchQuery {
  const q: SearchQuery = {};
  if (f.action.trim()) q.action = f.action.trim();
  if (f.actor === 'type:system') q.actorType = 'system';
  else if (f.actor === 'type:anonymous') q.actorType = 'anonymous';
  else if (f.actor) q.actor = f.actor;
  if (f.target.trim()) q.target = f.target.trim();
  if (f.outcome) q.outcome = f.outcome as SearchQuery['outcome'];
  // datetime-local is the browser's local time; the API takes epoch milliseconds.
  if (f.from) q.from = String(new Date(f.from).getTime());
  if (f.to) q.to = String(new Date(f.to).getTime() + 59_999);
  return q;
}

export function AuditAdmin() {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t, num, dateTime } = i18n;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [trace, setTrace] = useState<string | null>(null);
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);

  const load = async (more: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = { limit: String(PAGE), ...(more && cursor ? { cursor } : {}) };
      const res = trace
        ? await app.client.http.request('traceAudit', { params: { id: trace }, query: page })
        : await app.client.http.request('searchAudit', { query: { ...toQuery(applied), ...page } });
      setRecords((prev) => (more && prev ? [...prev, ...res.records] : res.records));
      setCursor(res.nextCursor);
    } catch (err) {
      if (!more) setRecords([]);
      setError(errorText(err, i18n));
    } finally {
      setLoading(false);
    }
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(false); }, [applied, trace]);

  const apply = (e?: FormEvent) => {
    e?.preventDefault();
    setTrace(null);
    setExported(null);
    setExportError(null);
    setApplied({ ...draft });
  };
  const reset = () => { setDraft(EMPTY); setTrace(null); setApplied(EMPTY); };
  const active = Object.values(applied).filter(Boolean).length;

  const people = useMemo(() => [...store.users.values()].sort((a, b) => a.name.localeCompare(b.name)), [store.users.size]); // eslint-disable-line react-hooks/exhaustive-deps

  // The export covers a contiguous seq range (so the chain verifies): from the oldest to the newest record listed.
  const range = records && records.length ? { fromSeq: Math.min(...records.map((r) => r.seq)), toSeq: Math.max(...records.map((r) => r.seq)) } : null;

  const doExport = async () => {
    if (!range) return;
    setExporting(true);
    setExportError(null);
    setExported(null);
    try {
      const res = await app.client.http.request('exportAudit', { body: range });
      const url = URL.createObjectURL(new Blob([res.jsonl], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = res.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExported(t('audit.export.done', { count: res.manifest.count, from: res.manifest.fromSeq, to: res.manifest.toSeq, file: res.filename }));
    } catch (err) {
      setExportError(exportErrorText(err, i18n));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.audit')}</h2>
          <p className="muted">{t('audit.hint')}</p>
        </div>
        <span className="spacer" />
        {app.can('audit.export') && (
          <div className="export-action">
            <Button variant="primary" icon="download" busy={exporting} disabled={!range} onClick={() => void doExport()} data-testid="audit-export">
              {t('audit.export')}
            </Button>
            {range && <span className="muted small">{t('audit.export.range', { from: range.fromSeq, to: range.toSeq })}</span>}
          </div>
        )}
      </header>

      <ChainStatus />

      {exported && <div className="notice notice-success" role="status" data-testid="audit-export-done"><Icon name="check" /> <span>{exported}</span></div>}
      {exportError && (
        <div className="notice notice-danger" role="alert" data-testid="audit-export-error">
          <Icon name="alert" />
          <span><strong>{t('audit.export.failed')}</strong> {exportError}</span>
        </div>
      )}

      <form className="filter-bar" onSubmit={apply} aria-label={t('audit.filters')} data-testid="audit-filters">
        <div className="field">
          <label htmlFor="audit-f-action">{t('audit.filter.action')}</label>
          <input id="audit-f-action" list="audit-action-hints" value={draft.action} placeholder="auth.*" onChange={(e) => setDraft({ ...draft, action: e.target.value })} spellCheck={false} autoComplete="off" />
          <datalist id="audit-action-hints">{ACTION_HINTS.map((a) => <option key={a} value={a} />)}</datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-f-actor">{t('audit.filter.actor')}</label>
          <select id="audit-f-actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })}>
            <option value="">{t('audit.filter.anyone')}</option>
            <option value="type:system">{t('audit.actor.system')}</option>
            <option value="type:anonymous">{t('audit.actor.anonymous')}</option>
            <optgroup label={t('audit.filter.people')}>
              {people.map((u) => <option key={u.id} value={u.id}>{u.name} ({u.email})</option>)}
              {draft.actor && !draft.actor.startsWith('type:') && !store.user(draft.actor) && <option value={draft.actor}>{draft.actor}</option>}
            </optgroup>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-f-target">{t('audit.filter.target')}</label>
          <input id="audit-f-target" value={draft.target} placeholder={t('audit.filter.targetPlaceholder')} onChange={(e) => setDraft({ ...draft, target: e.target.value })} spellCheck={false} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-f-outcome">{t('audit.filter.outcome')}</label>
          <select id="audit-f-outcome" value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
            <option value="">{t('audit.filter.anyOutcome')}</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{t(`audit.outcome.${o}`)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-f-from">{t('audit.filter.from')}</label>
          <input id="audit-f-from" type="datetime-local" value={draft.from} max={draft.to || undefined} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-f-to">{t('audit.filter.to')}</label>
          <input id="audit-f-to" type="datetime-local" value={draft.to} min={draft.from || undefined} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div className="filter-actions">
          <Button type="submit" variant="primary" icon="filter">{t('audit.filter.apply')}</Button>
          <Button variant="ghost" onClick={reset} disabled={!active && !trace && draft === EMPTY}>{t('audit.filter.reset')}</Button>
        </div>
      </form>

      {trace && (
        <div className="notice notice-info" role="status">
          <Icon name="link" />
          <span>{t('audit.tracing')} <code>{trace}</code></span>
          <span className="spacer" />
          <button type="button" className="link" onClick={() => setTrace(null)}>{t('audit.backToSearch')}</button>
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}

      {records === null ? (
        <div className="center-fill"><span className="spinner spinner-lg" aria-hidden="true" /><span className="sr-only">{t('common.loading')}</span></div>
      ) : records.length === 0 ? (
        !error && <Empty icon="fileText" title={t('audit.empty')}>{active ? t('audit.emptyFiltered') : null}</Empty>
      ) : (
        <>
          <AuditTable
            records={records} testId="audit-table"
            onTrace={(id) => { setTrace(id); window.scrollTo?.(0, 0); }}
            onActor={(id) => { const f = { ...EMPTY, actor: id }; setDraft(f); setTrace(null); setApplied(f); }}
          />
          <div className="table-foot">
            <span className="muted small" aria-live="polite">
              {t('audit.showing', { count: num(records.length) })}
              {records.length > 0 && ` · ${dateTime(records[records.length - 1].at)} – ${dateTime(records[0].at)}`}
            </span>
            <span className="spacer" />
            {cursor
              ? <Button icon="chevronDown" busy={loading} onClick={() => void load(true)}>{t('audit.loadOlder')}</Button>
              : <span className="muted small">{t('audit.end')}</span>}
          </div>
        </>
      )}
    </>
  );
}

/** The chain's signing key and latest signed checkpoint; full verification is offline, with the CLI. */
function ChainStatus() {
  const app = useApp();
  const i18n = useI18n();
  const { t, num, dateTime, relative } = i18n;
  const [keys, setKeys] = useState<ResponseOf<'listAuditKeys'>['keys'] | null>(null);
  const [cps, setCps] = useState<ResponseOf<'listAuditCheckpoints'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([
      app.client.http.request('listAuditKeys'),
      app.client.http.request('listAuditCheckpoints', { query: { limit: '1' } }),
    ]).then(([k, c]) => { setKeys(k.keys); setCps(c); }, (err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const key = keys?.find((k) => k.current) ?? keys?.[0];
  const latest = cps?.checkpoints[0];
  const pending = cps && latest ? Math.max(0, cps.head.count - latest.count) : null;
  return (
    <section className="card chain-card" aria-labelledby="chain-title" data-testid="audit-chain">
      <header className="card-header">
        <div>
          <h2 id="chain-title"><Icon name="shield" /> {t('audit.chain.title')}</h2>
          <p className="muted">{t('audit.chain.hint')}</p>
        </div>
      </header>
      <div className="card-body">
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="chain-grid">
          <div className="chain-item">
            <span className="chain-label">{t('audit.chain.key')}</span>
            {key ? (
              <>
                <code className="chain-fingerprint" data-testid="audit-key-fingerprint" title={key.fingerprint}>{groupHex(key.fingerprint.slice(0, 24))}…</code>
                <span className="muted small">{key.algorithm} · {t('audit.chain.keyCreated', { when: i18n.date(key.createdAt) })}{keys && keys.length > 1 ? ` · ${t('audit.chain.keys', { count: keys.length })}` : ''}</span>
              </>
            ) : <span className="muted">{error ? '—' : t('common.loading')}</span>}
          </div>
          <div className="chain-item">
            <span className="chain-label">{t('audit.chain.checkpoint')}</span>
            {latest ? (
              <>
                <span className="chain-value" data-testid="audit-checkpoint">{t('audit.chain.rows', { count: num(latest.count) })}</span>
                <span className="muted small" title={dateTime(latest.at)}>{t('audit.chain.signed', { when: relative(latest.at) })} · <code title={latest.headHash}>{shortHash(latest.headHash)}</code></span>
              </>
            ) : <span className="muted">{cps ? t('audit.chain.noCheckpoint') : error ? '—' : t('common.loading')}</span>}
          </div>
          <div className="chain-item">
            <span className="chain-label">{t('audit.chain.head')}</span>
            {cps ? (
              <>
                <span className="chain-value" data-testid="audit-head">{t('audit.chain.rows', { count: num(cps.head.count) })}</span>
                <span className="muted small">
                  {pending === null ? <code title={cps.head.hash}>{shortHash(cps.head.hash)}</code> : pending === 0 ? t('audit.chain.allSigned') : t('audit.chain.pending', { count: num(pending) })}
                </span>
              </>
            ) : <span className="muted">{error ? '—' : t('common.loading')}</span>}
          </div>
        </div>
        <div className="chain-verify">
          <Icon name="info" />
          <p>{t('audit.chain.verifyNote')}</p>
          <div className="command-box"><code data-testid="audit-verify-command" title={VERIFY_COMMAND}>{VERIFY_COMMAND}</code><CopyButton text={VERIFY_COMMAND} /></div>
        </div>
      </div>
    </section>
  );
}

/** The export's refusal in one sentence; the API caps rows per export and says by how much. */
function exportErrorText(err: unknown, i18n: ReturnType<typeof useI18n>): string {
  if (isConclaveError(err, 'validation_failed')) {
    const d = err.details as { maxRows?: number; rows?: number } | undefined;
    if (d?.maxRows && d.rows) return i18n.t('audit.export.tooMany', { rows: d.rows, max: d.maxRows });
    return err.message;
  }
  return errorText(err, i18n);
}
