import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Conversation, Message } from '@conclave/sdk';
import { useStore } from '../lib/app-context';
import { marksOf, type ChatStore, type OutboxItem } from '../lib/chat-store';
import { useLevelLabel } from '../lib/levels';
import { useI18n } from '../i18n/context';
import type { I18n } from '../i18n/i18n';
import { Avatar, Badge } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { VirtualList } from '../ui/VirtualList';
import { Composer } from './Composer';
import { MessageItem, PendingItem } from './MessageItem';
import { conversationName, userName } from './names';
import { MembersButton } from './MembersPanel';
import { Watermark } from './Watermark';

type Row =
  | { kind: 'top'; key: string; hasOlder: boolean; loading: boolean }
  | { kind: 'day'; key: string; at: number }
  | { kind: 'unread'; key: string }
  | { kind: 'msg'; key: string; m: Message; compact: boolean }
  | { kind: 'pending'; key: string; p: OutboxItem };

const GROUP_MS = 5 * 60_000;

function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Timeline rows: day separators, the "new" line at the read marker, grouped messages, then the outbox. */
export function buildRows(messages: Message[], pending: OutboxItem[], opts: { readMark: number | null; meId: string; hasOlder: boolean; loading: boolean; withTop: boolean }): Row[] {
  const rows: Row[] = [];
  if (opts.withTop) rows.push({ kind: 'top', key: 'top', hasOlder: opts.hasOlder, loading: opts.loading });
  let prev: Message | null = null;
  let unreadShown = false;
  for (const m of messages) {
    const newDay = !prev || dayKey(prev.createdAt) !== dayKey(m.createdAt);
    if (newDay) rows.push({ kind: 'day', key: `day:${dayKey(m.createdAt)}`, at: m.createdAt });
    let unreadHere = false;
    if (!unreadShown && opts.readMark !== null && m.position > opts.readMark && m.authorId !== opts.meId) {
      rows.push({ kind: 'unread', key: 'unread' });
      unreadShown = unreadHere = true;
    }
    const compact = !!prev && !newDay && !unreadHere && prev.authorId === m.authorId && prev.deletedAt === null
      && m.createdAt - prev.createdAt < GROUP_MS && !(prev.thread && prev.thread.replyCount > 0);
    rows.push({ kind: 'msg', key: m.id, m, compact });
    prev = m;
  }
  for (const p of pending) rows.push({ kind: 'pending', key: `p:${p.clientId}`, p });
  return rows;
}

function estimate(r: Row): number {
  switch (r.kind) {
    case 'top': return r.hasOlder ? 56 : 140;
    case 'day': return 44;
    case 'unread': return 28;
    case 'pending': return 82;
    case 'msg': {
      const lines = Math.ceil((r.m.text?.length ?? 20) / 90);
      return (r.compact ? 8 : 34) + lines * 22 + (r.m.reactions.length ? 32 : 0) + (r.m.thread?.replyCount ? 34 : 0);
    }
  }
}

export function typingText(ids: string[], store: ChatStore, t: I18n['t']): string {
  if (!ids.length) return '';
  const names = ids.map((id) => userName(store, id, t));
  if (names.length === 1) return t('typing.one', { a: names[0] });
  if (names.length === 2) return t('typing.two', { a: names[0], b: names[1] });
  return t('typing.many');
}

export function ConversationView({ conversation: c, onOpenThread, threadOpen }: { conversation: Conversation; onOpenThread(id: string): void; threadOpen: boolean }) {
  const store = useStore();
  const i18n = useI18n();
  const { t, day, plural } = i18n;
  const [editing, setEditing] = useState<string | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [bottomSignal, setBottomSignal] = useState(0);
  // The read marker as it was when the conversation was opened: the "new messages" line stays put while reading.
  const [readMark] = useState<number | null>(() => (c.lastReadPosition < c.lastPosition ? c.lastReadPosition : null));
  const name = conversationName(c, store, t);
  const marks = marksOf(c);

  useEffect(() => { void store.ensureHistory(c.id).catch(() => undefined); }, [c.id, store, store.timelineMeta(c.id) === undefined]);

  // Read state (MSG-5): reading the bottom of a visible conversation moves the marker.
  const visible = useVisible();
  useEffect(() => {
    if (atBottom && visible) store.markRead(c.id);
  }, [atBottom, visible, c.lastPosition, c.lastReadPosition, c.id, store]);

  const messages = store.timeline(c.id);
  const pending = store.pending(c.id, null);
  const meta = store.timelineMeta(c.id);
  const rows = useMemo(
    () => buildRows(messages, pending, { readMark, meId: store.me.id, hasOlder: meta?.hasOlder ?? true, loading: store.isLoadingOlder(c.id) || !meta, withTop: true }),
    [messages, pending, readMark, store, meta, c.id, store.isLoadingOlder(c.id)],
  );

  const editLast = useCallback(() => {
    const last = [...messages].reverse().find((m) => m.authorId === store.me.id && m.deletedAt === null && m.text !== null);
    if (last) setEditing(last.id);
  }, [messages, store]);

  const render = (r: Row) => {
    switch (r.kind) {
      case 'top':
        return r.hasOlder || r.loading ? (
          <div className="history-loading" role="status"><span className="spinner" aria-hidden="true" /> {t('chat.loadingHistory')}</div>
        ) : (
          <div className="conv-start">
            <span className="conv-start-icon">{c.kind === 'dm' ? <Avatar id={c.dmPeerId ?? c.id} name={name} size={48} /> : <Icon name={c.kind === 'channel' ? 'hash' : 'lock'} size={24} />}</span>
            <h2>{c.kind === 'dm' ? name : t('chat.startOf', { name })}</h2>
            <p className="muted">{c.kind === 'dm' ? t('chat.startOfDm', { name }) : c.topic ?? t(c.kind === 'channel' ? 'chat.startOfChannel' : 'chat.startOfGroup')}</p>
          </div>
        );
      case 'day':
        return <div className="day-sep" role="separator"><span>{day(r.at)}</span></div>;
      case 'unread':
        return <div className="unread-sep" role="separator"><span>{t('chat.newMessages')}</span></div>;
      case 'pending':
        return <PendingItem p={r.p} store={store} />;
      case 'msg':
        return <MessageItem m={r.m} store={store} compact={r.compact} editing={editing === r.m.id} onEdit={setEditing} onOpenThread={onOpenThread} />;
    }
  };

  const typing = typingText(store.typingIn(c.id), store, t);
  const levelLabel = useLevelLabel();

  return (
    <section className={`conversation ${threadOpen ? 'with-thread' : ''}`} aria-labelledby="conv-title">
      <header className="conv-header">
        <div className="conv-title-row">
          <span className="conv-title-icon">
            {c.kind === 'dm' ? <Avatar id={c.dmPeerId ?? c.id} name={name} size={24} presence={c.dmPeerId ? store.presenceOf(c.dmPeerId) : undefined} /> : <Icon name={c.kind === 'channel' ? 'hash' : 'lock'} size={18} />}
          </span>
          <h1 id="conv-title">{name}</h1>
          {marks.level && <Badge tone="level" title={t('chat.levelTitle')}><Icon name="shield" size={12} /> {levelLabel(marks.level) !== marks.level ? <span className="as-typed">{levelLabel(marks.level)}</span> : marks.level}</Badge>}
          {marks.external && <Badge tone="warning" title={t('chat.externalTitle')}><Icon name="external" size={12} /> {t('chat.external')}</Badge>}
          {c.encryption === 'e2ee' && <Badge tone="success"><Icon name="lock" size={12} /> {t('chat.e2ee')}</Badge>}
          {c.complianceArchive && <Badge tone="warning" title={t('chat.complianceArchiveTitle')}><Icon name="shield" size={12} /> {t('chat.complianceArchive')}</Badge>}
          <span className="spacer" />
          {c.kind !== 'dm' && <MembersButton conversation={c} />}
        </div>
        {c.kind === 'dm' && c.dmPeerId ? (
          <p className="conv-topic">{t(`presence.${store.presenceOf(c.dmPeerId)}`)}{store.user(c.dmPeerId)?.email ? ` · ${store.user(c.dmPeerId)?.email}` : ''}</p>
        ) : (
          <p className="conv-topic">{c.topic || plural('chat.members', c.memberCount)}</p>
        )}
      </header>
      {c.watermarked && <Watermark name={store.me.name} id={store.me.id} />}
      <VirtualList
        items={rows} itemKey={(r) => r.key} renderItem={render} estimateHeight={estimate}
        resetKey={c.id} bottomSignal={bottomSignal} anchorable={(r) => r.kind !== 'top'}
        onNearTop={() => void store.loadOlder(c.id)} onAtBottomChange={setAtBottom}
        className="timeline" ariaLabel={t('chat.historyLabel', { name })}
      />
      {!atBottom && (
        <button type="button" className="jump-bottom" onClick={() => setBottomSignal((n) => n + 1)}>
          {c.unreadCount > 0 ? plural('chat.newBelow', c.unreadCount) : t('chat.jumpToLatest')} <Icon name="chevronDown" />
        </button>
      )}
      <div className="composer-wrap">
        <Composer
          conversationId={c.id} threadRootId={null}
          placeholder={c.kind === 'dm' ? t('composer.placeholderDm', { name }) : t('composer.placeholder', { name })}
          onEditLast={editLast} onSent={() => setBottomSignal((n) => n + 1)}
        />
        <div className="typing" aria-live="polite">{typing && <><span className="typing-dots" aria-hidden="true"><i /><i /><i /></span> {typing}</>}</div>
      </div>
    </section>
  );
}

function useVisible(): boolean {
  const [v, setV] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const on = () => setV(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return v;
}
