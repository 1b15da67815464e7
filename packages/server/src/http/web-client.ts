/**
 * Serves the built web client (packages/web/dist, or CONCLAVE_WEB_DIR) from the same origin as
 * the API: static files with long-lived caching for hashed assets, and index.html for client
 * routes (/c/…, /admin/…, /settings/…) — the SPA fallback. Every page carries a strict
 * Content-Security-Policy (scripts only from this origin, no framing) because the client holds
 * session tokens and decrypted E2EE content (SECURITY.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../kernel/errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

/** The page's CSP: React sets inline style attributes, hence style 'unsafe-inline'; never for scripts. */
export const WEB_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "font-src 'self' data:", "connect-src 'self'", "worker-src 'self'", "manifest-src 'self'", "media-src 'self' blob:",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the server, never to the web client (a miss there is a JSON 404). */
function isServerPath(p: string): boolean {
  return p === '/api' || p.startsWith('/api/') || p === '/healthz' || p === '/readyz' || p === '/metrics';
}

/** True when `dir` holds a built client (index.html). */
export function webClientBuilt(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

/** Registers GET / and the catch-all GET route serving `dir`. */
export function registerWebClient(app: FastifyInstance, dir: string): void {
  const root = path.resolve(dir);
  const handler = async (url: string, reply: FastifyReply) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.split('?')[0]!);
    } catch {
      throw new AppError('bad_request', 'the request path is not valid (bad percent-encoding)');
    }
    if (isServerPath(pathname)) throw new AppError('not_found', `no route GET ${pathname}`);
    if (pathname.includes('\0')) throw new AppError('bad_request', 'the request path contains a NUL byte');
    const file = path.join(root, path.normalize(pathname));
    const inside = file === root || file.startsWith(root + path.sep);
    const stat = inside ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    if (stat?.isFile() && path.basename(file) !== 'index.html') {
      const hashed = pathname.startsWith('/assets/');
      return reply
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(fs.createReadStream(file));
    }
    // A missing file with an extension is a 404, not the app (a broken <img> must not get HTML).
    if (path.extname(pathname) !== '') throw new AppError('not_found', `no file ${pathname}`);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', WEB_CSP)
      .header('x-frame-options', 'DENY')
      .send(fs.readFileSync(path.join(root, 'index.html')));
  };
  app.get('/', async (req, reply) => handler(req.url, reply));
  app.get('/*', async (req, reply) => handler(req.url, reply));
}
