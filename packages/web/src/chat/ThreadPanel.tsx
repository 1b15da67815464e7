import { useEffect, useMemo, useState } from 'react';
import type { Conversation } from '@conclave/sdk';
import { useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { IconButton } from '../ui/kit';
import { VirtualList } from '../ui/VirtualList';
import { Composer } from './Composer';
import { MessageItem, PendingItem } from './MessageItem';
import { buildRows, typingText } from './ConversationView';
import { conversationName } from './names';

/** A thread beside the conversation: the root message, its replies, a composer. */
export function ThreadPanel({ conversation: c, rootId, onClose }: { conversation: Conversation; rootId: string; onClose(): void }) {
  const store = useStore();
  const i18n = useI18n();
  const { t, plural } = i18n;
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [bottomSignal, setBottomSignal] = useState(0);

  useEffect(() => {
    setError(null);
    store.loadThread(c.id, rootId).catch((err) => setError(errorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.id, rootId, store]);

  const root = store.message(c.id, rootId);
  const replies = store.thread(c.id, rootId);
  const pending = store.pending(c.id, rootId);
  const rows = useMemo(() => buildRows(replies, pending, { readMark: null, meId: store.me.id, hasOlder: false, loading: false, withTop: false }), [replies, pending, store]);

  return (
    <aside className="thread-panel" aria-labelledby="thread-title" onKeyDown={(e) => { if (e.key === 'Escape' && !e.defaultPrevented) onClose(); }}>
      <header className="thread-header">
        <div>
          <h2 id="thread-title">{t('thread.title')}</h2>
          <p className="muted small">{conversationName(c, store, t)}</p>
        </div>
        <IconButton icon="x" label={t('thread.close')} onClick={onClose} />
      </header>
      {error && <p className="form-error pad" role="alert">{error}</p>}
      {root && (
        <div className="thread-root">
          <MessageItem m={root} store={store} compact={false} inThread editing={editing === root.id} onEdit={setEditing} />
          <div className="thread-divider"><span>{plural('chat.replies', root.thread?.replyCount ?? replies.length)}</span></div>
        </div>
      )}
      <VirtualList
        items={rows} itemKey={(r) => r.key} estimateHeight={() => 64} resetKey={rootId} bottomSignal={bottomSignal}
        className="thread-list" ariaLabel={t('thread.repliesLabel')}
        renderItem={(r) => r.kind === 'msg'
          ? <MessageItem m={r.m} store={store} compact={r.compact} inThread editing={editing === r.m.id} onEdit={setEditing} />
          : r.kind === 'pending' ? <PendingItem p={r.p} store={store} />
          : r.kind === 'day' ? <div className="day-sep" role="separator"><span>{i18n.day(r.at)}</span></div> : null}
      />
      <div className="composer-wrap">
        <Composer conversationId={c.id} threadRootId={rootId} placeholder={t('thread.reply')} onSent={() => setBottomSignal((n) => n + 1)} />
        <div className="typing" aria-live="polite">{typingText(store.typingIn(c.id), store, t)}</div>
      </div>
    </aside>
  );
}
