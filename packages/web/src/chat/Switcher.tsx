/** Ctrl/Cmd+K: jump to any conversation, or start a DM with anyone in the directory. */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useApp, useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { Avatar, Modal } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { navigate } from '../ui/router';
import { conversationName } from './names';

interface Option { id: string; label: string; hint: string; icon: React.ReactNode; go(): void; unread: number }

export function Switcher({ onClose }: { onClose(): void }) {
  const app = useApp();
  const store = useStore();
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [sel, setSel] = useState(0);
  const listId = useId();

  const options = useMemo<Option[]>(() => {
    const query = q.trim().toLowerCase();
    const convs = store.conversations().filter((c) => !c.archived);
    const dmPeers = new Set(convs.filter((c) => c.kind === 'dm').map((c) => c.dmPeerId));
    const out: Option[] = convs
      .map((c) => ({ c, name: conversationName(c, store, t) }))
      .filter(({ name }) => !query || name.toLowerCase().includes(query))
      .sort((a, b) => (b.c.unreadCount > 0 ? 1 : 0) - (a.c.unreadCount > 0 ? 1 : 0) || (b.c.lastMessageAt ?? 0) - (a.c.lastMessageAt ?? 0))
      .map(({ c, name }) => ({
        id: c.id, label: name, unread: c.unreadCount,
        hint: t(c.kind === 'dm' ? 'switcher.dm' : c.kind === 'group' ? 'switcher.group' : 'switcher.channel'),
        icon: c.kind === 'dm' ? <Avatar id={c.dmPeerId ?? c.id} name={name} size={20} /> : <Icon name={c.kind === 'channel' ? 'hash' : 'lock'} />,
        go: () => navigate(`/c/${c.id}`),
      }));
    if (query && app.can('conversations.create_dm')) {
      for (const u of store.users.values()) {
        if (u.id === store.me.id || dmPeers.has(u.id) || u.status !== 'active') continue;
        if (!u.name.toLowerCase().includes(query) && !u.email.startsWith(query)) continue;
        out.push({
          id: `u:${u.id}`, label: u.name, unread: 0, hint: t('switcher.startDm'),
          icon: <Avatar id={u.id} name={u.name} size={20} />,
          go: () => {
            void app.client.conversations.create({ kind: 'dm', memberIds: [u.id] }).then(({ conversation }) => {
              store.addConversation(conversation);
              navigate(`/c/${conversation.id}`);
            });
          },
        });
      }
    }
    return out.slice(0, 30);
  }, [q, store, store.version, t, app]);

  const choose = (o: Option | undefined) => { if (!o) return; onClose(); o.go(); };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setSel((s) => Math.min(options.length - 1, s + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setSel((s) => Math.max(0, s - 1)); }
    else if (e.key === 'Enter') { e.preventDefault(); choose(options[sel]); }
  };

  return (
    <Modal title={t('switcher.title')} onClose={onClose}>
      <div className="switcher" onKeyDown={onKey}>
        <div className="search-input big">
          <Icon name="search" size={18} />
          <input
            value={q} onChange={(e) => { setQ(e.target.value); setSel(0); }} placeholder={t('switcher.placeholder')}
            role="combobox" aria-expanded="true" aria-controls={listId} aria-activedescendant={options[sel] ? `${listId}-${sel}` : undefined}
            aria-label={t('switcher.placeholder')} data-testid="switcher-input"
          />
        </div>
        <ul className="switcher-list" role="listbox" id={listId}>
          {options.length === 0 && <li className="picker-empty">{t('picker.noMatch')}</li>}
          {options.map((o, i) => (
            <li key={o.id} id={`${listId}-${i}`} role="option" aria-selected={i === sel} className={i === sel ? 'selected' : ''}
              onMouseEnter={() => setSel(i)} onMouseDown={(e) => { e.preventDefault(); choose(o); }}>
              <span className="switcher-icon">{o.icon}</span>
              <span className={`switcher-label ${o.unread ? 'unread' : ''}`}>{o.label}</span>
              <span className="switcher-hint">{o.hint}</span>
            </li>
          ))}
        </ul>
        <p className="switcher-foot muted small">{t('switcher.keys')}</p>
      </div>
    </Modal>
  );
}
