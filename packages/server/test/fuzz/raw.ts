/**
 * Requests fetch cannot make: broken HTTP framing, raw non-ASCII bytes in the request line
 * and headers. Written to a plain TCP socket; the answer is read until the server closes.
 */
import net from 'node:net';

export interface RawCase {
  label: string;
  bytes: Buffer;
}

export interface RawAnswer {
  status: number;
  body: string;
  error?: string;
}

const b = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

export function rawCases(token: string): RawCase[] {
  const auth = `Authorization: Bearer ${token}\r\n`;
  return [
    { label: 'GET with a JSON body', bytes: b(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`) },
    { label: 'latin-1 bytes in the Authorization header', bytes: b('GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ', [0xff, 0xfe, 0xe9], '\r\nConnection: close\r\n\r\n') },
    { label: 'non-numeric Content-Length', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}`) },
    { label: 'Content-Length and Transfer-Encoding together', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`) },
    { label: 'garbage chunk size', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`) },
    { label: 'chunked body with invalid UTF-8', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\n`, [0xff, 0xfe, 0xc3], '\r\n0\r\n\r\n') },
    { label: 'raw 0xff bytes in the path', bytes: b('GET /api/v1/users/', [0xff, 0xfe], ` HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'raw UTF-8 in the path', bytes: b('GET /api/v1/users/', [0xe2, 0x80, 0xae, 0xf0, 0x9f, 0x98, 0x80], ` HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'unknown method', bytes: b(`FOO /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'header line without a colon', bytes: b(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nGarbage\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'absolute-form request target', bytes: b(`GET http://evil.example/api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'asterisk request target', bytes: b(`GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`) },
    { label: 'HTTP/1.0 without Host', bytes: b(`GET /api/v1/me HTTP/1.0\r\n${auth}\r\n`) },
    { label: 'bad percent-encoding in the query', bytes: b(`GET /api/v1/conversations?%%=%zz HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'bad percent-encoding in the path', bytes: b(`GET /api/v1/conversations/%zz%/messages HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'NUL in the path', bytes: b('GET /api/v1/users/', [0x00], ` HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'body shorter than Content-Length, then half-close', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":`) },
    { label: 'duplicate Content-Type headers', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`) },
    { label: 'duplicate Authorization headers', bytes: b(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Authorization: Bearer other\r\nConnection: close\r\n\r\n`) },
    { label: 'request line above the 16 KiB header limit', bytes: b(`GET /api/v1/users?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`) },
    { label: 'Expect: 100-continue with a huge declared body', bytes: b(`POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`) },
  ];
}

/** Sends `bytes`, half-closes, and collects the first response until the socket closes. */
export function sendRaw(port: number, bytes: Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect({ host: '127.0.0.1', port }, () => { sock.write(bytes); sock.end(); });
    const done = (error?: string) => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.[01] 1\d\d[^\r]*\r\n\r\n)+/, '');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const sep = text.indexOf('\r\n\r\n');
      let body = sep >= 0 ? text.slice(sep + 4) : '';
      if (/transfer-encoding: chunked/i.test(text.slice(0, sep))) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status: m ? Number(m[1]) : 0, body: Buffer.from(body, 'latin1').toString('utf8'), error });
    };
    const timer = setTimeout(() => done('timed out'), timeoutMs);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => done());
    sock.on('close', () => done());
    sock.on('error', (e) => done(e.message));
  });
}
