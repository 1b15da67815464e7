/**
 * The chat screen: sidebar, conversation, thread panel, connection banner and the keyboard
 * map (Ctrl/Cmd+K switcher, Alt+↑/↓ previous/next conversation, Alt+Shift+↑/↓ next unread,
 * Esc closes the thread or dialog).
 */
import { useEffect, useState } from 'react';
import { useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { Button, Empty, Spinner } from '../ui/kit';
import { navigate, usePath } from '../ui/router';
import { ConnectionBanner } from './ConnectionBanner';
import { ConversationView } from './ConversationView';
import { BrowseChannelsDialog, CreateConversationDialog, NewMessageDialog } from './Dialogs';
import { Sidebar, type SidebarDialog } from './Sidebar';
import { Switcher } from './Switcher';
import { ThreadPanel } from './ThreadPanel';
import { groupConversations } from './names';

const LAST_KEY = 'conclave.lastConversation';

export function ChatLayout() {
  const store = useStore();
  const { t } = useI18n();
  const path = usePath();
  const activeId = path.startsWith('/c/') ? path.slice(3).split('/')[0] : null;
  const [thread, setThread] = useState<{ conv: string; root: string } | null>(null);
  const [dialog, setDialog] = useState<SidebarDialog | null>(null);
  const [switcher, setSwitcher] = useState(false);
  const conv = activeId ? store.conversation(activeId) : undefined;
  const { channels, groups, dms } = groupConversations(store.conversations(), store, t);
  const ordered = [...channels, ...groups, ...dms];

  // Open the last conversation (or the first) when none is chosen.
  useEffect(() => {
    if (activeId || !store.ready || !ordered.length) return;
    const last = localStorage.getItem(LAST_KEY);
    const target = ordered.find((c) => c.id === last) ?? ordered[0];
    navigate(`/c/${target.id}`, { replace: true });
  }, [activeId, store.ready, ordered.length]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (activeId) localStorage.setItem(LAST_KEY, activeId); }, [activeId]);
  useEffect(() => { if (thread && thread.conv !== activeId) setThread(null); }, [activeId, thread]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey;
      if (mod && e.key.toLowerCase() === 'k') { e.preventDefault(); setSwitcher((s) => !s); return; }
      if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown') && ordered.length) {
        e.preventDefault();
        const dir = e.key === 'ArrowDown' ? 1 : -1;
        const i = ordered.findIndex((c) => c.id === activeId);
        const pool = e.shiftKey ? ordered.filter((c) => c.unreadCount > 0 || c.id === activeId) : ordered;
        const j = pool.findIndex((c) => c.id === activeId);
        const next = pool[(Math.max(j, e.shiftKey ? j : i) + dir + pool.length) % pool.length];
        if (next) navigate(`/c/${next.id}`);
        return;
      }
      if (e.key === 'Escape' && !e.defaultPrevented && thread && !document.querySelector('.modal')) { setThread(null); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ordered, activeId, thread]);

  let main;
  if (!store.ready) main = <Spinner label={t('common.loading')} />;
  else if (conv) main = <ConversationView key={conv.id} conversation={conv} threadOpen={!!thread} onOpenThread={(root) => setThread({ conv: conv.id, root })} />;
  else if (activeId) main = <Empty icon="lock" title={t('chat.notAvailable')}><Button onClick={() => navigate('/')}>{t('chat.backHome')}</Button></Empty>;
  else {
    main = (
      <Empty icon="message" title={t('chat.welcome', { name: store.me.name })}>
        <p>{t('chat.welcomeHint')}</p>
        <div className="row gap center">
          <Button variant="primary" icon="compass" onClick={() => setDialog('browse')}>{t('nav.browseChannels')}</Button>
          <Button icon="plus" onClick={() => setDialog('new-dm')}>{t('nav.newMessage')}</Button>
        </div>
      </Empty>
    );
  }

  return (
    <div className="app">
      <a href="#main" className="skip-link">{t('nav.skipToMain')}</a>
      <ConnectionBanner />
      <div className={`chat-grid ${thread && conv ? 'has-thread' : ''}`}>
        <Sidebar activeId={activeId} onDialog={setDialog} onSwitcher={() => setSwitcher(true)} />
        <main id="main" className="chat-main">{main}</main>
        {thread && conv && <ThreadPanel conversation={conv} rootId={thread.root} onClose={() => setThread(null)} />}
      </div>
      {switcher && <Switcher onClose={() => setSwitcher(false)} />}
      {dialog === 'create-channel' && <CreateConversationDialog kind="channel" onClose={() => setDialog(null)} />}
      {dialog === 'create-group' && <CreateConversationDialog kind="group" onClose={() => setDialog(null)} />}
      {dialog === 'browse' && <BrowseChannelsDialog onClose={() => setDialog(null)} />}
      {dialog === 'new-dm' && <NewMessageDialog onClose={() => setDialog(null)} />}
    </div>
  );
}
