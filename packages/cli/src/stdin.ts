/** Reading a secret from stdin: all of it from a pipe, or one hidden line from a terminal. */
import { CliError, EXIT } from './errors';
import type { CliIO } from './spec';

/**
 * Reads the password for `--password-stdin`. From a pipe or file: everything up to EOF, with
 * trailing newlines removed (so `echo "$PW" | conclave …` works). From a terminal: one line,
 * not echoed.
 */
export async function readSecret(io: CliIO, prompt: string): Promise<string> {
  const { stdin } = io;
  if (stdin.isTTY && typeof (stdin as { setRawMode?: unknown }).setRawMode === 'function') return readHiddenLine(io, prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
}

function readHiddenLine(io: CliIO, prompt: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError(EXIT.unexpected, 'interrupted'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
