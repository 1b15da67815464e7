import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

/**
 * The web client. `npm run build -w @conclave/web` writes packages/web/dist (index.html +
 * assets/ + sw.js + manifest), which the server serves with an SPA fallback.
 * `npm run dev -w @conclave/web` proxies the API to CONCLAVE_URL (default http://127.0.0.1:8080).
 */
const target = process.env.CONCLAVE_URL ?? 'http://127.0.0.1:8080';
const proxy = {
  '/api': { target, ws: true, changeOrigin: true },
  '/healthz': { target, changeOrigin: true },
  '/readyz': { target, changeOrigin: true },
  '/metrics': { target, changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The SDK loads `ws` only in runtimes without a global WebSocket (Node 20); browsers never do.
    alias: { ws: fileURLToPath(new URL('./src/lib/no-ws.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 8192,
    reportCompressedSize: true,
  },
  server: { proxy },
  preview: { proxy },
});
