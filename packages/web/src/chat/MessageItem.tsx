import { memo, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Message } from '@conclave/sdk';
import { useApp } from '../lib/app-context';
import { isExternal, type ChatStore, type OutboxItem } from '../lib/chat-store';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Avatar, Badge, Button, IconButton } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { Composer } from './Composer';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '🙏', '✅', '🔥'];
const URL_RE = /(https?:\/\/[^\s<>"')\]]+)/g;

/** Plain text with links and @mentions; never HTML from the message. */
export function renderText(text: string, mentionNames: string[]): ReactNode[] {
  const names = mentionNames.filter(Boolean).sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const mentionRe = names.length ? new RegExp(`(@(?:${names.join('|')}))`, 'g') : null;
  const out: ReactNode[] = [];
  let k = 0;
  for (const part of text.split(URL_RE)) {
    if (/^https?:\/\//.test(part)) {
      out.push(<a key={k++} href={part} target="_blank" rel="noopener noreferrer">{part}</a>);
      continue;
    }
    if (!mentionRe) { out.push(part); continue; }
    for (const piece of part.split(mentionRe)) {
      if (mentionRe && piece.startsWith('@') && names.length && new RegExp(`^@(?:${names.join('|')})$`).test(piece)) out.push(<span key={k++} className="mention">{piece}</span>);
      else if (piece) out.push(piece);
    }
  }
  return out;
}

interface Props {
  m: Message;
  store: ChatStore;
  compact: boolean;
  inThread?: boolean;
  editing: boolean;
  onEdit(id: string | null): void;
  onOpenThread?(id: string): void;
}

export const MessageItem = memo(function MessageItem({ m, store, compact, inThread, editing, onEdit, onOpenThread }: Props) {
  const app = useApp();
  const i18n = useI18n();
  const { t, time, dateTime, plural, relative } = i18n;
  const [picker, setPicker] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const author = store.user(m.authorId);
  const name = author?.name ?? t('chat.unknownUser');
  const mine = m.authorId === store.me.id;
  const deleted = m.deletedAt !== null;
  const canDelete = !deleted && (mine || app.can('messages.delete_any'));
  const mentionNames = useMemo(() => m.mentions.map((id) => store.user(id)?.name ?? ''), [m.mentions, store]);
  const body = useMemo(() => (m.text ? renderText(m.text, mentionNames) : null), [m.text, mentionNames]);
  const pickerRef = useRef<HTMLDivElement>(null);
  const mentionsMe = m.mentions.includes(store.me.id);

  const react = (emoji: string) => {
    setPicker(false);
    store.toggleReaction(m, emoji).catch((err) => setError(errorText(err, i18n)));
  };
  const doDelete = () => {
    setConfirmDelete(false);
    store.remove(m.conversationId, m.id).catch((err) => setError(errorText(err, i18n)));
  };

  return (
    <article className={`msg ${compact ? 'compact' : ''} ${mentionsMe ? 'mentions-me' : ''} ${editing ? 'editing' : ''}`} data-message-id={m.id} aria-label={`${name}, ${dateTime(m.createdAt)}`}>
      <div className="msg-gutter">
        {compact ? <time className="msg-gutter-time" dateTime={new Date(m.createdAt).toISOString()}>{time(m.createdAt)}</time>
          : <Avatar id={m.authorId} name={name} size={36} />}
      </div>
      <div className="msg-main">
        {!compact && (
          <header className="msg-head">
            <span className="msg-author">{name}</span>
            {isExternal(author) && <Badge tone="warning">{t('chat.external')}</Badge>}
            <time dateTime={new Date(m.createdAt).toISOString()} title={dateTime(m.createdAt)}>{time(m.createdAt)}</time>
          </header>
        )}
        {deleted ? (
          <p className="msg-text msg-deleted"><Icon name="trash" size={13} /> {t('chat.deleted')}</p>
        ) : editing ? (
          <Composer
            key="edit" conversationId={m.conversationId} threadRootId={m.threadRootId} initialText={m.text ?? ''} initialMentions={m.mentions}
            mode="edit" onSubmitEdit={async (text, mentions) => { await store.edit(m.conversationId, m.id, text, mentions); onEdit(null); }} onCancel={() => onEdit(null)}
          />
        ) : m.text === null ? (
          <p className="msg-text msg-deleted"><Icon name="lock" size={13} /> {t('chat.encrypted')}</p>
        ) : (
          <p className="msg-text">{body}{m.editedAt && <span className="msg-edited" title={dateTime(m.editedAt)}> {t('chat.edited')}</span>}</p>
        )}
        {m.reactions.length > 0 && !deleted && (
          <div className="reactions">
            {m.reactions.map((r) => {
              const mineR = r.userIds.includes(store.me.id);
              const who = r.userIds.map((id) => store.user(id)?.name ?? '…').join(', ');
              return (
                <button type="button" key={r.emoji} className={`reaction ${mineR ? 'mine' : ''}`} aria-pressed={mineR} title={who}
                  aria-label={t('chat.reactionLabel', { emoji: r.emoji, count: r.count, names: who })} onClick={() => react(r.emoji)}>
                  <span className="reaction-emoji">{r.emoji}</span> <span className="reaction-count">{r.count}</span>
                </button>
              );
            })}
          </div>
        )}
        {!inThread && m.thread && m.thread.replyCount > 0 && (
          <button type="button" className="thread-summary" onClick={() => onOpenThread?.(m.id)}>
            <span className="thread-avatars">
              {m.thread.participantIds.slice(0, 3).map((id) => <Avatar key={id} id={id} name={store.user(id)?.name ?? '?'} size={20} />)}
            </span>
            <span className="thread-count">{plural('chat.replies', m.thread.replyCount)}</span>
            {m.thread.lastReplyAt && <span className="thread-last">{t('chat.lastReply', { when: relative(m.thread.lastReplyAt) })}</span>}
          </button>
        )}
        {error && <p className="msg-error" role="alert">{error} <button type="button" className="link" onClick={() => setError(null)}>{t('common.dismiss')}</button></p>}
        {confirmDelete && (
          <div className="msg-confirm" role="alertdialog" aria-label={t('chat.deleteConfirm')}>
            <span>{t('chat.deleteConfirm')}</span>
            <Button size="sm" variant="danger" onClick={doDelete} autoFocus>{t('common.delete')}</Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirmDelete(false)}>{t('common.cancel')}</Button>
          </div>
        )}
      </div>
      {!deleted && !editing && (
        <div className={`msg-actions ${picker ? 'open' : ''}`} role="toolbar" aria-label={t('chat.messageActions')}>
          <IconButton icon="smile" label={t('chat.addReaction')} onClick={() => setPicker(!picker)} active={picker} />
          {!inThread && onOpenThread && <IconButton icon="thread" label={t('chat.replyInThread')} onClick={() => onOpenThread(m.id)} />}
          {mine && <IconButton icon="edit" label={t('chat.edit')} onClick={() => onEdit(m.id)} />}
          {canDelete && <IconButton icon="trash" label={t('common.delete')} onClick={() => setConfirmDelete(true)} />}
          {picker && (
            <div className="emoji-picker" ref={pickerRef} role="menu" aria-label={t('chat.addReaction')} onKeyDown={(e) => e.key === 'Escape' && setPicker(false)}>
              {QUICK_EMOJI.map((e, i) => (
                <button key={e} type="button" role="menuitem" onClick={() => react(e)} autoFocus={i === 0}>{e}</button>
              ))}
            </div>
          )}
        </div>
      )}
    </article>
  );
});

/** A message still in the outbox: shown where it will land, with its state. */
export function PendingItem({ p, store }: { p: OutboxItem; store: ChatStore }) {
  const { t, time } = useI18n();
  const me = store.me;
  return (
    <article className={`msg pending ${p.status}`} data-client-id={p.clientId}>
      <div className="msg-gutter"><Avatar id={me.id} name={me.name} size={36} /></div>
      <div className="msg-main">
        <header className="msg-head">
          <span className="msg-author">{me.name}</span>
          <time>{time(p.createdAt)}</time>
        </header>
        <p className="msg-text">{p.text}</p>
        <p className={`pending-state ${p.status}`}>
          {p.status === 'failed' ? (
            <>
              <Icon name="alert" size={13} /> {t('outbox.failed')}{p.error ? `: ${p.error}` : ''}
              <button type="button" className="link" onClick={() => store.outbox.retry(p.clientId)}>{t('common.retry')}</button>
              <button type="button" className="link" onClick={() => store.outbox.discard(p.clientId)}>{t('outbox.discard')}</button>
            </>
          ) : p.status === 'waiting' ? (
            <><Icon name="clock" size={13} /> {t('outbox.waiting')}</>
          ) : (
            <><span className="spinner spinner-xs" aria-hidden="true" /> {t('outbox.sending')}</>
          )}
        </p>
      </div>
    </article>
  );
}
