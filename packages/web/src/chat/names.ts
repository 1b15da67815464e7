import type { Conversation } from '@conclave/sdk';
import type { ChatStore } from '../lib/chat-store';
import type { I18n } from '../i18n/i18n';

/** What a conversation is called in this user's sidebar. */
export function conversationName(c: Conversation, store: ChatStore, t: I18n['t']): string {
  if (c.kind === 'dm') {
    if (!c.dmPeerId || c.dmPeerId === store.me.id) return t('chat.noteToSelf', { name: store.me.name });
    return store.user(c.dmPeerId)?.name ?? t('chat.unknownUser');
  }
  return c.name ?? (c.kind === 'group' ? t('chat.untitledGroup') : t('chat.untitledChannel'));
}

export function userName(store: ChatStore, id: string, t: I18n['t']): string {
  return store.user(id)?.name ?? t('chat.unknownUser');
}

/** Sidebar groups (MSG-1): channels and groups by name, DMs by latest activity. */
export function groupConversations(list: Conversation[], store: ChatStore, t: I18n['t']) {
  const byName = (a: Conversation, b: Conversation) => conversationName(a, store, t).localeCompare(conversationName(b, store, t));
  const live = list.filter((c) => !c.archived);
  return {
    channels: live.filter((c) => c.kind === 'channel').sort(byName),
    groups: live.filter((c) => c.kind === 'group').sort(byName),
    dms: live.filter((c) => c.kind === 'dm').sort((a, b) => (b.lastMessageAt ?? b.createdAt) - (a.lastMessageAt ?? a.createdAt)),
  };
}
