/**
 * HTTP metrics: requests and their latency by resource (the registered path, so cardinality is
 * bounded), method and status. Label children are cached so a request costs two increments.
 */
import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../metrics/registry.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
type Labels = 'resource' | 'method' | 'status';

/** Label for requests no resource served (404, 400). */
export const UNMATCHED = '(unmatched)';

export class HttpMetrics {
  private readonly requests: Counter<Labels>;
  private readonly duration: Histogram<Labels>;
  private readonly children = new Map<
    string,
    { inc: () => void; observe: (seconds: number) => void }
  >();

  constructor(registry: MetricsRegistry) {
    this.requests =
      (registry.getSingleMetric('modhost_http_requests_total') as Counter<Labels> | undefined) ??
      new Counter({
        name: 'modhost_http_requests_total',
        help: 'HTTP requests served, by resource, method and status',
        labelNames: ['resource', 'method', 'status'],
        registers: [registry],
      });
    this.duration =
      (registry.getSingleMetric('modhost_http_request_duration_seconds') as
        Histogram<Labels> | undefined) ??
      new Histogram({
        name: 'modhost_http_request_duration_seconds',
        help: 'Time to produce an HTTP response, by resource, method and status',
        labelNames: ['resource', 'method', 'status'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      });
  }

  record(resource: string, method: string, status: number, seconds: number): void {
    const m = KNOWN_METHODS.has(method) ? method : 'OTHER';
    const key = `${resource}\n${m}\n${status}`;
    let child = this.children.get(key);
    if (child === undefined) {
      const labels = { resource, method: m, status: String(status) };
      const counter = this.requests.labels(labels);
      const histogram = this.duration.labels(labels);
      child = { inc: () => counter.inc(), observe: (s) => histogram.observe(s) };
      this.children.set(key, child);
    }
    child.inc();
    child.observe(seconds);
  }
}
