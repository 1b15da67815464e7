/**
 * The chat client's state: the SDK's ClientState replica (conversations, messages, read
 * state) fed by one realtime subscription that resumes from the stored seq, plus what the UI
 * needs around it: the directory, typing and presence, the offline outbox (MSG-4) and a
 * snapshot in IndexedDB so recent conversations open offline. React reads it through
 * `useStore` (useSyncExternalStore on `version`).
 */
import {
  ClientState, isConclaveError, newClientId,
  type ConclaveClient, type ConnectionState, type Conversation, type Ephemeral, type Message, type Subscription, type SyncEvent, type User,
} from '@conclave/sdk';
import { idb } from './idb';
import { OutboxQueue, type OutboxItem } from './outbox';

export type { OutboxItem } from './outbox';

interface TimelineMeta { start: number; hasOlder: boolean }

interface Snapshot {
  userId: string;
  seq: number;
  savedAt: number;
  me: User;
  conversations: Conversation[];
  base: Conversation[];
  messages: Message[];
  users: User[];
  timelines: [string, TimelineMeta][];
}

/** Messages kept per conversation in the offline snapshot. */
const SNAPSHOT_MESSAGES = 200;
const TYPING_TTL_MS = 6000;
const TYPING_SEND_EVERY_MS = 3000;

export interface StoreHandlers {
  /** The server ended the session (revoked, deactivated): back to the sign-in screen. */
  onSignedOut(reason: 'revoked'): void;
}

/** Extra fields newer servers put on conversations (ACL-2/ACL-4); read defensively until every server has them. */
export interface ConversationMarks { level: string | null; external: boolean }
export function marksOf(c: Conversation): ConversationMarks {
  const x = c as unknown as { level?: unknown; hasExternal?: unknown };
  return { level: typeof x.level === 'string' ? x.level : null, external: x.hasExternal === true };
}
export function isExternal(u: User | undefined): boolean {
  return (u as unknown as { external?: unknown } | undefined)?.external === true;
}

export class ChatStore {
  state: ClientState;
  /** Server-provided conversations (their unread counts cover messages we have not loaded). */
  private base = new Map<string, Conversation>();
  private timelines = new Map<string, TimelineMeta>();
  private msgVersions = new Map<string, number>();
  readonly users = new Map<string, User>();
  private typing = new Map<string, Map<string, number>>();
  private presence = new Map<string, User['presence']>();
  private typingSentAt = new Map<string, number>();
  private readingAt = new Map<string, number>();
  private memberCache = new Map<string, Promise<string[]>>();
  readonly outbox: OutboxQueue;

  connection: ConnectionState = 'connecting';
  online = typeof navigator === 'undefined' ? true : navigator.onLine;
  ready = false;
  loadError: string | null = null;
  version = 0;

  private sub: Subscription | null = null;
  private listeners = new Set<() => void>();
  private emitTimer: ReturnType<typeof setTimeout> | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private typingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private cache = new Map<string, { v: number; value: unknown }>();

  constructor(readonly client: ConclaveClient, public me: User, private readonly handlers: StoreHandlers) {
    this.state = new ClientState(me.id);
    this.users.set(me.id, me);
    this.outbox = new OutboxQueue(client, me.id, {
      changed: () => this.emit(),
      delivered: (m) => this.applyLocal({ type: 'message.created', data: { message: m } }),
    });
  }

  // ---- lifecycle ----

  /** Opens the stored snapshot (if any), subscribes from its seq, and loads the rest. */
  async start(): Promise<void> {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.typingTimer = setInterval(() => this.expireTyping(), 1000);
    await this.outbox.load();
    const snap = await idb.get<Snapshot>('snapshot', this.me.id).catch(() => undefined);
    if (snap && snap.userId === this.me.id) {
      this.hydrate(snap);
      this.ready = true;
      this.emit();
      this.openSubscription(snap.seq, (e) => this.onEvent(e));
      void this.refreshUsers();
      return;
    }
    // Fresh start: fix the cursor first, load, then apply what arrived during the load (SDK README).
    let loaded = false;
    const early: SyncEvent[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    this.openSubscription(undefined, (e) => (loaded ? this.onEvent(e) : void early.push(e)), () => opened());
    await open;
    if (this.stopped) return;
    await this.loadAll();
    for (const e of early) this.onEvent(e);
    loaded = true;
    this.ready = true;
    this.emit();
  }

  stop(): void {
    this.stopped = true;
    this.sub?.close();
    this.sub = null;
    this.outbox.stop();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.typingTimer) clearInterval(this.typingTimer);
    if (this.saveTimer) { clearTimeout(this.saveTimer); void this.saveSnapshot(); }
    if (this.emitTimer) clearTimeout(this.emitTimer);
  }

  /** Forgets everything this user kept on the device (sign-out). */
  static async forget(userId: string): Promise<void> {
    await idb.delete('snapshot', userId).catch(() => undefined);
  }

  private openSubscription(since: number | undefined, handler: (e: SyncEvent) => void, onOpen?: () => void): void {
    this.sub = this.client.subscribe(handler, {
      since,
      onReset: () => this.loadAll(),
      onEphemeral: (s) => this.onEphemeral(s),
      onState: (state, info) => {
        this.connection = state;
        if (state === 'open') {
          onOpen?.();
          this.sub?.setPresence(document.visibilityState === 'hidden' ? 'away' : 'online');
          void this.outbox.flush();
        }
        if (state === 'closed' && (info?.code === 4001 || info?.code === 4003)) this.handlers.onSignedOut('revoked');
        this.emit();
      },
      onError: (err) => console.warn('realtime:', err),
    });
  }

  private async loadAll(): Promise<void> {
    try {
      const [{ conversations }, users] = await Promise.all([
        this.client.conversations.list(),
        this.client.users.list().catch(() => ({ users: [] as User[] })),
      ]);
      this.state = new ClientState(this.me.id);
      this.state.loadConversations(conversations);
      this.base = new Map(conversations.map((c) => [c.id, c]));
      this.timelines.clear();
      this.msgVersions.clear();
      this.memberCache.clear();
      for (const u of users.users) this.users.set(u.id, u);
      this.loadError = null;
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : String(err);
    }
    this.emit();
  }

  async refreshUsers(): Promise<void> {
    try {
      const { users } = await this.client.users.list();
      for (const u of users) this.users.set(u.id, u);
      this.emit();
    } catch { /* offline: keep the snapshot's directory */ }
  }

  // ---- events ----

  private onEvent(e: SyncEvent): void {
    this.state.apply(e);
    switch (e.type) {
      case 'conversation.updated':
        this.base.set(e.data.conversation.id, e.data.conversation);
        this.memberCache.delete(e.data.conversation.id);
        break;
      case 'conversation.removed':
        this.base.delete(e.data.conversationId);
        this.timelines.delete(e.data.conversationId);
        this.bumpMessages(e.data.conversationId);
        break;
      case 'message.created':
      case 'message.updated': {
        const m = e.data.message;
        this.bumpMessages(m.conversationId);
        if (e.type === 'message.created') this.typing.get(m.conversationId)?.delete(m.authorId);
        break;
      }
      case 'member.added':
      case 'member.removed':
        this.memberCache.delete(e.data.conversationId);
        break;
      case 'user.updated':
        this.users.set(e.data.user.id, e.data.user);
        if (e.data.user.id === this.me.id) this.me = e.data.user;
        break;
      default:
        break;
    }
    this.emit();
  }

  /** Applies an answer we got over HTTP the way its event will (idempotent with the event). */
  private applyLocal(e: { type: SyncEvent['type']; data: unknown }): void {
    this.onEvent({ seq: 0, at: Date.now(), ...e } as SyncEvent);
  }

  private onEphemeral(s: Ephemeral): void {
    if (s.type === 'typing') {
      let m = this.typing.get(s.conversationId);
      if (!m) this.typing.set(s.conversationId, (m = new Map()));
      m.set(s.userId, Date.now() + TYPING_TTL_MS);
    } else {
      this.presence.set(s.userId, s.status);
    }
    this.emit();
  }

  private expireTyping(): void {
    const now = Date.now();
    let changed = false;
    for (const m of this.typing.values()) {
      for (const [u, until] of m) if (until < now) { m.delete(u); changed = true; }
    }
    if (changed) this.emit();
  }

  private onOnline = () => { this.online = true; this.emit(); void this.outbox.flush(); };
  private onOffline = () => { this.online = false; this.emit(); };
  private onVisibility = () => { this.sub?.setPresence(document.visibilityState === 'hidden' ? 'away' : 'online'); };

  // ---- change notification ----

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getVersion = (): number => this.version;

  /** Coalesces bursts (a replay of thousands of events) into one render. */
  private emit(): void {
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.version++;
      for (const fn of this.listeners) fn();
      this.scheduleSave();
    }, 16);
  }

  private bumpMessages(conversationId: string): void {
    this.msgVersions.set(conversationId, (this.msgVersions.get(conversationId) ?? 0) + 1);
  }

  private cached<T>(key: string, v: number, make: () => T): T {
    const hit = this.cache.get(key);
    if (hit && hit.v === v) return hit.value as T;
    const value = make();
    this.cache.set(key, { v, value });
    return value;
  }

  // ---- reading ----

  /** Every conversation, with unread and mention counts that stay right before history is loaded. */
  conversations(): Conversation[] {
    return this.cached('convs', this.version, () => this.state.conversations().map((c) => this.display(c)));
  }

  conversation(id: string): Conversation | undefined {
    return this.conversations().find((c) => c.id === id);
  }

  /**
   * ClientState derives counts from the messages it holds. Until the loaded history reaches the
   * read marker, the server's count (from the list or the last conversation event) stands for
   * the part we have not loaded, and live messages after it are added.
   */
  private display(c: Conversation): Conversation {
    const base = this.base.get(c.id);
    if (!base) return c;
    const allRead = c.lastReadPosition >= base.lastPosition;
    if (!this.state.hasMessages(c.id)) return allRead ? { ...c, unreadCount: 0, mentionCount: 0 } : c;
    const t = this.timelines.get(c.id);
    if (allRead || (t && (!t.hasOlder || c.lastReadPosition >= t.start - 1))) return c;
    let unread = base.unreadCount, mentions = base.mentionCount;
    for (const m of this.state.messages(c.id)) {
      if (m.position <= base.lastPosition || m.authorId === this.me.id || m.deletedAt !== null || m.threadRootId !== null) continue;
      unread++;
      if (m.mentions.includes(this.me.id)) mentions++;
    }
    return { ...c, unreadCount: unread, mentionCount: mentions };
  }

  /** Top-level messages of a conversation, oldest first. */
  timeline(conversationId: string): Message[] {
    return this.cached(`tl:${conversationId}`, this.msgVersions.get(conversationId) ?? 0, () =>
      this.state.messages(conversationId).filter((m) => m.threadRootId === null));
  }

  /** Replies of a thread, oldest first. */
  thread(conversationId: string, rootId: string): Message[] {
    return this.cached(`th:${conversationId}:${rootId}`, this.msgVersions.get(conversationId) ?? 0, () =>
      this.state.messages(conversationId).filter((m) => m.threadRootId === rootId));
  }

  message(conversationId: string, id: string): Message | undefined {
    return this.state.messages(conversationId).find((m) => m.id === id);
  }

  /** Messages still in the outbox for this conversation (or thread), not yet seen back from the server. */
  pending(conversationId: string, threadRootId: string | null): OutboxItem[] {
    return this.cached(`pd:${conversationId}:${threadRootId ?? ''}`, this.version, () => this.pendingNow(conversationId, threadRootId));
  }

  private pendingNow(conversationId: string, threadRootId: string | null): OutboxItem[] {
    const items = this.outbox.items().filter((i) => i.conversationId === conversationId && i.threadRootId === threadRootId);
    if (!items.length) return items;
    const known = new Set(this.state.messages(conversationId).map((m) => m.clientId));
    return items.filter((i) => !known.has(i.clientId));
  }

  timelineMeta(conversationId: string): TimelineMeta | undefined {
    return this.timelines.get(conversationId);
  }

  user(id: string): User | undefined {
    return this.users.get(id);
  }

  presenceOf(id: string): User['presence'] {
    return this.presence.get(id) ?? this.users.get(id)?.presence ?? 'offline';
  }

  typingIn(conversationId: string): string[] {
    const m = this.typing.get(conversationId);
    return m ? [...m.keys()].filter((u) => u !== this.me.id) : [];
  }

  /** Member ids of a conversation (for @mention suggestions), fetched once per change. */
  members(conversationId: string): Promise<string[]> {
    let p = this.memberCache.get(conversationId);
    if (!p) {
      p = this.client.conversations.members(conversationId).then((r) => r.members.map((m) => m.userId));
      p.catch(() => this.memberCache.delete(conversationId));
      this.memberCache.set(conversationId, p);
    }
    return p;
  }

  // ---- history ----

  private loading = new Set<string>();

  /** Loads the newest page of a conversation once. */
  async ensureHistory(conversationId: string): Promise<void> {
    if (this.timelines.has(conversationId) || this.loading.has(conversationId)) return;
    this.loading.add(conversationId);
    try {
      const { messages, hasMore } = await this.client.messages.list(conversationId, { limit: 50 });
      this.addMessages(conversationId, messages);
      this.timelines.set(conversationId, { start: messages[0]?.position ?? 0, hasOlder: hasMore });
    } catch (err) {
      if (!isConclaveError(err, 'network', 'unavailable', 'aborted')) throw err;
    } finally {
      this.loading.delete(conversationId);
      this.emit();
    }
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(conversationId: string): Promise<void> {
    const t = this.timelines.get(conversationId);
    const key = `older:${conversationId}`;
    if (!t?.hasOlder || this.loading.has(key)) return;
    const oldest = this.timeline(conversationId)[0];
    if (!oldest) return;
    this.loading.add(key);
    try {
      const { messages, hasMore } = await this.client.messages.list(conversationId, { before: oldest.id, limit: 100 });
      this.addMessages(conversationId, messages);
      this.timelines.set(conversationId, { start: messages[0]?.position ?? t.start, hasOlder: hasMore });
    } catch { /* offline: try again on the next scroll */ } finally {
      this.loading.delete(key);
      this.emit();
    }
  }

  isLoadingOlder(conversationId: string): boolean {
    return this.loading.has(`older:${conversationId}`);
  }

  async loadThread(conversationId: string, rootId: string): Promise<void> {
    const [root, replies] = await Promise.all([
      this.client.messages.get(conversationId, rootId),
      this.client.messages.list(conversationId, { threadRootId: rootId, limit: 200 }),
    ]);
    this.addMessages(conversationId, [root.message, ...replies.messages]);
    this.emit();
  }

  /** Adds fetched messages we do not hold; held ones are kept current by events, so a page fetched earlier never rolls them back. */
  private addMessages(conversationId: string, list: Message[]): void {
    const have = new Set(this.state.messages(conversationId).map((m) => m.id));
    const fresh = list.filter((m) => !have.has(m.id));
    if (fresh.length || !this.state.hasMessages(conversationId)) this.state.loadMessages(fresh);
    this.bumpMessages(conversationId);
  }

  // ---- writing ----

  send(conversationId: string, text: string, mentions: string[], threadRootId: string | null): void {
    this.outbox.add({ clientId: newClientId(), userId: this.me.id, conversationId, text, mentions, threadRootId, createdAt: Date.now(), status: 'sending' });
  }

  async edit(conversationId: string, messageId: string, text: string, mentions: string[]): Promise<void> {
    const { message } = await this.client.messages.edit(conversationId, messageId, { text, mentions });
    this.applyLocal({ type: 'message.updated', data: { message } });
  }

  async remove(conversationId: string, messageId: string): Promise<void> {
    const { message } = await this.client.messages.delete(conversationId, messageId);
    this.applyLocal({ type: 'message.updated', data: { message } });
  }

  async toggleReaction(m: Message, emoji: string): Promise<void> {
    const mine = m.reactions.find((r) => r.emoji === emoji)?.userIds.includes(this.me.id);
    const { message } = mine
      ? await this.client.messages.unreact(m.conversationId, m.id, emoji)
      : await this.client.messages.react(m.conversationId, m.id, emoji);
    this.applyLocal({ type: 'message.updated', data: { message } });
  }

  /** Moves the read marker to the newest message (MSG-5); the server never moves it back. */
  markRead(conversationId: string): void {
    const c = this.conversation(conversationId);
    if (!c || c.lastPosition <= c.lastReadPosition) return;
    if ((this.readingAt.get(conversationId) ?? -1) >= c.lastPosition) return;
    this.readingAt.set(conversationId, c.lastPosition);
    this.client.conversations.markRead(conversationId, c.lastPosition).then(
      (r) => this.applyLocal({ type: 'read.updated', data: { conversationId, lastReadPosition: r.lastReadPosition } }),
      () => this.readingAt.delete(conversationId),
    );
  }

  sendTyping(conversationId: string): void {
    const now = Date.now();
    if (now - (this.typingSentAt.get(conversationId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    this.typingSentAt.set(conversationId, now);
    this.sub?.sendTyping(conversationId);
  }

  /** A conversation just created or joined over HTTP: show it before its event arrives. */
  addConversation(c: Conversation): void {
    this.base.set(c.id, c);
    this.applyLocal({ type: 'conversation.updated', data: { conversation: c } });
  }

  // ---- snapshot ----

  private hydrate(s: Snapshot): void {
    this.me = { ...s.me, ...this.me };
    this.state.loadConversations(s.conversations);
    this.state.loadMessages(s.messages);
    this.base = new Map(s.base.map((c) => [c.id, c]));
    this.timelines = new Map(s.timelines);
    for (const u of s.users) this.users.set(u.id, u);
    this.users.set(this.me.id, this.me);
  }

  private scheduleSave(): void {
    if (this.saveTimer || !this.ready) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = null; void this.saveSnapshot(); }, 2000);
  }

  private async saveSnapshot(): Promise<void> {
    const seq = this.sub?.lastSeq;
    if (!this.ready || seq === null || seq === undefined) return;
    const messages: Message[] = [];
    const timelines: [string, TimelineMeta][] = [];
    for (const c of this.state.conversations()) {
      const all = this.state.messages(c.id);
      const kept = all.slice(-SNAPSHOT_MESSAGES);
      messages.push(...kept);
      const t = this.timelines.get(c.id);
      if (t && kept.length) {
        const start = kept.find((m) => m.threadRootId === null)?.position ?? t.start;
        timelines.push([c.id, { start, hasOlder: t.hasOlder || kept.length < all.length }]);
      }
    }
    const snap: Snapshot = {
      userId: this.me.id, seq, savedAt: Date.now(), me: this.me,
      conversations: this.state.conversations(), base: [...this.base.values()], messages, users: [...this.users.values()], timelines,
    };
    await idb.put('snapshot', snap).catch(() => undefined);
  }
}
