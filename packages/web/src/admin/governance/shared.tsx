/** Pieces shared by the governance tabs and Settings → My data: people and conversation pickers, downloads, receipts. */
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { isConclaveError, type ResponseOf } from '@conclave/sdk';
import { useApp, useStore } from '../../lib/app-context';
import { useGovI18n, type GovI18n } from '../../i18n/gov';
import { errorText } from '../../lib/errors';
import { conversationName } from '../../chat/names';
import { Badge, Button, CopyButton, Modal, Spinner } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { shortHash, shortId } from '../audit-shared';

export const VERIFY_RECEIPT_COMMAND = 'conclave governance verify-receipt receipt.json --pubkey audit-key.pem';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

export function Loading() {
  const { t } = useGovI18n();
  return <Spinner label={t('common.loading')} />;
}

/**
 * The server's refusal in one sentence. A step-up refusal (a route that needs an MFA session)
 * says what to do about it; everything else is errorText's, which keeps the server's words for
 * conflicts, refusals and validation errors (they name the hold, the policy or the field).
 */
export function govErrorText(err: unknown, i18n: GovI18n): string {
  if (isConclaveError(err, 'forbidden') && /mfa/i.test(err.message)) return i18n.t('gov.err.mfa');
  return errorText(err, i18n);
}

/** Hands bytes to the browser as a download. */
export function saveBytes(bytes: BlobPart, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `<input type="date">` value → the first / last millisecond of that local day. */
export function dayStart(v: string): number | undefined { return v ? new Date(`${v}T00:00:00`).getTime() : undefined; }
export function dayEnd(v: string): number | undefined { return v ? new Date(`${v}T23:59:59.999`).getTime() : undefined; }

/** Ids from free text: one per line, comma or space. */
export function splitIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
}

/** A person's name when the directory knows them, else a short id. */
export function usePersonName(): (id: string | null | undefined) => string {
  const store = useStore();
  const { t } = useGovI18n();
  return (id) => (!id ? t('gov.system') : store.user(id)?.name ?? shortId(id));
}

/** A conversation's name when this user can see it, else a short id. */
export function useConversationLabel(): (id: string) => string {
  const store = useStore();
  const { t } = useGovI18n();
  return (id) => { const c = store.conversation(id); return c ? conversationName(c, store, t) : shortId(id); };
}

/** A text field suggesting the conversations this user knows; any conversation id may be typed. */
export function ConversationInput({ id, value, onChange, required, describedBy, testId }: { id: string; value: string; onChange(v: string): void; required?: boolean; describedBy?: string; testId?: string }) {
  const store = useStore();
  const { t } = useGovI18n();
  const listId = useId();
  const options = useMemo(() => store.conversations().filter((c) => !c.archived).map((c) => ({ id: c.id, label: `${conversationName(c, store, t)} · ${c.kind} · ${c.level}` })), [store, t, store.getVersion()]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <>
      <input
        id={id} list={listId} value={value} onChange={(e) => onChange(e.target.value.trim())} required={required} aria-describedby={describedBy}
        placeholder={t('gov.conversationPlaceholder')} spellCheck={false} autoComplete="off" data-testid={testId}
      />
      <datalist id={listId}>{options.map((o) => <option key={o.id} value={o.id} label={o.label}>{o.label}</option>)}</datalist>
    </>
  );
}

/**
 * Pick people by name or email from the directory (or paste a user id). `single` keeps one.
 * Chips show who is picked; each can be removed.
 */
export function PeoplePicker({ id, value, onChange, single, describedBy, testId }: { id: string; value: string[]; onChange(ids: string[]): void; single?: boolean; describedBy?: string; testId?: string }) {
  const store = useStore();
  const { t } = useGovI18n();
  const listId = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const people = useMemo(() => [...store.users.values()].filter((u) => u.status === 'active').sort((a, b) => a.name.localeCompare(b.name)), [store.users.size]); // eslint-disable-line react-hooks/exhaustive-deps
  const add = () => {
    const q = text.trim();
    if (!q) return;
    const lower = q.toLowerCase();
    const u = people.find((p) => p.email.toLowerCase() === lower || p.id === q) ?? people.find((p) => p.name.toLowerCase() === lower);
    const userId = u?.id ?? (ULID.test(q) ? q.toUpperCase() : null);
    if (!userId) { setError(t('gov.picker.unknown', { q })); return; }
    setError(null);
    setText('');
    onChange(single ? [userId] : [...new Set([...value, userId])]);
  };
  return (
    <div className="picker-field" data-testid={testId}>
      {value.length > 0 && (
        <ul className="chips" role="list">
          {value.map((uid) => {
            const u = store.user(uid);
            return (
              <li key={uid} className="chip" title={uid}>
                <span>{u ? `${u.name} · ${u.email}` : uid}</span>
                <button type="button" className="chip-x" aria-label={t('gov.picker.remove', { name: u?.name ?? uid })} onClick={() => onChange(value.filter((x) => x !== uid))}><Icon name="x" size={12} /></button>
              </li>
            );
          })}
        </ul>
      )}
      {(!single || value.length === 0) && (
        <div className="picker-add">
          <input
            id={id} list={listId} value={text} aria-describedby={describedBy} placeholder={t('gov.picker.placeholder')} autoComplete="off" spellCheck={false}
            onChange={(e) => { setText(e.target.value); setError(null); }}
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }}
          />
          <datalist id={listId}>{people.map((p) => <option key={p.id} value={p.email}>{p.name}</option>)}</datalist>
          <Button size="sm" icon="plus" onClick={add} disabled={!text.trim()}>{t('gov.picker.add')}</Button>
        </div>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

/** Tab header: title and a one-line hint. */
export function TabHead({ title, hint, actions }: { title: string; hint?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="gov-tab-head">
      <div>
        <h3>{title}</h3>
        {hint && <p className="muted">{hint}</p>}
      </div>
      {actions && <div className="row gap">{actions}</div>}
    </div>
  );
}

type Counts = ResponseOf<'listDeletionReceipts'>['receipts'][number]['counts'];

/** "2 messages · 1 file · 2 keys destroyed · 3 kept under hold", zeros left out. */
export function useCountsText(): (c: Counts) => string {
  const { t, num } = useGovI18n();
  return (c) => {
    const parts = ([
      ['messages', 'gov.counts.messages'], ['tombstoned', 'gov.counts.tombstoned'], ['files', 'gov.counts.files'],
      ['keysDestroyed', 'gov.counts.keysDestroyed'], ['heldKept', 'gov.counts.heldKept'],
    ] as const).filter(([k]) => c[k] > 0).map(([k, label]) => t(label, { n: num(c[k]) }));
    return parts.length ? parts.join(' · ') : t('gov.counts.nothing');
  };
}

/** A signed deletion receipt as pretty JSON, with a download and the offline check. */
export function ReceiptDialog({ id, onClose }: { id: string; onClose(): void }) {
  const app = useApp();
  const i18n = useGovI18n();
  const { t } = i18n;
  const [data, setData] = useState<ResponseOf<'getDeletionReceipt'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    app.client.governance.receipt(id).then(setData, (err) => setError(govErrorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  const json = data ? JSON.stringify(data, null, 2) : '';
  return (
    <Modal
      title={t('gov.receipt.title')} onClose={onClose} wide
      footer={<>
        <Button variant="ghost" onClick={onClose}>{t('common.close')}</Button>
        <Button variant="primary" icon="download" disabled={!data} data-testid="receipt-download" onClick={() => saveBytes(json + '\n', 'receipt.json', 'application/json')}>{t('gov.receipt.download')}</Button>
      </>}
    >
      {error && <p className="form-error" role="alert">{error}</p>}
      {!data ? (!error && <Loading />) : (
        <div className="stack" data-testid="receipt-detail">
          <dl className="deflist gov-deflist">
            <dt>{t('gov.receipt.id')}</dt><dd><code>{id}</code></dd>
            <dt>{t('gov.receipt.kind')}</dt><dd><Badge>{t(String(data.receipt.kind) === 'erasure' ? 'gov.receipt.kind.erasure' : 'gov.receipt.kind.retention')}</Badge></dd>
            <dt>{t('gov.receipt.hash')}</dt><dd><code title={data.hash}>{shortHash(data.hash)}</code></dd>
            <dt>{t('gov.receipt.key')}</dt><dd><code title={data.keyFingerprint}>{shortHash(data.keyFingerprint)}</code></dd>
          </dl>
          <div className="chain-verify gov-verify">
            <Icon name="info" />
            <p>{t('gov.receipt.verifyHint')}</p>
            <div className="command-box"><code title={VERIFY_RECEIPT_COMMAND}>{VERIFY_RECEIPT_COMMAND}</code><CopyButton text={VERIFY_RECEIPT_COMMAND} /></div>
          </div>
          <pre className="gov-json" data-testid="receipt-json">{json}</pre>
        </div>
      )}
    </Modal>
  );
}
