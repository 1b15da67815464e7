/** Prometheus metrics (MON-2), on a registry of our own so tests can run several servers. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  httpErrors: Counter<'code'>;
  wsConnections: Gauge;
  wsDeliveries: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'conclave_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'conclave_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'conclave_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    httpErrors: new Counter({ name: 'conclave_http_errors_total', help: 'HTTP error responses by code', labelNames: ['code'], registers: [registry] }),
    wsConnections: new Gauge({ name: 'conclave_ws_connections', help: 'Open WebSocket connections', registers: [registry] }),
    wsDeliveries: new Counter({ name: 'conclave_ws_deliveries_total', help: 'Durable events delivered over WebSocket', registers: [registry] }),
  };
}
