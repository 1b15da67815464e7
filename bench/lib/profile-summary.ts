/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof`): self time by function and by file/package.
 *   npx tsx bench/lib/profile-summary.ts bench/profiles/<file>.cpuprofile [top=25]
 */
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  process.stderr.write('usage: tsx bench/lib/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i]!, (selfUs.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const p = url.indexOf('/packages/');
  if (p >= 0) return url.slice(p + 10).replace(/^([^/]+)\/src\//, '$1:');
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const w = where(n.callFrame.url);
  const name = `${n.callFrame.functionName || '(anonymous)'}  ${w}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  fn.set(name, (fn.get(name) ?? 0) + us);
  const group = n.callFrame.url ? w.split(':')[0]! : n.callFrame.functionName || '(native)';
  pkg.set(group, (pkg.get(group) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(`profile ${file}: ${(total / 1000).toFixed(0)} ms sampled\n\nself time by function:\n`);
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
process.stdout.write('\nself time by file / package:\n');
for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
