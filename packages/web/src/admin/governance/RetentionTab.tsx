/**
 * Retention (GOV-1, GOV-2): policies per scope, legal minimums per level, which rule applies to
 * one conversation and why, a dry-run preview, starting a run, and the runs with their receipts
 * (polled while one is running).
 */
import { useEffect, useRef, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useGovI18n, type GovI18n } from '../../i18n/gov';
import { Badge, Button, Field, Modal } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { Card } from '../../ui/PageShell';
import { useSubmit } from '../../ui/use-submit';
import { shortId } from '../audit-shared';
import { ConversationInput, Loading, ReceiptDialog, govErrorText, useConversationLabel, useCountsText, usePersonName } from './shared';

type Policy = ResponseOf<'listRetentionPolicies'>['policies'][number];
type Minimum = ResponseOf<'listRetentionPolicies'>['minimums'][number];
type Run = ResponseOf<'listRetentionRuns'>['runs'][number];
type Scope = Policy['scope'];
const SCOPES: Scope[] = ['org', 'kind', 'level', 'conversation'];
const KINDS = ['dm', 'group', 'channel'] as const;
const POLL_MS = 1500;

/** "30 days", "keep forever". */
export function useDaysText(): (d: number | null) => string {
  const { t, num } = useGovI18n();
  return (d) => (d === null ? t('gov.keepForever') : t('gov.days', { n: num(d) }));
}

export function RetentionTab() {
  const app = useApp();
  const i18n = useGovI18n();
  const [data, setData] = useState<ResponseOf<'listRetentionPolicies'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => app.client.governance.policies().then((d) => { setData(d); setError(null); }, (err) => setError(govErrorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);
  if (!data) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  return (
    <>
      <PoliciesCard policies={data.policies} onChanged={load} />
      <MinimumsCard minimums={data.minimums} onChanged={load} />
      <ExplainCard />
      <RunsCard />
    </>
  );
}

// ---------------------------------------------------------------- policies

function PoliciesCard({ policies, onChanged }: { policies: Policy[]; onChanged(): Promise<unknown> }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, dateTime } = i18n;
  const days = useDaysText();
  const convLabel = useConversationLabel();
  const [editing, setEditing] = useState<Partial<Policy> | null>(null);
  const [deleting, setDeleting] = useState<Policy | null>(null);
  const [saved, setSaved] = useState<{ text: string; warnings: string[] } | null>(null);
  const sorted = [...policies].sort((a, b) => SCOPES.indexOf(a.scope) - SCOPES.indexOf(b.scope) || a.target.localeCompare(b.target));
  const targetText = (p: Pick<Policy, 'scope' | 'target'>) =>
    p.scope === 'org' ? t('gov.policy.wholeOrg') : p.scope === 'kind' ? t(`gov.kind.${p.target as (typeof KINDS)[number]}`) : p.scope === 'conversation' ? convLabel(p.target) : p.target;

  const { busy, error, setError, submit: remove } = useSubmit(async () => {
    const p = deleting;
    if (!p) return; // the confirm button only exists while a policy is picked
    await app.client.governance.deletePolicy(p.id);
    setDeleting(null);
    setSaved({ text: t('gov.policy.deleted', { scope: t(`gov.scope.${p.scope}`), target: targetText(p) }), warnings: [] });
    await onChanged();
  }, (err) => govErrorText(err, i18n));

  return (
    <Card
      title={t('gov.policy.title')} description={t('gov.policy.hint')}
      actions={<Button variant="primary" icon="plus" onClick={() => { setSaved(null); setEditing({}); }} data-testid="policy-add">{t('gov.policy.add')}</Button>}
    >
      <div className="stack">
        {saved && (
          <div className={`notice ${saved.warnings.length ? 'notice-warning' : 'notice-success'}`} role="status" data-testid="policy-saved">
            <Icon name={saved.warnings.length ? 'alert' : 'check'} />
            <span>
              {saved.text}
              {saved.warnings.length > 0 && <><br /><strong>{t('gov.policy.warnings')}</strong><ul className="gov-warnings">{saved.warnings.map((w) => <li key={w}>{warningText(w, i18n)}</li>)}</ul></>}
            </span>
            <button type="button" className="link" onClick={() => setSaved(null)}>{t('common.dismiss')}</button>
          </div>
        )}
        {error && !deleting && <p className="form-error" role="alert">{error}</p>}
        <div className="table-wrap flat">
          <table className="table" data-testid="policies-table">
            <caption className="sr-only">{t('gov.policy.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('gov.policy.scope')}</th>
                <th scope="col">{t('gov.policy.target')}</th>
                <th scope="col">{t('gov.policy.retention')}</th>
                <th scope="col">{t('gov.policy.updated')}</th>
                <th scope="col"><span className="sr-only">{t('gov.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((p) => (
                <tr key={p.id} data-scope={p.scope} data-target={p.target}>
                  <td><Badge tone="brand">{t(`gov.scope.${p.scope}`)}</Badge></td>
                  <td title={p.target || undefined}>{targetText(p)}</td>
                  <td className="nowrap">{p.deleteAfterDays === null ? <span className="gov-forever"><Icon name="lock" size={13} /> {days(null)}</span> : days(p.deleteAfterDays)}</td>
                  <td className="small muted nowrap">{dateTime(p.updatedAt)}</td>
                  <td className="actions-cell">
                    <Button size="sm" icon="edit" onClick={() => { setSaved(null); setEditing(p); }}>{t('gov.policy.change')}</Button>
                    <Button size="sm" variant="ghost" icon="trash" onClick={() => { setError(null); setDeleting(p); }} aria-label={t('gov.policy.deleteOf', { scope: t(`gov.scope.${p.scope}`), target: targetText(p) })}>{t('common.delete')}</Button>
                  </td>
                </tr>
              ))}
              {sorted.length === 0 && <tr><td colSpan={5} className="muted center">{t('gov.policy.empty')}</td></tr>}
            </tbody>
          </table>
        </div>
      </div>
      {editing && (
        <PolicyDialog
          initial={editing} onClose={() => setEditing(null)}
          onSaved={(p, warnings) => { setEditing(null); setSaved({ text: t('gov.policy.saved', { scope: t(`gov.scope.${p.scope}`), target: targetText(p), days: days(p.deleteAfterDays) }), warnings }); void onChanged(); }}
        />
      )}
      {deleting && (
        <Modal
          title={t('gov.policy.deleteTitle')} onClose={() => setDeleting(null)}
          footer={<>
            <Button variant="ghost" onClick={() => setDeleting(null)}>{t('common.cancel')}</Button>
            <Button variant="danger" busy={busy} onClick={() => void remove()} data-testid="policy-delete-confirm">{t('common.delete')}</Button>
          </>}
        >
          <p>{t('gov.policy.deleteBody', { scope: t(`gov.scope.${deleting.scope}`), target: targetText(deleting), days: days(deleting.deleteAfterDays) })}</p>
          {error && <p className="form-error" role="alert">{error}</p>}
        </Modal>
      )}
    </Card>
  );
}

function PolicyDialog({ initial, onClose, onSaved }: { initial: Partial<Policy>; onClose(): void; onSaved(p: Policy, warnings: string[]): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const levels = app.caps?.levels.map((l) => l.name) ?? [];
  const [scope, setScope] = useState<Scope>(initial.scope ?? 'org');
  const [target, setTarget] = useState(initial.target ?? '');
  const [forever, setForever] = useState(initial.deleteAfterDays === null);
  const [daysText, setDaysText] = useState(initial.deleteAfterDays ? String(initial.deleteAfterDays) : '');

  const changeScope = (s: Scope) => {
    setScope(s);
    setTarget(s === 'kind' ? 'group' : s === 'level' ? levels[0] ?? '' : '');
  };
  const days = Math.round(Number(daysText));
  const valid = (scope === 'org' || target) && (forever || (daysText && days >= 1 && days <= 36500));

  const { busy, error, submit } = useSubmit(async () => {
    const res = await app.client.governance.setPolicy({ scope, target: scope === 'org' ? '' : target, deleteAfterDays: forever ? null : days });
    onSaved(res.policy, res.warnings);
  }, (err) => govErrorText(err, i18n));

  return (
    <Modal title={initial.id ? t('gov.policy.changeTitle') : t('gov.policy.add')} onClose={onClose}>
      <form className="stack" onSubmit={submit} data-testid="policy-form">
        <p className="muted small">{t('gov.policy.replaceHint')}</p>
        <Field label={t('gov.policy.scope')}>
          {(id) => (
            <select id={id} value={scope} onChange={(e) => changeScope(e.target.value as Scope)}>
              {SCOPES.map((s) => <option key={s} value={s}>{t(`gov.scope.${s}`)} — {t(`gov.scope.${s}.hint`)}</option>)}
            </select>
          )}
        </Field>
        {scope === 'kind' && (
          <Field label={t('gov.policy.kind')}>
            {(id) => <select id={id} value={target} onChange={(e) => setTarget(e.target.value)}>{KINDS.map((k) => <option key={k} value={k}>{t(`gov.kind.${k}`)}</option>)}</select>}
          </Field>
        )}
        {scope === 'level' && (
          <Field label={t('gov.policy.level')}>
            {(id) => <select id={id} value={target} onChange={(e) => setTarget(e.target.value)}>{levels.map((l) => <option key={l} value={l}>{l}</option>)}</select>}
          </Field>
        )}
        {scope === 'conversation' && (
          <Field label={t('gov.policy.conversation')} hint={t('gov.conversationHint')}>
            {(id, d) => <ConversationInput id={id} value={target} onChange={setTarget} required describedBy={d} />}
          </Field>
        )}
        <Field label={t('gov.policy.deleteAfter')} hint={t('gov.policy.deleteAfterHint')}>
          {(id, d) => (
            <span className="retention-input">
              <input id={id} type="number" min={1} max={36500} inputMode="numeric" value={forever ? '' : daysText} disabled={forever} aria-describedby={d} onChange={(e) => setDaysText(e.target.value)} />
              <span className="muted small">{t('gov.daysUnit')}</span>
            </span>
          )}
        </Field>
        <label className="check"><input type="checkbox" checked={forever} onChange={(e) => setForever(e.target.checked)} /> {t('gov.policy.keepForever')}</label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!valid} data-testid="policy-save">{t('gov.policy.save')}</Button>
        </div>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------- legal minimums

function MinimumsCard({ minimums, onChanged }: { minimums: Minimum[]; onChanged(): Promise<unknown> }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const days = useDaysText();
  const levels = [...new Set([...(app.caps?.levels.map((l) => l.name) ?? []), ...minimums.map((m) => m.level)])];
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (level: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(level);
    setError(null);
    setNotice(null);
    try {
      await fn();
      setDrafts((d) => { const n = { ...d }; delete n[level]; return n; });
      setNotice(done);
      await onChanged();
    } catch (err) {
      setError(govErrorText(err, i18n));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card title={t('gov.min.title')} description={t('gov.min.hint')}>
      <div className="stack">
        {notice && <div className="notice notice-success" role="status"><Icon name="check" /> <span>{notice}</span></div>}
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="table-wrap flat">
          <table className="table" data-testid="minimums-table">
            <caption className="sr-only">{t('gov.min.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('gov.policy.level')}</th>
                <th scope="col">{t('gov.min.current')}</th>
                <th scope="col">{t('gov.min.set')}</th>
                <th scope="col"><span className="sr-only">{t('gov.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {levels.map((level) => {
                const m = minimums.find((x) => x.level === level);
                const draft = drafts[level] ?? '';
                const n = Math.round(Number(draft));
                return (
                  <tr key={level} data-level={level}>
                    <th scope="row"><Badge tone="level">{level}</Badge></th>
                    <td>{m ? days(m.minDays) : <span className="muted">{t('gov.min.none')}</span>}</td>
                    <td>
                      <span className="retention-input">
                        <input type="number" min={1} max={36500} inputMode="numeric" value={draft} placeholder={m ? String(m.minDays) : ''} aria-label={t('gov.min.for', { level })} onChange={(e) => setDrafts({ ...drafts, [level]: e.target.value })} />
                        <span className="muted small">{t('gov.daysUnit')}</span>
                      </span>
                    </td>
                    <td className="actions-cell">
                      <Button size="sm" busy={busy === level} disabled={!draft || n < 1 || n > 36500} onClick={() => void act(level, () => app.client.governance.setMinimum(level, n), t('gov.min.saved', { level, days: days(n) }))}>{t('gov.min.apply')}</Button>
                      {m && <Button size="sm" variant="ghost" disabled={busy === level} onClick={() => void act(level, () => app.client.governance.deleteMinimum(level), t('gov.min.removed', { level }))}>{t('gov.min.remove')}</Button>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    </Card>
  );
}

// ---------------------------------------------------------------- explain

function ExplainCard() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const days = useDaysText();
  const convLabel = useConversationLabel();
  const [conversationId, setConversationId] = useState('');
  const [result, setResult] = useState<ResponseOf<'effectiveRetention'>['retention'] | null>(null);

  const { busy, error, submit: explain } = useSubmit(async () => {
    setResult(null);
    setResult((await app.client.governance.effective(conversationId)).retention);
  }, (err) => govErrorText(err, i18n));

  return (
    <Card title={t('gov.explain.title')} description={t('gov.explain.hint')}>
      <form className="gov-inline-form" onSubmit={explain}>
        <Field label={t('gov.policy.conversation')}>
          {(id) => <ConversationInput id={id} value={conversationId} onChange={setConversationId} required testId="explain-conversation" />}
        </Field>
        <Button type="submit" variant="primary" icon="search" busy={busy} disabled={!conversationId} data-testid="explain-submit">{t('gov.explain.submit')}</Button>
      </form>
      {error && <p className="form-error" role="alert">{error}</p>}
      {result && (
        <div className="gov-explain" data-testid="explain-result">
          <div className="gov-explain-head">
            <span className="gov-explain-value" data-testid="explain-days">{days(result.deleteAfterDays)}</span>
            <span className="muted small">
              {convLabel(result.conversationId)} · {t(`gov.kind.${result.kind as (typeof KINDS)[number]}`)} · <Badge tone="level">{result.level}</Badge>
              {result.minimumDays !== null && <> · {t('gov.explain.minimum', { days: days(result.minimumDays) })}</>}
              {result.raisedToMinimum && <> · <Badge tone="warning">{t('gov.explain.raised')}</Badge></>}
            </span>
          </div>
          <p className="gov-explanation" data-testid="explain-text" title={i18n.lang === 'en' ? undefined : `${t('gov.explain.serverText')}: ${result.explanation}`}>
            <Icon name="info" size={14} /> {i18n.lang === 'en' ? result.explanation.replace(/^./, (c) => c.toUpperCase()) : explanationText(result, i18n, convLabel)}
          </p>
          <div className="table-wrap flat">
            <table className="table compact">
              <caption className="sr-only">{t('gov.explain.candidates')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('gov.explain.source')}</th>
                  <th scope="col">{t('gov.policy.target')}</th>
                  <th scope="col">{t('gov.policy.retention')}</th>
                  <th scope="col">{t('gov.explain.outcome')}</th>
                </tr>
              </thead>
              <tbody>
                {result.candidates.map((c, i) => (
                  <tr key={i} className={c.outcome === 'applies' ? 'gov-applies' : 'inactive'} data-outcome={c.outcome}>
                    <td>{t(`gov.source.${c.source}`)}</td>
                    <td>{c.source === 'conversation' ? convLabel(c.target) : c.source === 'kind' ? t(`gov.kind.${c.target as (typeof KINDS)[number]}`) : c.source === 'org' ? t('gov.policy.wholeOrg') : c.target}</td>
                    <td>{days(c.deleteAfterDays)}</td>
                    <td>{c.outcome === 'applies' ? <Badge tone="success"><Icon name="check" size={12} /> {t('gov.explain.applies')}</Badge> : <Badge>{t('gov.explain.overridden')}</Badge>}</td>
                  </tr>
                ))}
                {result.candidates.length === 0 && <tr><td colSpan={4} className="muted center">{t('gov.explain.noRules')}</td></tr>}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Card>
  );
}

type Effective = ResponseOf<'effectiveRetention'>['retention'];

/**
 * The server's explanation (English, for logs and the CLI) rebuilt from the same structured
 * answer in the reader's language, sentence by sentence as retention.rules.ts writes it.
 */
function explanationText(r: Effective, i18n: GovI18n, convLabel: (id: string) => string): string {
  const { t } = i18n;
  const winner = r.candidates.find((c) => c.outcome === 'applies');
  if (!winner) return t('gov.why.none');
  const target = winner.source === 'conversation' ? convLabel(winner.target) : winner.source === 'kind' ? t(`gov.kind.${winner.target as (typeof KINDS)[number]}`) : winner.target;
  const what = winner.source === 'level_default' ? t('gov.why.whatLevelDefault', { target: winner.target })
    : winner.source === 'org' ? t('gov.why.whatOrg') : t('gov.why.whatPolicy', { source: t(`gov.source.${winner.source}`), target });
  const rule = winner.deleteAfterDays === null ? t('gov.why.ruleForever') : t('gov.why.ruleDelete', { n: winner.deleteAfterDays });
  const parts = [t('gov.why.applies', { what, rule })];
  if (r.candidates.length > 1) parts.push(t('gov.why.mostSpecific', { n: r.candidates.length }));
  if (r.raisedToMinimum && r.minimumDays !== null) parts.push(t('gov.why.raised', { n: r.minimumDays }));
  else if (r.minimumDays !== null) parts.push(t('gov.why.minimum', { n: r.minimumDays }));
  if (r.deleteAfterDays !== null) parts.push(t('gov.why.holds'));
  return parts.join(i18n.lang === 'zh-CN' ? '' : ' ');
}

/** A setRetentionPolicy warning in the reader's language when it is one we know; else as the server wrote it. */
function warningText(w: string, i18n: GovI18n): string {
  const m = /^content at level "(.+)" is kept for its legal minimum of (\d+) days instead$/.exec(w);
  return m && i18n.lang !== 'en' ? i18n.t('gov.warn.minimum', { level: m[1], n: Number(m[2]) }) : w;
}

// ---------------------------------------------------------------- runs

const RUN_TONE = { running: 'brand', completed: 'success', failed: 'danger', interrupted: 'warning' } as const;

function RunsCard() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, dateTime } = i18n;
  const person = usePersonName();
  const counts = useCountsText();
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [preview, setPreview] = useState<ResponseOf<'previewRetention'> | null>(null);
  const [busy, setBusy] = useState<'preview' | 'run' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [receipt, setReceipt] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async () => {
    clearTimeout(timer.current);
    try {
      const res = await app.client.governance.runs();
      setRuns(res.runs);
      if (res.runs.some((r) => r.status === 'running')) timer.current = setTimeout(() => void load(), POLL_MS);
    } catch (err) {
      setError(govErrorText(err, i18n));
    }
  };
  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const doPreview = async () => {
    setBusy('preview');
    setError(null);
    try { setPreview(await app.client.governance.preview()); } catch (err) { setError(govErrorText(err, i18n)); } finally { setBusy(null); }
  };
  const start = async () => {
    setBusy('run');
    setError(null);
    try {
      const { run } = await app.client.governance.startRun();
      setRuns((list) => [run, ...(list ?? []).filter((r) => r.id !== run.id)]);
      setPreview(null);
      await load();
    } catch (err) {
      setError(govErrorText(err, i18n));
    } finally {
      setBusy(null);
    }
  };
  const running = runs?.some((r) => r.status === 'running') ?? false;

  return (
    <Card
      title={t('gov.runs.title')} description={t('gov.runs.hint')}
      actions={<>
        <Button icon="search" busy={busy === 'preview'} onClick={() => void doPreview()} data-testid="retention-preview">{t('gov.runs.preview')}</Button>
        <Button variant="primary" icon="refresh" busy={busy === 'run'} disabled={running} onClick={() => void start()} data-testid="retention-run">{t('gov.runs.runNow')}</Button>
      </>}
    >
      <div className="stack">
        {preview && (
          <div className="notice notice-info" role="status" data-testid="preview-result">
            <Icon name="info" />
            <span><strong>{t('gov.runs.previewTitle', { when: i18n.time(preview.at) })}</strong> {counts(preview.counts)}</span>
          </div>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        {!runs ? <Loading /> : (
          <div className="table-wrap flat">
            <table className="table" data-testid="runs-table">
              <caption className="sr-only">{t('gov.runs.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('gov.runs.status')}</th>
                  <th scope="col">{t('gov.runs.started')}</th>
                  <th scope="col">{t('gov.runs.by')}</th>
                  <th scope="col">{t('gov.runs.counts')}</th>
                  <th scope="col">{t('gov.runs.receipt')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id} data-status={r.status} data-run={r.id}>
                    <td>
                      <Badge tone={RUN_TONE[r.status]}>{r.status === 'running' && <span className="spinner spinner-xs" aria-hidden="true" />}{t(`gov.runs.status.${r.status}`)}</Badge>
                    </td>
                    <td className="small nowrap" title={r.finishedAt ? t('gov.runs.finished', { when: dateTime(r.finishedAt) }) : undefined}>{dateTime(r.startedAt)}</td>
                    <td className="small">{r.trigger === 'schedule' ? t('gov.runs.schedule') : person(r.startedBy)}</td>
                    <td className="small">{r.counts.conversations > 0 && `${t('gov.counts.conversations', { n: r.counts.conversations })} · `}{counts(r.counts)}</td>
                    <td>{r.receiptId ? <button type="button" className="link gov-receipt-link" onClick={() => setReceipt(r.receiptId)} data-testid="run-receipt"><code>{shortId(r.receiptId)}</code></button> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
                {runs.length === 0 && <tr><td colSpan={5} className="muted center">{t('gov.runs.empty')}</td></tr>}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {receipt && <ReceiptDialog id={receipt} onClose={() => setReceipt(null)} />}
    </Card>
  );
}
