// Prints the gzipped size of what the chat route loads (index.html's entry script, its static
// imports and CSS) and of each lazy chunk. Run after `npm run build -w @conclave/web`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let js = 0, css = 0;
for (const f of initial) (f.endsWith('.js') ? (js += gz(f)) : (css += gz(f)));
console.log(`chat route (initial): JS ${kb(js)} gzipped, CSS ${kb(css)} gzipped`);
for (const f of fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`))) {
  console.log(`  lazy ${f}: ${kb(gz(`assets/${f}`))}`);
}
