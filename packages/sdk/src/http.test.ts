import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '@conclave/protocol';
import { ConclaveClient } from './client';
import { ConclaveError, isConclaveError } from './errors';
import { buildPath, buildQuery, errorFromResponse } from './http';
import { buildWsUrl } from './socket';
import { GOOD_TOKEN, startFakeServer, type FakeServer } from '../test/fake-server';

const CONV = '01HZY0000000000000000000AA';
const MSG = '01HZY0000000000000000000BB';

function message(clientId: string): Message {
  return {
    id: MSG, conversationId: CONV, clientId, position: 1, authorId: '01HZY0000000000000000000CC', encryption: 'server',
    text: 'hi', ciphertext: null, mentions: [], threadRootId: null, thread: null, reactions: [],
    createdAt: 1, editedAt: null, deletedAt: null, restrictions: { noForward: false, noCopy: false, noDownload: false },
  };
}

describe('URL building', () => {
  it('fills and encodes path params', () => {
    expect(buildPath('/api/v1/conversations/:id/messages/:messageId/reactions/:emoji', { id: CONV, messageId: MSG, emoji: '👍 a/b' }))
      .toBe(`/api/v1/conversations/${CONV}/messages/${MSG}/reactions/%F0%9F%91%8D%20a%2Fb`);
  });

  it('refuses a missing path param instead of sending "undefined"', () => {
    expect(() => buildPath('/api/v1/users/:id', {})).toThrow(ConclaveError);
    try {
      buildPath('/api/v1/users/:id', { id: '' });
    } catch (err) {
      expect(isConclaveError(err, 'invalid_argument')).toBe(true);
    }
  });

  it('serialises query values and leaves out undefined ones', () => {
    expect(buildQuery({ since: 5, limit: undefined, q: 'a b&c' })).toBe('?since=5&q=a+b%26c');
    expect(buildQuery({ limit: undefined })).toBe('');
    expect(buildQuery(undefined)).toBe('');
  });

  it('rejects a base URL that is not absolute http(s)', () => {
    expect(() => new ConclaveClient({ baseUrl: 'chat.example.com' })).toThrow(/absolute http/);
    expect(() => new ConclaveClient({ baseUrl: 'ftp://chat.example.com' })).toThrow(ConclaveError);
  });

  it('derives the WebSocket URL from the base URL, keeping a path prefix', () => {
    expect(buildWsUrl('https://chat.example.com/conclave/', 't k', 7)).toBe('wss://chat.example.com/conclave/api/v1/ws?token=t+k&since=7');
    expect(buildWsUrl('http://localhost:3000', 'tok', null)).toBe('ws://localhost:3000/api/v1/ws?token=tok');
  });
});

describe('error parsing', () => {
  it('keeps the server code, message, status and details', () => {
    const err = errorFromResponse(429, { error: { code: 'rate_limited', message: 'slow down', details: { retryAfterMs: 1500 } } });
    expect(err).toBeInstanceOf(ConclaveError);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, message: 'slow down', details: { retryAfterMs: 1500 } });
    expect(err.retryAfterMs).toBe(1500);
  });

  it('maps a non-JSON gateway error to unavailable and anything else to bad_response', () => {
    expect(errorFromResponse(502, undefined, '<html>bad gateway</html>')).toMatchObject({ code: 'unavailable', status: 502 });
    expect(errorFromResponse(500, undefined, 'oops')).toMatchObject({ code: 'bad_response', status: 500 });
  });
});

describe('HTTP against a fake server', () => {
  let fake: FakeServer;
  let client: ConclaveClient;

  beforeEach(async () => {
    fake = await startFakeServer();
    client = new ConclaveClient({ baseUrl: `${fake.baseUrl}/`, sendRetry: { baseDelayMs: 5 } });
  });

  afterEach(async () => {
    client.close();
    await fake.close();
  });

  it('logs in, stores the token and sends it as a bearer header afterwards', async () => {
    fake.onHttp = (req, res) => {
      if (req.url.pathname !== '/api/v1/auth/login') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: GOOD_TOKEN, user: {}, session: {} }));
      return true;
    };
    await client.login('ada@example.com', 'pw', { totp: '123456' });
    expect(client.token).toBe(GOOD_TOKEN);
    const login = fake.requests[0];
    expect(login.method).toBe('POST');
    expect(login.headers.authorization).toBeUndefined();
    expect(login.headers['content-type']).toBe('application/json');
    expect(JSON.parse(login.body)).toEqual({ email: 'ada@example.com', password: 'pw', totp: '123456' });

    await expect(client.conversations.get(CONV)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    const get = fake.requests[1];
    expect(get.headers.authorization).toBe(`Bearer ${GOOD_TOKEN}`);
    expect(get.url.pathname).toBe(`/api/v1/conversations/${CONV}`);
    expect(get.body).toBe('');
  });

  it('builds method, path and query from the endpoint table', async () => {
    client.token = GOOD_TOKEN;
    await client.messages.list(CONV, { limit: 50, before: MSG }).catch(() => {});
    await client.messages.react(CONV, MSG, '🎉').catch(() => {});
    await client.conversations.join(CONV).catch(() => {});
    const [list, react, join] = fake.requests;
    expect(list.method).toBe('GET');
    expect(list.url.pathname + list.url.search).toBe(`/api/v1/conversations/${CONV}/messages?limit=50&before=${MSG}`);
    expect(react.method).toBe('PUT');
    expect(react.url.pathname).toBe(`/api/v1/conversations/${CONV}/messages/${MSG}/reactions/%F0%9F%8E%89`);
    // Endpoints with an (optional) empty body get `{}`, so JSON body parsers never see an empty payload.
    expect(join.method).toBe('POST');
    expect(join.body).toBe('{}');
  });

  it('turns an error body into a ConclaveError with details', async () => {
    fake.onHttp = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'validation_failed', message: 'text: too long', details: { issues: [{ path: ['text'] }] } } }));
      return true;
    };
    const err = await client.messages.send(CONV, { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConclaveError);
    expect(err).toMatchObject({ code: 'validation_failed', status: 400, message: 'text: too long', details: { issues: [{ path: ['text'] }] } });
    expect(fake.requests).toHaveLength(1); // a server answer is not retried
  });

  it('reports an unreachable server as a network error', async () => {
    const dead = new ConclaveClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(dead.me.get()).rejects.toMatchObject({ code: 'network', status: 0 });
  });

  it('retries a send after a transport failure with the same clientId', async () => {
    let attempts = 0;
    fake.onHttp = (req, res) => {
      attempts++;
      if (attempts === 1) {
        res.socket?.destroy(); // the request may or may not have been applied: the client cannot tell
        return true;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: message((JSON.parse(req.body) as { clientId: string }).clientId) }));
      return true;
    };
    const { message: sent } = await client.messages.send(CONV, { text: 'hi' });
    expect(attempts).toBe(2);
    const ids = fake.requests.map((r) => (JSON.parse(r.body) as { clientId: string }).clientId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(sent.clientId).toBe(ids[0]);
  });

  it('keeps a caller-given clientId and gives up after 3 retries', async () => {
    fake.onHttp = (_req, res) => {
      res.socket?.destroy();
      return true;
    };
    const err = await client.messages.send(CONV, { text: 'hi', clientId: 'my-id-1' }).catch((e: unknown) => e);
    expect(isConclaveError(err, 'network')).toBe(true);
    expect(fake.requests.map((r) => (JSON.parse(r.body) as { clientId: string }).clientId)).toEqual(['my-id-1', 'my-id-1', 'my-id-1', 'my-id-1']);
  });

  it('validates responses only when asked to', async () => {
    fake.onHttp = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ conversation: { id: 'not-a-ulid' } }));
      return true;
    };
    await expect(client.conversations.get(CONV)).resolves.toEqual({ conversation: { id: 'not-a-ulid' } });
    const strict = new ConclaveClient({ baseUrl: fake.baseUrl, validateResponses: true });
    await expect(strict.conversations.get(CONV)).rejects.toMatchObject({ code: 'bad_response', status: 200 });
  });

  it('times out a hung request as a network error, and close() aborts in-flight requests', async () => {
    fake.onHttp = () => true; // never answers
    const slow = new ConclaveClient({ baseUrl: fake.baseUrl, timeoutMs: 50 });
    await expect(slow.me.get()).rejects.toMatchObject({ code: 'network' });
    const pending = client.me.get();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await expect(client.me.get()).rejects.toMatchObject({ code: 'aborted' });
  });

  it('forgets the token on logout even when the server call fails', async () => {
    client.token = GOOD_TOKEN;
    await client.auth.logout().catch(() => {});
    expect(client.token).toBeNull();
  });
});

describe('request typing', () => {
  it('requires exactly what api.ts declares (checked by tsc, never run)', () => {
    const typeOnly = (c: ConclaveClient) => {
      void c.http.request('me');
      void c.http.request('getUser', { params: { id: CONV } });
      void c.http.request('sync', { query: { since: 0 } });
      void c.http.request('listUsers');
      // @ts-expect-error getUser needs params.id
      void c.http.request('getUser');
      // @ts-expect-error the body of markRead needs a position
      void c.http.request('markRead', { params: { id: CONV }, body: {} });
      // @ts-expect-error no such endpoint
      void c.http.request('nope');
      // @ts-expect-error mentions must be a list of ids
      void c.messages.send(CONV, { text: 'x', mentions: 'a' });
    };
    expect(typeof typeOnly).toBe('function');
  });
});
