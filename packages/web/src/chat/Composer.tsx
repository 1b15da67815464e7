/**
 * Message input: Enter sends, Shift+Enter breaks the line, and Enter while an IME is composing
 * (Chinese, Japanese, Korean input) only ends the composition — it never sends half-written
 * text. @ opens member suggestions (arrows, Enter/Tab, Esc). ↑ in an empty box edits your
 * last message. Drafts survive switching conversations.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { User } from '@conclave/sdk';
import { useApp, useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { errorText } from '../lib/errors';
import { Avatar, Button, IconButton } from '../ui/kit';

const drafts = new Map<string, string>();
const MENTION_RE = /(?:^|\s)@([^\s@]{0,40})$/u;

interface Props {
  conversationId: string;
  threadRootId: string | null;
  mode?: 'send' | 'edit';
  placeholder?: string;
  initialText?: string;
  initialMentions?: string[];
  onSubmitEdit?(text: string, mentions: string[]): Promise<void>;
  onCancel?(): void;
  onEditLast?(): void;
  onSent?(): void;
  autoFocus?: boolean;
}

export function Composer(p: Props) {
  const app = useApp();
  const store = useStore();
  const i18n = useI18n();
  const { t } = i18n;
  const mode = p.mode ?? 'send';
  const draftKey = `${p.conversationId}:${p.threadRootId ?? ''}`;
  const [text, setText] = useState(() => (mode === 'edit' ? p.initialText ?? '' : drafts.get(draftKey) ?? ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [members, setMembers] = useState<string[] | null>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [sel, setSel] = useState(0);
  const composing = useRef(false);
  const ta = useRef<HTMLTextAreaElement>(null);
  const chosen = useRef(new Map<string, string>());
  const listId = useId();

  useEffect(() => {
    for (const id of p.initialMentions ?? []) {
      const u = store.user(id);
      if (u) chosen.current.set(u.name, u.id);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => { if (mode === 'send') drafts.set(draftKey, text); }, [draftKey, text, mode]);

  useEffect(() => {
    let live = true;
    store.members(p.conversationId).then((ids) => live && setMembers(ids), () => live && setMembers(null));
    return () => { live = false; };
  }, [p.conversationId, store]);

  // Grow with the text up to a limit.
  useLayoutEffect(() => {
    const el = ta.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  // Never steal focus from an open dialog (the Ctrl+K switcher may open before the conversation loads).
  useEffect(() => { if (p.autoFocus !== false && !document.querySelector('[role="dialog"]')) ta.current?.focus(); }, [p.conversationId, p.autoFocus]);

  const suggestions = useMemo<User[]>(() => {
    if (query === null) return [];
    const q = query.toLowerCase();
    const pool = (members ?? [...store.users.keys()]).map((id) => store.user(id)).filter((u): u is User => !!u && u.id !== store.me.id && u.status === 'active');
    return pool.filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().startsWith(q)).slice(0, 8);
  }, [query, members, store]);

  const bytes = useMemo(() => new TextEncoder().encode(text).length, [text]);
  const limit = app.me.org.maxMessageBytes;
  const tooLong = bytes > limit;

  const updateQuery = (value: string, caret: number) => {
    const m = MENTION_RE.exec(value.slice(0, caret));
    setQuery(m ? m[1] : null);
    setSel(0);
  };

  const pick = (u: User) => {
    const el = ta.current;
    if (!el) return;
    const caret = el.selectionStart ?? text.length;
    const before = text.slice(0, caret).replace(/@([^\s@]{0,40})$/u, `@${u.name} `);
    const next = before + text.slice(caret);
    chosen.current.set(u.name, u.id);
    setText(next);
    setQuery(null);
    requestAnimationFrame(() => { el.focus(); el.setSelectionRange(before.length, before.length); });
  };

  const mentionsIn = (value: string) => [...chosen.current].filter(([name]) => value.includes(`@${name}`)).map(([, id]) => id);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const value = text.trim();
    if (!value || tooLong || busy) return;
    const mentions = [...new Set(mentionsIn(value))];
    if (mode === 'edit') {
      setBusy(true);
      try {
        await p.onSubmitEdit?.(value, mentions);
      } catch (err) {
        setError(errorText(err, i18n));
      } finally {
        setBusy(false);
      }
      return;
    }
    store.send(p.conversationId, value, mentions, p.threadRootId);
    setText('');
    drafts.delete(draftKey);
    chosen.current.clear();
    p.onSent?.();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // IME: while composing, Enter confirms the candidate; keyCode 229 covers browsers that report it that way.
    const imeBusy = composing.current || e.nativeEvent.isComposing || e.keyCode === 229;
    if (suggestions.length && !imeBusy) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setSel((s) => (s + 1) % suggestions.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setSel((s) => (s - 1 + suggestions.length) % suggestions.length); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); pick(suggestions[sel]); return; }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setQuery(null); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      if (imeBusy) return;
      e.preventDefault();
      void submit();
      return;
    }
    if (e.key === 'Escape' && mode === 'edit') { e.preventDefault(); e.stopPropagation(); p.onCancel?.(); return; }
    if (e.key === 'ArrowUp' && mode === 'send' && text === '' && p.onEditLast) { e.preventDefault(); p.onEditLast(); }
  };

  return (
    <form className={`composer ${mode === 'edit' ? 'composer-edit' : ''}`} onSubmit={submit}>
      {suggestions.length > 0 && (
        <ul className="mention-list" role="listbox" id={listId} aria-label={t('composer.mentionSuggestions')}>
          {suggestions.map((u, i) => (
            <li key={u.id} role="option" aria-selected={i === sel} className={i === sel ? 'selected' : ''}
              onMouseDown={(e) => { e.preventDefault(); pick(u); }} onMouseEnter={() => setSel(i)}>
              <Avatar id={u.id} name={u.name} size={22} presence={store.presenceOf(u.id)} />
              <span className="mention-name">{u.name}</span>
              <span className="mention-email">{u.email}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-box">
        <textarea
          ref={ta} rows={1} value={text} placeholder={p.placeholder}
          aria-label={p.placeholder ?? t('composer.label')}
          aria-autocomplete="list" aria-controls={suggestions.length ? listId : undefined}
          aria-activedescendant={undefined}
          onChange={(e) => {
            setText(e.target.value);
            updateQuery(e.target.value, e.target.selectionStart ?? e.target.value.length);
            if (mode === 'send' && e.target.value.trim()) store.sendTyping(p.conversationId);
          }}
          onSelect={(e) => updateQuery(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
          onCompositionStart={() => { composing.current = true; }}
          onCompositionEnd={() => { composing.current = false; }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setQuery(null), 150)}
          data-testid={mode === 'edit' ? 'edit-input' : p.threadRootId ? 'thread-composer' : 'composer'}
        />
        {mode === 'send' && (
          <IconButton icon="send" label={t('composer.send')} className="send-btn" onClick={() => void submit()} active={!!text.trim() && !tooLong} />
        )}
      </div>
      <div className="composer-foot">
        {mode === 'edit' ? (
          <span className="row gap-sm">
            <Button size="sm" variant="primary" type="submit" busy={busy} disabled={!text.trim() || tooLong}>{t('common.save')}</Button>
            <Button size="sm" variant="ghost" onClick={p.onCancel}>{t('common.cancel')}</Button>
            <span className="muted small">{t('composer.editHint')}</span>
          </span>
        ) : (
          <span className="muted small composer-hint">{t('composer.hint')}</span>
        )}
        {(tooLong || bytes > limit * 0.9) && <span className={`small ${tooLong ? 'danger' : 'muted'}`}>{t('composer.tooLong', { used: i18n.bytes(bytes), max: i18n.bytes(limit) })}</span>}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </form>
  );
}
