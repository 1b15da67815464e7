import { useEffect, useState } from 'react';
import type { Conversation, Member } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { isExternal } from '../lib/chat-store';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Avatar, Badge, Button, Modal } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { navigate } from '../ui/router';
import { PeoplePicker } from './Dialogs';
import { conversationName } from './names';

export function MembersButton({ conversation: c }: { conversation: Conversation }) {
  const { t, num } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="members-btn" onClick={() => setOpen(true)} aria-label={t('members.open', { count: c.memberCount })}>
        <Icon name="users" /> {num(c.memberCount)}
      </button>
      {open && <MembersDialog c={c} onClose={() => setOpen(false)} />}
    </>
  );
}

function MembersDialog({ c, onClose }: { c: Conversation; onClose(): void }) {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t } = i18n;
  const [members, setMembers] = useState<Member[] | null>(null);
  const [adding, setAdding] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canManage = c.myRole === 'owner' || c.myRole === 'admin' || app.can('conversations.manage_any') || c.kind === 'channel';

  const load = () => app.client.conversations.members(c.id).then((r) => setMembers(r.members), (err) => setError(errorText(err, i18n)));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, [c.id]);

  const add = async () => {
    if (!adding?.length) return;
    setBusy(true);
    try {
      await app.client.conversations.addMembers(c.id, adding);
      setAdding(null);
      await load();
    } catch (err) {
      setError(errorText(err, i18n));
    } finally {
      setBusy(false);
    }
  };
  const leave = async () => {
    setBusy(true);
    try {
      await app.client.conversations.leave(c.id);
      onClose();
      navigate('/');
    } catch (err) {
      setError(errorText(err, i18n));
      setBusy(false);
    }
  };

  return (
    <Modal title={t('members.title', { name: conversationName(c, store, t) })} onClose={onClose} wide>
      {adding ? (
        <div className="stack">
          <PeoplePicker selected={adding} onChange={setAdding} exclude={members?.map((m) => m.userId) ?? []} />
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="row gap end">
            <Button variant="ghost" onClick={() => setAdding(null)}>{t('common.cancel')}</Button>
            <Button variant="primary" busy={busy} disabled={!adding.length} onClick={() => void add()}>{t('members.add')}</Button>
          </div>
        </div>
      ) : (
        <div className="stack">
          <ul className="member-list">
            {(members ?? []).map((m) => {
              const u = store.user(m.userId);
              return (
                <li key={m.userId}>
                  <Avatar id={m.userId} name={u?.name ?? '?'} size={30} presence={store.presenceOf(m.userId)} />
                  <span className="member-text">
                    <span>{u?.name ?? t('chat.unknownUser')}{m.userId === store.me.id ? ` (${t('chat.you')})` : ''}</span>
                    <span className="muted small">{u?.email}</span>
                  </span>
                  {isExternal(u) && <Badge tone="warning">{t('chat.external')}</Badge>}
                  {m.role !== 'member' && <Badge>{t(`convRole.${m.role}`)}</Badge>}
                </li>
              );
            })}
          </ul>
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="row gap">
            {canManage && <Button icon="plus" onClick={() => setAdding([])}>{t('members.addPeople')}</Button>}
            <span className="spacer" />
            <Button variant="danger" icon="logOut" busy={busy} onClick={() => void leave()}>{t('members.leave')}</Button>
          </div>
        </div>
      )}
    </Modal>
  );
}
