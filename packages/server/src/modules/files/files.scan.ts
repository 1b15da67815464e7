/**
 * Malware scanning hook (MSG-2): every completed upload passes a scanner before it becomes
 * visible. With CONCLAVE_CLAMD_URL set, content is streamed to clamd (INSTREAM); without it
 * only the built-in block list applies. A scanner that cannot be reached fails closed.
 */
import net from 'node:net';

export interface ScanResult { clean: boolean; signature?: string }

export interface FileScanner {
  readonly name: string;
  scan(chunks: AsyncIterable<Uint8Array>): Promise<ScanResult>;
}

/** No scanner configured: the block list and sniffing are the only checks. */
export const noScanner: FileScanner = { name: 'none', scan: async () => ({ clean: true }) };

/** clamd over TCP, INSTREAM command (chunks framed by a 4-byte big-endian length, ended by 0). */
export class ClamdScanner implements FileScanner {
  readonly name = 'clamd';
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, private readonly timeoutMs = 30_000) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  scan(chunks: AsyncIterable<Uint8Array>): Promise<ScanResult> {
    return new Promise<ScanResult>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      let reply = '';
      let done = false;
      const finish = (err: Error | null, res?: ScanResult) => {
        if (done) return;
        done = true;
        socket.destroy();
        if (err) reject(err);
        else resolve(res!);
      };
      socket.setTimeout(this.timeoutMs, () => finish(new Error('clamd timed out')));
      socket.on('error', (err) => finish(err));
      socket.on('data', (d) => { reply += d.toString('utf8'); });
      socket.on('end', () => {
        const text = reply.replace(/\0/g, '').trim();
        const found = /^stream: (.+) FOUND$/.exec(text);
        if (found) return finish(null, { clean: false, signature: found[1] });
        if (/^stream: OK$/.test(text)) return finish(null, { clean: true });
        finish(new Error(`clamd answered "${text.slice(0, 100)}"`));
      });
      socket.on('connect', async () => {
        try {
          socket.write('zINSTREAM\0');
          for await (const c of chunks) {
            for (let i = 0; i < c.length; i += 64 * 1024) {
              const part = c.subarray(i, i + 64 * 1024);
              const len = Buffer.alloc(4);
              len.writeUInt32BE(part.length);
              if (!socket.write(Buffer.concat([len, part]))) await new Promise((r) => socket.once('drain', r));
            }
          }
          socket.write(Buffer.alloc(4));
        } catch (err) {
          finish(err as Error);
        }
      });
    });
  }
}
