/** Pieces shared by the audit log and the security alerts screens: who did it, outcomes, the records table. */
import { Fragment, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import type { MsgKey } from '../i18n/en';
import { Badge, Button } from '../ui/kit';
import { Icon } from '../ui/Icon';

export type AuditRecord = ResponseOf<'searchAudit'>['records'][number];

const OUTCOME_TONE = { success: 'success', denied: 'danger', failed: 'warning', error: 'danger' } as const;

export function OutcomeBadge({ outcome }: { outcome: AuditRecord['outcome'] }) {
  const { t } = useI18n();
  return <Badge tone={OUTCOME_TONE[outcome] ?? 'neutral'}>{t(`audit.outcome.${outcome}` as MsgKey)}</Badge>;
}

/** A person's name for an id when the directory knows it, else the id itself. */
export function useNameOf(): (id: string | null | undefined) => string | null {
  const store = useStore();
  return (id) => (id ? store.user(id)?.name ?? null : null);
}

export function ActorCell({ r }: { r: AuditRecord }) {
  const { t } = useI18n();
  const nameOf = useNameOf();
  if (r.actorType === 'system') return <span className="audit-actor"><Icon name="layers" size={14} /> {t('audit.actor.system')}</span>;
  if (r.actorType === 'anonymous' || !r.actorId) return <span className="audit-actor muted">{t('audit.actor.anonymous')}{r.ip ? <span className="small"> · {r.ip}</span> : null}</span>;
  const name = nameOf(r.actorId);
  return (
    <span className="audit-actor" title={r.actorId}>
      {name ?? <code className="audit-id">{shortId(r.actorId)}</code>}
    </span>
  );
}

export function TargetCell({ r }: { r: AuditRecord }) {
  const nameOf = useNameOf();
  if (!r.targetType && !r.targetId) return <span className="muted">—</span>;
  const name = r.targetType === 'user' ? nameOf(r.targetId) : null;
  return (
    <span className="audit-target" title={r.targetId ?? undefined}>
      {r.targetType && <span className="audit-type">{r.targetType}</span>}
      {name ? <span>{name}</span> : r.targetId ? <code className="audit-id">{shortId(r.targetId)}</code> : null}
    </span>
  );
}

export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
}

export function shortHash(h: string): string {
  return h.length > 20 ? `${h.slice(0, 12)}…${h.slice(-8)}` : h;
}

/** A hex fingerprint in groups of four, easier to compare aloud. */
export function groupHex(h: string): string {
  return h.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The audit records table; each row expands to its full record (details JSON, hashes). */
export function AuditTable({ records, onTrace, onActor, testId, compact }: {
  records: AuditRecord[];
  onTrace?(id: string): void;
  onActor?(id: string): void;
  testId?: string;
  compact?: boolean;
}) {
  const i18n = useI18n();
  const { t, dateTime, num } = i18n;
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table className={`table audit-table ${compact ? 'compact' : ''}`} data-testid={testId}>
        <thead>
          <tr>
            <th scope="col" className="audit-toggle-col"><span className="sr-only">{t('audit.col.expand')}</span></th>
            <th scope="col">{t('audit.col.time')}</th>
            <th scope="col">{t('audit.col.action')}</th>
            <th scope="col">{t('audit.col.actor')}</th>
            <th scope="col">{t('audit.col.target')}</th>
            <th scope="col">{t('audit.col.outcome')}</th>
            <th scope="col" className="num">{t('audit.col.seq')}</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => {
            const expanded = open === r.id;
            const detailId = `audit-detail-${r.id}`;
            return (
              <Fragment key={r.id}>
                <tr className={`audit-row ${expanded ? 'expanded' : ''}`} data-action={r.action} data-seq={r.seq} onClick={() => setOpen(expanded ? null : r.id)}>
                  <td className="audit-toggle-col">
                    <button
                      type="button" className="icon-btn audit-toggle" aria-expanded={expanded} aria-controls={detailId}
                      aria-label={t('audit.showDetails', { seq: r.seq })} onClick={(e) => { e.stopPropagation(); setOpen(expanded ? null : r.id); }}
                    >
                      <Icon name="chevronRight" />
                    </button>
                  </td>
                  <td className="nowrap small" title={dateTime(r.at)}>{compact ? i18n.time(r.at) : dateTime(r.at)}</td>
                  <td><code className="audit-action">{r.action}</code></td>
                  <td><ActorCell r={r} /></td>
                  <td><TargetCell r={r} /></td>
                  <td>
                    <OutcomeBadge outcome={r.outcome} />
                    {r.reason && <span className="audit-reason">{r.reason}</span>}
                  </td>
                  <td className="num muted small">#{num(r.seq)}</td>
                </tr>
                {expanded && (
                  <tr className="audit-detail-row" id={detailId}>
                    <td colSpan={7}>
                      <div className="audit-detail" data-testid="audit-detail">
                        <dl className="deflist audit-deflist">
                          <dt>{t('audit.field.id')}</dt><dd><code>{r.id}</code></dd>
                          {r.actorId && <><dt>{t('audit.field.actorId')}</dt><dd><code>{r.actorId}</code></dd></>}
                          {r.targetId && <><dt>{t('audit.field.target')}</dt><dd><code>{r.targetType ? `${r.targetType} · ` : ''}{r.targetId}</code></dd></>}
                          {r.sessionId && <><dt>{t('audit.field.session')}</dt><dd><code>{r.sessionId}</code></dd></>}
                          <dt>{t('audit.field.ip')}</dt><dd>{r.ip ?? '—'}</dd>
                          {r.userAgent && <><dt>{t('audit.field.userAgent')}</dt><dd className="small">{r.userAgent}</dd></>}
                          {r.reason && <><dt>{t('audit.field.reason')}</dt><dd><code>{r.reason}</code></dd></>}
                          <dt>{t('audit.field.hash')}</dt><dd><code className="audit-hash">{r.hash}</code></dd>
                          <dt>{t('audit.field.prevHash')}</dt><dd><code className="audit-hash">{r.prevHash}</code></dd>
                        </dl>
                        <div className="audit-json">
                          <span className="audit-json-label">{t('audit.field.details')}</span>
                          <pre data-testid="audit-details-json">{JSON.stringify(r.details, null, 2)}</pre>
                        </div>
                        {(onTrace || onActor) && (
                          <div className="row gap">
                            {onTrace && r.targetId && <Button size="sm" icon="link" onClick={() => onTrace(r.targetId!)}>{t('audit.traceTarget')}</Button>}
                            {onActor && r.actorId && r.actorType === 'user' && <Button size="sm" icon="filter" onClick={() => onActor(r.actorId!)}>{t('audit.filterActor')}</Button>}
                          </div>
                        )}
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
