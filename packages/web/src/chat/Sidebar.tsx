import { useState, type ReactNode } from 'react';
import type { Conversation } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { marksOf } from '../lib/chat-store';
import { useI18n } from '../i18n/context';
import { Avatar, IconButton } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { navigate } from '../ui/router';
import { conversationName, groupConversations } from './names';

export type SidebarDialog = 'create-channel' | 'create-group' | 'browse' | 'new-dm';

export function Sidebar({ activeId, onDialog, onSwitcher }: { activeId: string | null; onDialog(d: SidebarDialog): void; onSwitcher(): void }) {
  const app = useApp();
  const store = useStore();
  const { t } = useI18n();
  const [menu, setMenu] = useState(false);
  const { channels, groups, dms } = groupConversations(store.conversations(), store, t);
  const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
  const me = store.me;
  const connected = store.online && store.connection === 'open';

  return (
    <nav className="sidebar" aria-label={t('nav.conversations')}>
      <div className="ws-header">
        <button type="button" className="ws-button" aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
          <span className="ws-logo" aria-hidden="true">{(app.me.org.name || 'C').slice(0, 1).toUpperCase()}</span>
          <span className="ws-name">{app.me.org.name}</span>
          <Icon name="chevronDown" />
        </button>
        {menu && (
          <div className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setMenu(false)}>
            <button role="menuitem" type="button" onClick={() => { setMenu(false); navigate('/settings'); }}><Icon name="sliders" /> {t('nav.settings')}</button>
            {app.isAdmin && <button role="menuitem" type="button" onClick={() => { setMenu(false); navigate('/admin'); }}><Icon name="shield" /> {t('nav.admin')}</button>}
            <hr />
            <button role="menuitem" type="button" onClick={() => app.signOut()}><Icon name="logOut" /> {t('nav.signOut')}</button>
          </div>
        )}
      </div>
      <button type="button" className="jump" onClick={onSwitcher}>
        <Icon name="search" /> <span>{t('nav.jumpTo')}</span> <kbd>{isMac ? '⌘' : 'Ctrl'} K</kbd>
      </button>
      <div className="sidebar-scroll">
        <Section
          title={t('nav.channels')}
          actions={<>
            {app.can('conversations.browse_channels') && <IconButton icon="compass" label={t('nav.browseChannels')} onClick={() => onDialog('browse')} />}
            {app.can('conversations.create_channel') && <IconButton icon="plus" label={t('nav.createChannel')} onClick={() => onDialog('create-channel')} />}
          </>}
          empty={t('nav.noChannels')}
        >
          {channels.map((c) => <Item key={c.id} c={c} active={c.id === activeId} />)}
        </Section>
        <Section
          title={t('nav.groups')}
          actions={app.can('conversations.create_group') && <IconButton icon="plus" label={t('nav.createGroup')} onClick={() => onDialog('create-group')} />}
          empty={t('nav.noGroups')}
        >
          {groups.map((c) => <Item key={c.id} c={c} active={c.id === activeId} />)}
        </Section>
        <Section
          title={t('nav.dms')}
          actions={app.can('conversations.create_dm') && <IconButton icon="plus" label={t('nav.newMessage')} onClick={() => onDialog('new-dm')} />}
          empty={t('nav.noDms')}
        >
          {dms.map((c) => <Item key={c.id} c={c} active={c.id === activeId} />)}
        </Section>
      </div>
      <footer className="me-footer">
        <Avatar id={me.id} name={me.name} size={30} presence={connected ? 'online' : 'offline'} />
        <span className="me-text">
          <span className="me-name">{me.name}</span>
          <span className="me-status">{connected ? t('presence.online') : t('presence.offline')}</span>
        </span>
        <IconButton icon="sliders" label={t('nav.settings')} onClick={() => navigate('/settings')} />
      </footer>
    </nav>
  );
}

function Section({ title, actions, children, empty }: { title: string; actions?: ReactNode; children: ReactNode[]; empty: string }) {
  const [open, setOpen] = useState(true);
  return (
    <section className="side-section">
      <div className="side-section-head">
        <button type="button" className="side-section-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <Icon name={open ? 'chevronDown' : 'chevronRight'} size={14} /> {title}
        </button>
        <span className="side-section-actions">{actions}</span>
      </div>
      {open && (children.length ? <ul role="list">{children}</ul> : <p className="side-empty">{empty}</p>)}
    </section>
  );
}

function Item({ c, active }: { c: Conversation; active: boolean }) {
  const store = useStore();
  const { t, num, plural } = useI18n();
  const name = conversationName(c, store, t);
  const marks = marksOf(c);
  const unread = c.unreadCount > 0 && !active;
  const label = [name, c.mentionCount && !active ? plural('nav.mentions', c.mentionCount) : '', unread ? plural('nav.unread', c.unreadCount) : ''].filter(Boolean).join(', ');
  return (
    <li>
      <a
        href={`/c/${c.id}`} className={`conv-item ${active ? 'active' : ''} ${unread ? 'unread' : ''}`} aria-current={active ? 'page' : undefined}
        aria-label={label} data-conv-id={c.id}
        onClick={(e) => { if (e.metaKey || e.ctrlKey || e.button !== 0) return; e.preventDefault(); navigate(`/c/${c.id}`); }}
      >
        <span className="conv-icon">
          {c.kind === 'dm'
            ? <Avatar id={c.dmPeerId ?? c.id} name={name} size={20} presence={c.dmPeerId ? store.presenceOf(c.dmPeerId) : undefined} />
            : <Icon name={c.kind === 'channel' ? 'hash' : 'lock'} />}
        </span>
        <span className="conv-name">{name}</span>
        {marks.external && <span className="ext-dot" title={t('chat.externalTitle')} aria-hidden="true"><Icon name="external" size={12} /></span>}
        {c.mentionCount > 0 && !active
          ? <span className="pill pill-mention" aria-hidden="true">{num(c.mentionCount)}</span>
          : unread && <span className="pill" aria-hidden="true">{num(c.unreadCount)}</span>}
      </a>
    </li>
  );
}
