/** Small building blocks shared by chat, settings and admin. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Icon, type IconName } from './Icon';
import { useI18n } from '../i18n/context';

/** A stable colour per person, from a palette that keeps white initials readable. */
const PALETTE = ['#4f46e5', '#0e7490', '#b45309', '#be123c', '#047857', '#7c3aed', '#1d4ed8', '#a21caf', '#0f766e', '#c2410c'];
export function colourFor(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  // CJK names: one character reads better than two.
  if (/[\u3400-\u9fff]/.test(parts[0][0])) return parts[0][0];
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

export function Avatar({ id, name, size = 32, presence }: { id: string; name: string; size?: number; presence?: 'online' | 'away' | 'offline' }) {
  return (
    <span className="avatar" style={{ width: size, height: size, background: colourFor(id), fontSize: Math.round(size * 0.4) }} aria-hidden="true">
      {initials(name)}
      {presence && <PresenceDot status={presence} />}
    </span>
  );
}

export function PresenceDot({ status }: { status: 'online' | 'away' | 'offline' }) {
  return <span className={`presence presence-${status}`} />;
}

type BtnProps = React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'ghost' | 'danger'; icon?: IconName; busy?: boolean; size?: 'sm' | 'md' };
export function Button({ variant = 'secondary', icon, busy, size = 'md', children, className, disabled, ...rest }: BtnProps) {
  return (
    <button type="button" {...rest} disabled={disabled || busy} aria-busy={busy || undefined} className={`btn btn-${variant} btn-${size} ${className ?? ''}`}>
      {busy ? <span className="spinner" aria-hidden="true" /> : icon && <Icon name={icon} />}
      {children}
    </button>
  );
}

export function IconButton({ icon, label, onClick, className, active, size = 16 }: { icon: IconName; label: string; onClick?: (e: React.MouseEvent) => void; className?: string; active?: boolean; size?: number }) {
  return (
    <button type="button" className={`icon-btn ${active ? 'active' : ''} ${className ?? ''}`} aria-label={label} title={label} onClick={onClick} aria-pressed={active}>
      <Icon name={icon} size={size} />
    </button>
  );
}

export function Field({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string | null; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = hint || error ? `${id}-hint` : undefined;
  return (
    <div className={`field ${error ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {error ? <p className="field-error" id={hintId} role="alert">{error}</p> : hint ? <p className="field-hint" id={hintId}>{hint}</p> : null}
    </div>
  );
}

/** A modal dialog: focus moves in, Esc closes, focus returns to where it was. */
export function Modal({ title, onClose, children, footer, wide }: { title: string; onClose(): void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const { t } = useI18n();
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('input, textarea, select, [data-autofocus]') ?? el?.querySelector<HTMLElement>('button');
    first?.focus();
    return () => before?.focus?.();
  }, []);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') { e.stopPropagation(); onClose(); }
    if (e.key === 'Tab' && ref.current) {
      const f = [...ref.current.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), textarea, select, a[href], [tabindex="0"]')];
      if (!f.length) return;
      const [a, b] = [f[0], f[f.length - 1]];
      if (e.shiftKey && document.activeElement === a) { e.preventDefault(); b.focus(); }
      else if (!e.shiftKey && document.activeElement === b) { e.preventDefault(); a.focus(); }
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal ${wide ? 'modal-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} onKeyDown={onKey}>
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <IconButton icon="x" label={t('common.close')} onClick={onClose} />
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-footer">{footer}</footer>}
      </div>
    </div>
  );
}

export function Badge({ children, tone = 'neutral', title }: { children: ReactNode; tone?: 'neutral' | 'brand' | 'danger' | 'success' | 'warning' | 'level'; title?: string }) {
  return <span className={`badge badge-${tone}`} title={title}>{children}</span>;
}

/** A count beside a link (e.g. approvals waiting): the number for sighted users, `label` in words for screen readers. */
export function CountBadge({ n, label }: { n: number; label: string }) {
  if (!n) return null;
  return <><span className="count-badge" aria-hidden="true">{n}</span><span className="sr-only"> ({label})</span></>;
}

/** Copies text and says so for two seconds. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <Button size="sm" icon={done ? 'check' : 'copy'} onClick={() => { void navigator.clipboard?.writeText(text).then(() => { setDone(true); setTimeout(() => setDone(false), 2000); }); }}>
      {done ? t('common.copied') : label ?? t('common.copy')}
    </Button>
  );
}

export function Empty({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <span className="empty-icon"><Icon name={icon} size={28} /></span>
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return <div className="center-fill" role="status"><span className="spinner spinner-lg" aria-hidden="true" /><span className="sr-only">{label}</span></div>;
}

/** The bottom bar of a settings form: its error, a "saved" notice, and the submit button. */
export function SaveBar({ error, saved, busy }: { error: string | null; saved: boolean; busy: boolean }) {
  const { t } = useI18n();
  return (
    <div className="save-bar">
      {error && <p className="form-error" role="alert">{error}</p>}
      {saved && <span className="notice-inline success" role="status"><Icon name="check" /> {t('admin.org.saved')}</span>}
      <Button type="submit" variant="primary" busy={busy}>{t('common.saveChanges')}</Button>
    </div>
  );
}

