/** A plain status page at / when the web client has not been built (packages/web/dist missing). */
export function landingPage(version: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conclave</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2430}
code{background:#f1f3f7;padding:.1rem .3rem;border-radius:4px}h1{font-weight:600}</style></head>
<body><h1>Conclave ${version}</h1><p>The server is running. API: <code>/api/v1</code>,
OpenAPI: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, health: <a href="/healthz">/healthz</a>.</p>
<p>The web client is not built yet: run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.</p></body></html>`;
}
