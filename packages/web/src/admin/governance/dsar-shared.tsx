/** Data-subject request pieces shared by the officers' queue and Settings → My data. */
import type { ResponseOf } from '@conclave/sdk';
import { useGovI18n } from '../../i18n/gov';
import { Badge } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { usePersonName } from './shared';

type Request = ResponseOf<'getDsarRequest'>['request'];
const STATUS_TONE = { open: 'brand', completed: 'success', refused: 'danger', cancelled: 'neutral' } as const;

export function DsarStatusBadge({ request }: { request: Request }) {
  const { t } = useGovI18n();
  return <Badge tone={STATUS_TONE[request.status]}>{t(`gov.dsar.status.${request.status}`)}</Badge>;
}

/** Overdue / due soon for open requests; nothing once closed or on track. */
export function DeadlineBadge({ request }: { request: Request }) {
  const { t } = useGovI18n();
  if (request.deadline === 'overdue') return <Badge tone="danger"><Icon name="alert" size={11} /> {t('gov.dsar.deadline.overdue')}</Badge>;
  if (request.deadline === 'due_soon') return <Badge tone="warning"><Icon name="clock" size={11} /> {t('gov.dsar.deadline.due_soon')}</Badge>;
  return null;
}

/** The request's life: opened, approved/refused, completed, cancelled — who, when and why. */
export function DsarHistory({ request }: { request: Request }) {
  const { t, dateTime } = useGovI18n();
  const person = usePersonName();
  return (
    <ol className="gov-history" data-testid="dsar-history">
      {request.history.map((h, i) => (
        <li key={i} className={`gov-history-${h.event}`}>
          <span className="gov-history-dot" aria-hidden="true" />
          <div>
            <strong>{t(`gov.dsar.event.${h.event}`)}</strong>
            <span className="muted small"> · {dateTime(h.at)} · {h.by ? person(h.by) : t('gov.system')}</span>
            {h.reason && <p className="gov-note">{h.reason}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
