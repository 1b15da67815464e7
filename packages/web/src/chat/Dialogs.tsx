/** Create a channel or group, browse and join channels, start a DM or group from the directory. */
import { useEffect, useMemo, useState } from 'react';
import type { Conversation, User } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { isExternal } from '../lib/chat-store';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { levelLabel } from '../lib/levels';
import { Avatar, Badge, Button, Empty, Field, Modal } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { useSubmit } from '../ui/use-submit';
import { navigate } from '../ui/router';

/** Picks people from the directory — only those the server lets this user see. */
export function PeoplePicker({ selected, onChange, exclude = [] }: { selected: string[]; onChange(ids: string[]): void; exclude?: string[] }) {
  const app = useApp();
  const store = useStore();
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<User[] | null>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      app.client.users.list(q.trim() ? { q: q.trim() } : undefined).then((r) => live && setFound(r.users), () => live && setFound(null));
    }, 150);
    return () => { live = false; clearTimeout(timer); };
  }, [q, app.client]);
  const people = (found ?? [...store.users.values()])
    .filter((u) => u.id !== store.me.id && u.status === 'active' && !exclude.includes(u.id))
    .filter((u) => !q.trim() || u.name.toLowerCase().includes(q.toLowerCase()) || u.email.includes(q.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name));
  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  return (
    <div className="picker">
      {selected.length > 0 && (
        <div className="chips">
          {selected.map((id) => (
            <button key={id} type="button" className="chip" onClick={() => toggle(id)} aria-label={t('picker.remove', { name: store.user(id)?.name ?? id })}>
              {store.user(id)?.name ?? id} <Icon name="x" size={12} />
            </button>
          ))}
        </div>
      )}
      <div className="search-input">
        <Icon name="search" />
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('picker.search')} aria-label={t('picker.search')} />
      </div>
      <ul className="picker-list" role="listbox" aria-multiselectable="true" aria-label={t('picker.people')}>
        {people.length === 0 && <li className="picker-empty">{found !== null && !q ? t('picker.emptyDirectory') : t('picker.noMatch')}</li>}
        {people.slice(0, 100).map((u) => (
          <li key={u.id} role="option" aria-selected={selected.includes(u.id)}>
            <label className="picker-row">
              <input type="checkbox" checked={selected.includes(u.id)} onChange={() => toggle(u.id)} />
              <Avatar id={u.id} name={u.name} size={28} presence={store.presenceOf(u.id)} />
              <span className="picker-name">{u.name}{isExternal(u) && <Badge tone="warning">{t('chat.external')}</Badge>}</span>
              <span className="picker-email">{u.email}</span>
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CreateConversationDialog({ kind, onClose }: { kind: 'channel' | 'group'; onClose(): void }) {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const levels = (app.caps?.levels ?? []).filter((l) => l.visible).map((l) => l.name);
  const [level, setLevel] = useState<string>('');
  const { busy, error, submit } = useSubmit(async () => {
    const { conversation } = await app.client.conversations.create({
      kind, name: name.trim() || undefined, topic: topic.trim() || undefined, memberIds: members.length ? members : undefined,
      ...(level ? { level } : {}),
    });
    store.addConversation(conversation);
    onClose();
    navigate(`/c/${conversation.id}`);
  }, (err) => errorText(err, i18n));
  return (
    <Modal title={kind === 'channel' ? t('create.channelTitle') : t('create.groupTitle')} onClose={onClose} wide={kind === 'group'}>
      <form className="stack" onSubmit={submit}>
        <p className="muted">{kind === 'channel' ? t('create.channelHint') : t('create.groupHint')}</p>
        <Field label={t('create.name')}>
          {(id) => (
            <div className="input-prefix">
              <Icon name={kind === 'channel' ? 'hash' : 'lock'} />
              <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required={kind === 'channel'} placeholder={kind === 'channel' ? t('create.channelPlaceholder') : t('create.groupPlaceholder')} />
            </div>
          )}
        </Field>
        <Field label={t('create.topic')} hint={t('common.optional')}>
          {(id, d) => <input id={id} value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={500} aria-describedby={d} />}
        </Field>
        {levels.length > 1 && (
          <Field label={t('create.level')} hint={t('create.levelHint')}>
            {(id, d) => (
              <select id={id} value={level} onChange={(e) => setLevel(e.target.value)} aria-describedby={d}>
                <option value="">{t('create.levelDefault')}</option>
                {levels.map((l) => <option key={l} value={l}>{levelLabel(app.caps, l)}</option>)}
              </select>
            )}
          </Field>
        )}
        {kind === 'group' && (
          <fieldset className="fieldset">
            <legend>{t('create.members')}</legend>
            <PeoplePicker selected={members} onChange={setMembers} />
          </fieldset>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={kind === 'channel' && !name.trim()}>{t('create.submit')}</Button>
        </div>
      </form>
    </Modal>
  );
}

export function BrowseChannelsDialog({ onClose }: { onClose(): void }) {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t, plural } = i18n;
  const [q, setQ] = useState('');
  const [list, setList] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [joining, setJoining] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      app.client.conversations.browse(q.trim() ? { q: q.trim() } : undefined)
        .then((r) => live && setList(r.conversations), (err) => live && setError(errorText(err, i18n)));
    }, 150);
    return () => { live = false; clearTimeout(timer); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, app.client]);
  const mine = new Set(store.conversations().map((c) => c.id));
  const join = async (c: Conversation) => {
    if (mine.has(c.id)) { onClose(); navigate(`/c/${c.id}`); return; }
    setJoining(c.id);
    try {
      const { conversation } = await app.client.conversations.join(c.id);
      store.addConversation(conversation);
      onClose();
      navigate(`/c/${conversation.id}`);
    } catch (err) {
      setError(errorText(err, i18n));
    } finally {
      setJoining(null);
    }
  };
  return (
    <Modal title={t('browse.title')} onClose={onClose} wide>
      <div className="stack">
        <div className="search-input">
          <Icon name="search" />
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('browse.search')} aria-label={t('browse.search')} />
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        {list && list.length === 0 ? (
          <Empty icon="hash" title={t('browse.empty')} />
        ) : (
          <ul className="browse-list">
            {(list ?? []).map((c) => (
              <li key={c.id} className="browse-row">
                <span className="browse-icon"><Icon name="hash" /></span>
                <span className="browse-text">
                  <span className="browse-name">{c.name}</span>
                  <span className="muted small">{plural('chat.members', c.memberCount)}{c.topic ? ` · ${c.topic}` : ''}</span>
                </span>
                <Button size="sm" variant={mine.has(c.id) ? 'ghost' : 'primary'} busy={joining === c.id} onClick={() => void join(c)}>
                  {mine.has(c.id) ? t('browse.open') : t('browse.join')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Modal>
  );
}

/** One person: a DM (idempotent per pair). Several: a private group. */
export function NewMessageDialog({ onClose, initial = [] }: { onClose(): void; initial?: string[] }) {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t } = i18n;
  const [members, setMembers] = useState<string[]>(initial);
  const isGroup = members.length > 1;
  const canGroup = app.can('conversations.create_group');
  const { busy, error, submit: start } = useSubmit(async () => {
    const { conversation } = await app.client.conversations.create(isGroup ? { kind: 'group', memberIds: members, name: groupName(members) } : { kind: 'dm', memberIds: members });
    store.addConversation(conversation);
    onClose();
    navigate(`/c/${conversation.id}`);
  }, (err) => errorText(err, i18n));
  const groupName = (ids: string[]) => ids.map((id) => store.user(id)?.name.split(/\s+/)[0] ?? '').filter(Boolean).join(', ').slice(0, 80);
  const hint = useMemo(() => (isGroup ? t('newdm.groupHint') : t('newdm.hint')), [isGroup, t]);
  return (
    <Modal title={t('newdm.title')} onClose={onClose} wide>
      <div className="stack">
        <p className="muted">{hint}</p>
        <PeoplePicker selected={members} onChange={(ids) => setMembers(canGroup ? ids : ids.slice(-1))} />
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row gap end">
          <Button variant="ghost" onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" busy={busy} disabled={!members.length} onClick={() => void start()}>{isGroup ? t('newdm.startGroup') : t('newdm.start')}</Button>
        </div>
      </div>
    </Modal>
  );
}
