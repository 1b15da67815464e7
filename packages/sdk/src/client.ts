import type { BodyOf, QueryOf, ResponseOf } from '@conclave/protocol';
import { ArchiveApi } from './archive';
import { ConclaveError, isConclaveError } from './errors';
import { HttpTransport, type FetchLike } from './http';
import { RealtimeSubscription, type EventHandler, type SubscribeOptions, type Subscription, type SyncPage } from './realtime';
import { resolveWebSocket, type WebSocketConstructor } from './socket';
import { ediscoveryApi } from './ediscovery';
import { dsarGroup } from './dsar';
import { filesGroup } from './files';
import { webauthnGroup } from './webauthn';

/** Options of {@link ConclaveClient}. */
export interface ConclaveClientOptions {
  /** Server origin, optionally with a path prefix: `https://chat.example.com`. In a browser a relative value ('' or '/chat') resolves against the page. */
  baseUrl: string;
  /** A token from an earlier `login()`, to resume a session without logging in again. */
  token?: string | null;
  /** WebSocket constructor. Default: `globalThis.WebSocket`, else the `ws` package (Node 20). */
  WebSocket?: WebSocketConstructor;
  /** fetch implementation. Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Check every response against the protocol's zod schemas (for tests and debugging; costs CPU). */
  validateResponses?: boolean;
  /** Per-request timeout in ms, reported as a `network` error. Default 30 000; 0 disables. */
  timeoutMs?: number;
  /** How `messages.send` retries transport failures. Default: 3 retries, 250 ms doubling. */
  sendRetry?: { retries?: number; baseDelayMs?: number };
}

/** Input of `messages.send`: the request body with `clientId` optional (generated when missing). */
export type SendMessageInput = Omit<BodyOf<'sendMessage'>, 'clientId'> & { clientId?: string };
/** Input of `messages.edit`: new text, or the full body (ciphertext, mentions). */
export type EditMessageInput = string | BodyOf<'editMessage'>;
/** Optional second factor for `login`: a TOTP code, a recovery code, or a security-key response (`client.webauthn`). */
export interface LoginOptions { totp?: string; recoveryCode?: string; webauthn?: BodyOf<'login'>['webauthn'] }

/**
 * Typed client for one Conclave server: HTTP resources grouped by domain, plus a resumable
 * realtime subscription. Works in Node ≥ 20 (ESM) and browsers.
 *
 * @example
 * const client = new ConclaveClient({ baseUrl: 'https://chat.example.com' });
 * await client.login('ada@example.com', 'correct horse');
 * const { conversation } = await client.conversations.create({ kind: 'channel', name: 'general' });
 * await client.messages.send(conversation.id, { text: 'hello' });
 */
export class ConclaveClient {
  /** The HTTP transport; `client.http.request(name, args)` reaches any endpoint of api.ts by name. */
  readonly http: HttpTransport;
  private readonly wsCtor: WebSocketConstructor | undefined;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly subscriptions = new Set<Subscription>();

  constructor(opts: ConclaveClientOptions) {
    this.http = new HttpTransport(opts);
    this.wsCtor = opts.WebSocket;
    this.retries = opts.sendRetry?.retries ?? 3;
    this.retryBaseMs = opts.sendRetry?.baseDelayMs ?? 250;
  }

  /** The bearer token in use (null when logged out). Assigning it switches sessions for later calls and reconnects. */
  get token(): string | null {
    return this.http.token;
  }
  set token(value: string | null) {
    this.http.token = value;
  }

  /** Same as assigning {@link token}. */
  setToken(token: string | null): void {
    this.http.token = token;
  }

  /** Logs in and keeps the returned token for every later call. Shortcut for `auth.login`. */
  login(email: string, password: string, opts: LoginOptions = {}): Promise<ResponseOf<'login'>> {
    return this.auth.login(email, password, opts);
  }

  /** Authentication, password and MFA. */
  readonly auth = {
    /** Logs in (with `totp`, `webauthn` or `recoveryCode` when MFA is on; `mfa_required` tells you it is, and which) and stores the token. */
    login: async (email: string, password: string, opts: LoginOptions = {}): Promise<ResponseOf<'login'>> => {
      const res = await this.http.request('login', { body: { email, password, ...opts } });
      this.http.token = res.token;
      return res;
    },
    /** Revokes this session server-side and forgets the token (even if the server call fails: the token is unusable either way). */
    logout: async (): Promise<ResponseOf<'logout'>> => {
      try {
        return await this.http.request('logout');
      } finally {
        this.http.token = null;
      }
    },
    /** Changes your password; your other sessions are revoked, this one stays. */
    changePassword: (currentPassword: string, newPassword: string) =>
      this.http.request('changePassword', { body: { currentPassword, newPassword } }),
    /** TOTP second factor. */
    totp: {
      /** Starts enrolment: secret, otpauth URI and QR code to show the user. */
      enroll: () => this.http.request('totpEnroll'),
      /** Finishes enrolment with a current code; returns one-time recovery codes (show them once). */
      confirm: (code: string) => this.http.request('totpConfirm', { body: { code } }),
      /** Turns TOTP off (refused when your role requires MFA). */
      disable: (password: string) => this.http.request('totpDisable', { body: { password } }),
    },
    /** Replaces your recovery codes (needs an MFA-verified session). */
    regenerateRecoveryCodes: () => this.http.request('regenerateRecoveryCodes'),
  };

  /** You: profile, session, permissions and your sessions. */
  readonly me = {
    /** Your user, session, capabilities and the org limits that matter to a client. */
    get: () => this.http.request('me'),
    sessions: () => this.http.request('listMySessions'),
    revokeSession: (sessionId: string) => this.http.request('revokeMySession', { params: { id: sessionId } }),
  };

  /** The directory, and user administration (admin permissions required for writes). */
  readonly users = {
    list: (query?: QueryOf<'listUsers'>) => this.http.request('listUsers', { query }),
    get: (id: string) => this.http.request('getUser', { params: { id } }),
    /** Without `password` the server generates a one-time password and returns it once. */
    create: (body: BodyOf<'createUser'>) => this.http.request('createUser', { body }),
    update: (id: string, body: BodyOf<'updateUser'>) => this.http.request('updateUser', { params: { id }, body }),
    /** Offboards a user: every session revoked and every socket closed at once. */
    deactivate: (id: string) => this.http.request('deactivateUser', { params: { id } }),
    reactivate: (id: string) => this.http.request('reactivateUser', { params: { id } }),
    sessions: (id: string) => this.http.request('listUserSessions', { params: { id } }),
    revokeSession: (id: string, sessionId: string) => this.http.request('revokeUserSession', { params: { id, sessionId } }),
  };

  /** Organisation settings (admin). */
  readonly org = {
    getSettings: () => this.http.request('getOrgSettings'),
    updateSettings: (body: BodyOf<'updateOrgSettings'>) => this.http.request('updateOrgSettings', { body }),
    /** Replaces the ordered confidentiality level list (ACL-2): add, relabel, reorder, remove unused levels. */
    updateLevels: (body: BodyOf<'updateLevels'>) => this.http.request('updateLevels', { body }),
  };

  /** Data governance (GOV-1, GOV-2): retention, legal holds, runs and signed deletion receipts (compliance officers). */
  readonly governance = {
    policies: () => this.http.request('listRetentionPolicies'),
    setPolicy: (body: BodyOf<'setRetentionPolicy'>) => this.http.request('setRetentionPolicy', { body }),
    deletePolicy: (id: string) => this.http.request('deleteRetentionPolicy', { params: { id } }),
    setMinimum: (level: string, minDays: number) => this.http.request('setRetentionMinimum', { params: { level }, body: { minDays } }),
    deleteMinimum: (level: string) => this.http.request('deleteRetentionMinimum', { params: { level } }),
    /** Which retention applies to a conversation, and why. */
    effective: (conversationId: string) => this.http.request('effectiveRetention', { params: { conversationId } }),
    preview: () => this.http.request('previewRetention'),
    startRun: () => this.http.request('startRetentionRun', { body: {} }),
    runs: () => this.http.request('listRetentionRuns'),
    run: (id: string) => this.http.request('getRetentionRun', { params: { id } }),
    holds: () => this.http.request('listLegalHolds'),
    createHold: (body: BodyOf<'createLegalHold'>) => this.http.request('createLegalHold', { body }),
    releaseHold: (id: string, reason: string) => this.http.request('releaseLegalHold', { params: { id }, body: { reason } }),
    receipts: () => this.http.request('listDeletionReceipts'),
    /** The signed receipt, ready for `conclave governance verify-receipt`. */
    receipt: (id: string) => this.http.request('getDeletionReceipt', { params: { id } }),
    /** Every outbound destination the server may contact (GOV-4). */
    outbound: () => this.http.request('listOutbound'),
  };

  /** Conversations: DMs, private groups and channels. */
  readonly conversations = {
    /** Creates a DM (idempotent per pair), group or channel. */
    create: (body: BodyOf<'createConversation'>) => this.http.request('createConversation', { body }),
    /** Conversations you are a member of. */
    list: (query?: QueryOf<'listConversations'>) => this.http.request('listConversations', { query }),
    /** Channels you may join. */
    browse: (query?: QueryOf<'browseChannels'>) => this.http.request('browseChannels', { query }),
    get: (id: string) => this.http.request('getConversation', { params: { id } }),
    /** Rename, set topic (null clears it), archive or unarchive. */
    update: (id: string, body: BodyOf<'updateConversation'>) => this.http.request('updateConversation', { params: { id }, body }),
    members: (id: string) => this.http.request('listMembers', { params: { id } }),
    addMembers: (id: string, userIds: string[]) => this.http.request('addMembers', { params: { id }, body: { userIds } }),
    updateMember: (id: string, userId: string, role: BodyOf<'updateMember'>['role']) =>
      this.http.request('updateMember', { params: { id, userId }, body: { role } }),
    removeMember: (id: string, userId: string) => this.http.request('removeMember', { params: { id, userId } }),
    join: (id: string) => this.http.request('joinChannel', { params: { id } }),
    leave: (id: string) => this.http.request('leaveConversation', { params: { id } }),
    /** Moves your read marker to message `position` (the server never moves it backwards). */
    markRead: (id: string, position: number) => this.http.request('markRead', { params: { id }, body: { position } }),
  };

  /** Messages inside a conversation. */
  readonly messages = {
    /**
     * Sends a message. A `clientId` is generated when missing; transport failures (`network`,
     * `unavailable`) are retried up to 3 times with the same clientId, which the server uses to return the
     * already-stored message instead of storing a duplicate. `restrictions: { noForward, noCopy,
     * noDownload }` adds per-message DLP-1 restrictions on top of the level's (never lifted later).
     */
    send: (conversationId: string, input: SendMessageInput): Promise<ResponseOf<'sendMessage'>> => {
      const body = { ...input, clientId: input.clientId ?? newClientId() } as BodyOf<'sendMessage'>;
      return this.withRetry(() => this.http.request('sendMessage', { params: { id: conversationId }, body }));
    },
    /** Newest last; page with `before` / `after` (message ids) and `limit`; `threadRootId` lists a thread. */
    list: (conversationId: string, query?: QueryOf<'listMessages'>) =>
      this.http.request('listMessages', { params: { id: conversationId }, query }),
    get: (conversationId: string, messageId: string) =>
      this.http.request('getMessage', { params: { id: conversationId, messageId } }),
    /** Edits your message; pass the new text, or a body with ciphertext / mentions. */
    edit: (conversationId: string, messageId: string, input: EditMessageInput) =>
      this.http.request('editMessage', {
        params: { id: conversationId, messageId },
        body: typeof input === 'string' ? { text: input } : input,
      }),
    /** Deletes a message: content and history are erased, a tombstone is returned. */
    delete: (conversationId: string, messageId: string) =>
      this.http.request('deleteMessage', { params: { id: conversationId, messageId } }),
    /** Earlier versions of an edited message, as the org's policy allows. */
    history: (conversationId: string, messageId: string) =>
      this.http.request('messageHistory', { params: { id: conversationId, messageId } }),
    /** Adds your reaction (idempotent). */
    react: (conversationId: string, messageId: string, emoji: string) =>
      this.http.request('addReaction', { params: { id: conversationId, messageId, emoji } }),
    unreact: (conversationId: string, messageId: string, emoji: string) =>
      this.http.request('removeReaction', { params: { id: conversationId, messageId, emoji } }),
  };

  /** Files (MSG-2): upload, download, preview, thumbnail, and short-lived signed links. */
  readonly files = filesGroup(this);

  /** Data-subject requests (GOV-3): export or erase your own data; officers decide. */
  readonly dsar = dsarGroup(this);

  /** WebAuthn security keys (IAM-1): register, list, rename, remove; second factor at login. */
  readonly webauthn = webauthnGroup(this);

  /** eDiscovery exports (GOV-5, compliance officers): request, approve, download once. */
  readonly ediscovery = ediscoveryApi(this);

  /**
   * E2EE compliance archive (GOV-5): sealing sends in archived conversations, officer keys, the
   * k-of-n setup ceremony, and decryption requests — every private-key step runs on this device.
   */
  readonly archive: ArchiveApi = new ArchiveApi(this);

  /**
   * Durable events after `since`, in seq order. One page: while `hasMore`, call again with the
   * returned `seq`. `reset: true` means your state is too old: refetch it, then continue from `seq`.
   */
  sync(since: number, limit?: number): Promise<SyncPage> {
    return this.http.request('sync', { query: { since, limit } }) as Promise<SyncPage>;
  }

  /**
   * Opens a realtime subscription. The handler receives every durable event exactly once, in
   * strictly increasing seq order, across reconnects (see README "Realtime"). Without
   * `opts.since` delivery starts at the server's current seq: only events from now on.
   * @throws ConclaveError `unauthenticated` when not logged in.
   */
  subscribe(handler: EventHandler, opts: SubscribeOptions = {}): Subscription {
    if (!this.http.token) throw new ConclaveError('unauthenticated', 'log in (or set a token) before subscribing');
    if (this.http.closed) throw new ConclaveError('aborted', 'the client is closed');
    const sub: RealtimeSubscription = new RealtimeSubscription(
      {
        baseUrl: this.http.baseUrl,
        getToken: () => this.http.token,
        sync: (since, limit, signal) => this.http.request('sync', { query: { since, limit }, signal }) as Promise<SyncPage>,
        checkAuth: async (signal) => {
          try {
            await this.http.request('me', { signal });
            return true;
          } catch (err) {
            return !isConclaveError(err, 'unauthenticated');
          }
        },
        resolveWebSocket: () => resolveWebSocket(this.wsCtor),
      },
      handler,
      opts,
      () => this.subscriptions.delete(sub),
    );
    this.subscriptions.add(sub);
    return sub;
  }

  /**
   * Closes every subscription and aborts in-flight requests (pending send retries included),
   * so a Node process can exit. The client cannot be used afterwards.
   */
  close(): void {
    for (const sub of [...this.subscriptions]) sub.close();
    this.subscriptions.clear();
    this.http.close();
  }

  /**
   * Retries only failures where the request may never have reached the server (or the server
   * was briefly away). Repeating is safe because the clientId makes the send idempotent; other
   * answers (4xx, 500) would only fail again.
   */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const transient = isConclaveError(err, 'network', 'unavailable');
        if (!transient || attempt >= this.retries || this.http.closed) throw err;
        await sleep(this.retryBaseMs * 2 ** attempt, this.http.signal);
        if (this.http.closed) throw new ConclaveError('aborted', 'the client was closed during a retry', { cause: err });
      }
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts, so close() never waits on a backoff timer. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A UUID v4; falls back to getRandomValues where randomUUID is missing (non-secure browser contexts). */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
