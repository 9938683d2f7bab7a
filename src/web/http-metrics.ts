/**
 * HTTP metrics: requests and their latency by resource (the registered path, so cardinality is
 * bounded), method and status. Served through the host's prom-client registry, but counted in
 * plain arrays: prom-client hashes the label set on every observation, which would cost more
 * than the rest of a small request's handling. The exposition is built only when scraped.
 */
import type { MetricsRegistry } from '../metrics/registry.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label for requests no resource served (404, 400). */
export const UNMATCHED = '(unmatched)';

export const REQUESTS_METRIC = 'modhost_http_requests_total';
export const DURATION_METRIC = 'modhost_http_request_duration_seconds';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: { resource: string; method: string; status: string };
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: number[];
  count: number;
  sum: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** The subset of prom-client's metric interface its Registry uses to expose a metric. */
interface ExposedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: MetricValue[];
    aggregator: 'sum';
  }>;
  reset(): void;
}

/** One table of series shared per registry, so several servers on one registry add up. */
const TABLES = new WeakMap<MetricsRegistry, Map<string, Series>>();

/** Series by resource, then method, then status: lookups by strings Node already interned. */
type SeriesIndex = Map<string, Map<string, Map<number, Series>>>;

export class HttpMetrics {
  private readonly series: Map<string, Series>;
  private readonly index: SeriesIndex = new Map();

  constructor(registry: MetricsRegistry) {
    let table = TABLES.get(registry);
    if (table === undefined) {
      table = new Map();
      TABLES.set(registry, table);
      registerExposition(registry, table);
    }
    this.series = table;
  }

  /** The series recorded last, with its labels: consecutive requests mostly share one. */
  private last: { resource: string; method: string; status: number; series: Series } | undefined;

  record(resource: string, method: string, status: number, seconds: number): void {
    const last = this.last;
    let series: Series;
    if (
      last !== undefined &&
      last.resource === resource &&
      last.method === method &&
      last.status === status
    ) {
      series = last.series;
    } else {
      series =
        this.index.get(resource)?.get(method)?.get(status) ?? this.create(resource, method, status);
      this.last = { resource, method, status, series };
    }
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    series.buckets[i]!++;
    series.count++;
    series.sum += seconds;
  }

  private create(resource: string, method: string, status: number): Series {
    const m = KNOWN_METHODS.has(method) ? method : 'OTHER';
    const key = `${resource}\n${m}\n${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: { resource, method: m, status: String(status) },
        buckets: new Array<number>(BUCKETS.length + 1).fill(0),
        count: 0,
        sum: 0,
      };
      this.series.set(key, series);
    }
    // Unknown methods are not indexed: arbitrary strings must not grow the index.
    if (m === method) {
      let byMethod = this.index.get(resource);
      if (byMethod === undefined) this.index.set(resource, (byMethod = new Map()));
      let byStatus = byMethod.get(method);
      if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
      byStatus.set(status, series);
    }
    return series;
  }
}

function registerExposition(registry: MetricsRegistry, table: Map<string, Series>): void {
  // Zeroes rather than drops, so the series objects indexed by HttpMetrics stay live.
  const reset = () => {
    for (const s of table.values()) {
      s.buckets.fill(0);
      s.count = 0;
      s.sum = 0;
    }
  };
  const requests: ExposedMetric = {
    name: REQUESTS_METRIC,
    help: 'HTTP requests served, by resource, method and status',
    type: 'counter',
    aggregator: 'sum',
    reset,
    get: async () => ({
      name: REQUESTS_METRIC,
      help: requests.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...table.values()].map((s) => ({ value: s.count, labels: { ...s.labels } })),
    }),
  };
  const duration: ExposedMetric = {
    name: DURATION_METRIC,
    help: 'Time to produce an HTTP response, by resource, method and status',
    type: 'histogram',
    aggregator: 'sum',
    reset,
    get: async () => {
      const values: MetricValue[] = [];
      for (const s of table.values()) {
        let cumulative = 0;
        BUCKETS.forEach((le, i) => {
          cumulative += s.buckets[i]!;
          values.push({
            metricName: `${DURATION_METRIC}_bucket`,
            labels: { le, ...s.labels },
            value: cumulative,
          });
        });
        values.push({
          metricName: `${DURATION_METRIC}_bucket`,
          labels: { le: '+Inf', ...s.labels },
          value: s.count,
        });
        values.push({
          metricName: `${DURATION_METRIC}_sum`,
          labels: { ...s.labels },
          value: s.sum,
        });
        values.push({
          metricName: `${DURATION_METRIC}_count`,
          labels: { ...s.labels },
          value: s.count,
        });
      }
      return {
        name: DURATION_METRIC,
        help: duration.help,
        type: 'histogram',
        aggregator: 'sum',
        values,
      };
    },
  };
  registry.registerMetric(requests as never);
  registry.registerMetric(duration as never);
}
