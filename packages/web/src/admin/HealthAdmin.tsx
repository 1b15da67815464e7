/**
 * System health (MON-2): liveness and readiness, and charts drawn from the server's
 * Prometheus /metrics, sampled every few seconds while this page is open. Plain SVG, no chart
 * library.
 */
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/context';
import { Badge } from '../ui/kit';
import { Icon } from '../ui/Icon';
import { Card } from '../ui/PageShell';
import { parsePrometheus, type MetricSample } from './prometheus';

const EVERY_MS = 5000;
const KEEP = 60;

interface Sample {
  t: number;
  requests: number;
  errors: number;
  cpu: number;
  rss: number;
  heap: number;
  ws: number;
  lagP99: number;
  deliveries: number;
  buckets: Map<number, number>;
  start: number;
}

function sum(samples: MetricSample[], name: string, filter?: (l: Record<string, string>) => boolean): number {
  let s = 0;
  for (const m of samples) if (m.name === name && (!filter || filter(m.labels))) s += m.value;
  return s;
}

function toSample(text: string, t: number): Sample {
  const ms = parsePrometheus(text);
  const buckets = new Map<number, number>();
  for (const m of ms) {
    if (m.name !== 'conclave_http_request_duration_seconds_bucket') continue;
    const le = m.labels.le === '+Inf' ? Infinity : Number(m.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + m.value);
  }
  return {
    t,
    requests: sum(ms, 'conclave_http_requests_total'),
    errors: sum(ms, 'conclave_http_requests_total', (l) => Number(l.status) >= 500),
    cpu: sum(ms, 'conclave_process_cpu_seconds_total'),
    rss: sum(ms, 'conclave_process_resident_memory_bytes'),
    heap: sum(ms, 'conclave_nodejs_heap_size_used_bytes'),
    ws: sum(ms, 'conclave_ws_connections'),
    lagP99: sum(ms, 'conclave_nodejs_eventloop_lag_p99_seconds'),
    deliveries: sum(ms, 'conclave_ws_deliveries_total'),
    buckets,
    start: sum(ms, 'conclave_process_start_time_seconds'),
  };
}

/** p95 latency of the requests between two samples, from the histogram buckets. */
function p95(a: Sample, b: Sample): number | null {
  const les = [...b.buckets.keys()].sort((x, y) => x - y);
  const total = (b.buckets.get(Infinity) ?? 0) - (a.buckets.get(Infinity) ?? 0);
  if (total <= 0) return null;
  for (const le of les) {
    if ((b.buckets.get(le) ?? 0) - (a.buckets.get(le) ?? 0) >= total * 0.95) return Number.isFinite(le) ? le : null;
  }
  return null;
}

export function HealthAdmin() {
  const i18n = useI18n();
  const { t, num } = i18n;
  const [health, setHealth] = useState<{ live: boolean | null; ready: boolean | null; version: string | null; checkedAt: number | null }>({ live: null, ready: null, version: null, checkedAt: null });
  const [samples, setSamples] = useState<Sample[]>([]);
  const [metricsError, setMetricsError] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      const now = Date.now();
      const [h, r, m] = await Promise.allSettled([
        fetch('/healthz', { cache: 'no-store' }).then(async (res) => ({ ok: res.ok, body: (await res.json()) as { version?: string } })),
        fetch('/readyz', { cache: 'no-store' }).then((res) => res.ok),
        fetch('/metrics', { cache: 'no-store' }).then((res) => (res.ok ? res.text() : Promise.reject(new Error(String(res.status))))),
      ]);
      if (!live) return;
      setHealth({
        live: h.status === 'fulfilled' && h.value.ok,
        ready: r.status === 'fulfilled' && r.value,
        version: h.status === 'fulfilled' ? h.value.body.version ?? null : null,
        checkedAt: now,
      });
      if (m.status === 'fulfilled') {
        setMetricsError(false);
        const s = toSample(m.value, now);
        setSamples((prev) => [...prev.slice(-(KEEP - 1)), s]);
      } else setMetricsError(true);
    };
    // Two quick samples first, so rates and charts show within seconds of opening the page.
    void poll();
    const quick = setTimeout(() => void poll(), 1500);
    const quick2 = setTimeout(() => void poll(), 3000);
    timer.current = setInterval(() => void poll(), EVERY_MS);
    return () => { live = false; clearTimeout(quick); clearTimeout(quick2); if (timer.current) clearInterval(timer.current); };
  }, []);

  const pairs = samples.slice(1).map((b, i) => ({ a: samples[i], b, dt: (b.t - samples[i].t) / 1000 }));
  const series = {
    rps: pairs.map(({ a, b, dt }) => ({ t: b.t, v: Math.max(0, (b.requests - a.requests) / dt) })),
    errors: pairs.map(({ a, b, dt }) => ({ t: b.t, v: Math.max(0, (b.errors - a.errors) / dt) })),
    p95: pairs.map(({ a, b }) => ({ t: b.t, v: (p95(a, b) ?? 0) * 1000 })),
    cpu: pairs.map(({ a, b, dt }) => ({ t: b.t, v: Math.max(0, ((b.cpu - a.cpu) / dt) * 100) })),
    rss: samples.map((s) => ({ t: s.t, v: s.rss / 1048576 })),
    ws: samples.map((s) => ({ t: s.t, v: s.ws })),
    lag: samples.map((s) => ({ t: s.t, v: s.lagP99 * 1000 })),
  };
  const last = samples[samples.length - 1];
  const uptime = last?.start ? Math.max(0, Date.now() / 1000 - last.start) : null;

  const ok = (v: boolean | null) => v === null ? <Badge>{t('health.checking')}</Badge> : v ? <Badge tone="success"><Icon name="check" size={12} /> {t('health.ok')}</Badge> : <Badge tone="danger"><Icon name="alert" size={12} /> {t('health.down')}</Badge>;

  return (
    <>
      <header className="page-head row">
        <div>
          <h2>{t('admin.nav.health')}</h2>
          <p className="muted">{t('health.hint', { seconds: EVERY_MS / 1000 })}</p>
        </div>
      </header>
      <div className="stats">
        <div className="stat"><span className="stat-label">{t('health.liveness')}</span><span className="stat-value sm">{ok(health.live)}</span></div>
        <div className="stat"><span className="stat-label">{t('health.readiness')}</span><span className="stat-value sm">{ok(health.ready)}</span></div>
        <div className="stat"><span className="stat-label">{t('health.version')}</span><span className="stat-value sm">{health.version ?? '—'}</span></div>
        <div className="stat"><span className="stat-label">{t('health.uptime')}</span><span className="stat-value sm">{uptime === null ? '—' : formatDuration(uptime, i18n)}</span></div>
        <div className="stat"><span className="stat-label">{t('health.sockets')}</span><span className="stat-value sm">{last ? num(last.ws) : '—'}</span></div>
      </div>
      {metricsError && <div className="notice notice-warning"><Icon name="alert" /> {t('health.metricsUnavailable')}</div>}
      <div className="chart-grid">
        <ChartCard title={t('health.rps')} unit={t('health.unit.rps')} data={series.rps} digits={1} />
        <ChartCard title={t('health.p95')} unit="ms" data={series.p95} digits={1} />
        <ChartCard title={t('health.errors')} unit={t('health.unit.rps')} data={series.errors} digits={2} tone="danger" />
        <ChartCard title={t('health.cpu')} unit="%" data={series.cpu} digits={1} />
        <ChartCard title={t('health.memory')} unit="MiB" data={series.rss} digits={0} />
        <ChartCard title={t('health.lag')} unit="ms" data={series.lag} digits={1} />
      </div>
    </>
  );
}

function formatDuration(s: number, i18n: ReturnType<typeof useI18n>): string {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return i18n.t('health.duration.dh', { d, h });
  if (h) return i18n.t('health.duration.hm', { h, m });
  return i18n.t('health.duration.m', { m: Math.max(m, 0) });
}

function ChartCard({ title, unit, data, digits, tone }: { title: string; unit: string; data: { t: number; v: number }[]; digits: number; tone?: 'danger' }) {
  const { t, num } = useI18n();
  const current = data.length ? data[data.length - 1].v : null;
  return (
    <Card title={title} actions={<span className="chart-current">{current === null ? '—' : `${num(current, { maximumFractionDigits: digits })} ${unit}`}</span>}>
      {data.length < 2 ? <p className="muted small chart-wait">{t('health.collecting')}</p> : <LineChart data={data} unit={unit} digits={digits} tone={tone} label={title} />}
    </Card>
  );
}

function LineChart({ data, unit, digits, tone, label }: { data: { t: number; v: number }[]; unit: string; digits: number; tone?: 'danger'; label: string }) {
  const { num, time } = useI18n();
  const W = 520, H = 140, L = 44, B = 20, T = 8;
  const max = Math.max(...data.map((d) => d.v), 0) || 1;
  const top = niceCeil(max);
  const t0 = data[0].t, t1 = data[data.length - 1].t;
  const x = (tt: number) => L + ((tt - t0) / Math.max(1, t1 - t0)) * (W - L - 4);
  const y = (v: number) => T + (1 - v / top) * (H - T - B);
  const pts = data.map((d) => `${x(d.t).toFixed(1)},${y(d.v).toFixed(1)}`).join(' ');
  const area = `${L},${H - B} ${pts} ${x(t1).toFixed(1)},${H - B}`;
  return (
    <svg className={`chart ${tone ?? ''}`} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: ${num(data[data.length - 1].v, { maximumFractionDigits: digits })} ${unit}`} preserveAspectRatio="none">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={L} x2={W - 4} y1={y(top * f)} y2={y(top * f)} className="chart-grid-line" />
          <text x={L - 6} y={y(top * f) + 4} textAnchor="end" className="chart-axis">{num(top * f, { maximumFractionDigits: digits })}</text>
        </g>
      ))}
      <polygon points={area} className="chart-area" />
      <polyline points={pts} className="chart-line" fill="none" />
      <text x={L} y={H - 4} className="chart-axis">{time(t0)}</text>
      <text x={W - 4} y={H - 4} textAnchor="end" className="chart-axis">{time(t1)}</text>
    </svg>
  );
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
