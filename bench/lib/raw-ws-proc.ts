/**
 * Child process: the RAW BASELINE — a bare `ws` WebSocketServer on a bare node:http server,
 * no framework, no auth, no database. It mirrors only the wire behaviour of Conclave's
 * fan-out: POST /send {text, clientId} answers 201 with the message, then sends every
 * connected socket the same event frame Conclave would (same JSON shape and size, own per-
 * socket seq), serialising the payload once. Sockets at /ws get a hello frame and then idle.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveIpc, settledMemory } from './child';
import { ulid } from './ulid';

export interface RawInfo { url: string; pid: number }

interface Client { ws: WebSocket; seq: number }

/** Same format as the server's hub.ts eventFrame(): one serialised payload, many recipients. */
function eventFrame(seq: number, type: string, at: number, dataJson: string): string {
  return `{"type":"event","event":{"seq":${seq},"type":${JSON.stringify(type)},"at":${at},"data":${dataJson}}}`;
}

const clients = new Set<Client>();
let template: Record<string, unknown> = {
  id: '', conversationId: ulid(), clientId: '', position: 0, authorId: ulid(), encryption: 'server', text: '', ciphertext: null,
  mentions: [], threadRootId: null, thread: null, reactions: [], createdAt: 0, editedAt: null, deletedAt: null,
};
let position = 0;

function broadcast(message: Record<string, unknown>, at: number): void {
  const data = JSON.stringify({ message });
  for (const c of clients) c.ws.send(eventFrame(++c.seq, 'message.created', at, data));
}

const httpServer = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/send') { res.writeHead(404).end(); return; }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string; clientId: string };
    const at = Date.now();
    const message = { ...template, id: ulid(at), clientId: body.clientId, position: ++position, text: body.text, createdAt: at };
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
    // Like Conclave's publisher: fan-out happens after the answer, off the request path.
    setImmediate(() => broadcast(message, at));
  });
});
const wss = new WebSocketServer({ server: httpServer, path: '/ws' });
wss.on('connection', (ws) => {
  const c: Client = { ws, seq: 0 };
  clients.add(c);
  ws.on('close', () => clients.delete(c));
  ws.on('error', () => ws.terminate());
  ws.send(JSON.stringify({ type: 'hello', userId: 'raw', sessionId: 'raw', seq: 0, resumedFrom: null }));
});

httpServer.listen(0, '127.0.0.1', () => {
  const addr = httpServer.address() as { port: number };
  serveIpc({
    template: async (a) => { template = a.message as Record<string, unknown>; return { ok: true }; },
    mem: async () => ({ ...(await settledMemory()), connections: clients.size }),
  }, async () => {
    for (const c of clients) c.ws.terminate();
    await new Promise<void>((r) => httpServer.close(() => r()));
  });
  process.send!({ type: 'ready', info: { url: `http://127.0.0.1:${addr.port}`, pid: process.pid } satisfies RawInfo });
});
