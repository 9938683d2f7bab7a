/**
 * Prometheus metrics per module/category/callback. Counts and sampled durations live as plain
 * fields on each entry and are handed to prom-client only at scrape time, so `run` never calls
 * into prom-client (a labelled `inc`/`observe` hashes its labels: far too slow per call).
 */
import type { MetricObjectWithValues, MetricValueWithName } from 'prom-client';
import { Counter } from '../metrics/prom-client.js';
import { reportModuleLoad } from '../metrics/module-metrics.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { type CallbackEntry, DURATION_BUCKETS } from './entry.js';

const LABELS = ['module', 'category', 'callback'] as const;
type LabelName = (typeof LABELS)[number];
type Labels = Record<LabelName, string>;

function labelsOf(entry: CallbackEntry): Labels {
  return { module: entry.module, category: entry.category, callback: entry.callback };
}

type CountField = 'calls' | 'errors' | 'timeouts';

/** Counters whose collect() adds what each entry counted since the previous scrape. */
function deltaCounter(
  registry: MetricsRegistry,
  name: string,
  help: string,
  field: CountField,
  entries: () => Iterable<CallbackEntry>,
): void {
  const reported = new WeakMap<CallbackEntry, number>();
  new Counter<LabelName>({
    name,
    help,
    labelNames: LABELS,
    registers: [registry],
    collect() {
      for (const entry of entries()) {
        const now = entry[field];
        const before = reported.get(entry) ?? 0;
        if (now !== before) {
          this.inc(labelsOf(entry), now - before);
          reported.set(entry, now);
        }
      }
    },
  });
}

/** A histogram read straight from the entries' sampled durations (prom-client's metric shape). */
class SampledDurationHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly entries: () => Iterable<CallbackEntry>,
  ) {}

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    // Entries sharing labels (one module registering twice) are added together.
    const series = new Map<
      string,
      { labels: Labels; buckets: number[]; sum: number; count: number }
    >();
    for (const entry of this.entries()) {
      const labels = labelsOf(entry);
      const key = `${labels.module}\u0000${labels.category}\u0000${labels.callback}`;
      let s = series.get(key);
      if (s === undefined) {
        s = {
          labels,
          buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
          sum: 0,
          count: 0,
        };
        series.set(key, s);
      }
      entry.durationBuckets.forEach((n, i) => (s!.buckets[i]! += n));
      s.sum += entry.durationSum;
      s.count += entry.durationCount;
    }
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, buckets, sum, count } of series.values()) {
      let cumulative = 0;
      buckets.forEach((n, i) => {
        cumulative += n;
        const le = i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i]! : '+Inf';
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le },
          value: cumulative,
        });
      });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type as never,
      aggregator: this.aggregator,
      values,
      collect: () => undefined,
    } as never;
  }

  reset(): void {}
}

/** Registers the callback metrics on `registry`, reading `entries()` at every scrape. */
export function registerCallbackMetrics(
  registry: MetricsRegistry,
  entries: () => Iterable<CallbackEntry>,
): void {
  deltaCounter(registry, 'modhost_callback_calls_total', 'Callback invocations.', 'calls', entries);
  deltaCounter(
    registry,
    'modhost_callback_errors_total',
    'Callback invocations that threw or rejected (timeouts are counted separately).',
    'errors',
    entries,
  );
  deltaCounter(
    registry,
    'modhost_callback_timeouts_total',
    'Callback invocations that did not settle within callback_timeout.',
    'timeouts',
    entries,
  );
  registry.registerMetric(
    new SampledDurationHistogram(
      'modhost_callback_duration_seconds',
      "Callback durations, sampled: every call for a callback's first 1024 calls, then 1 call in 256.",
      entries,
    ) as never,
  );
  reportModuleLoad(registry, 'callback', function* () {
    for (const entry of entries())
      yield {
        module: entry.module,
        inFlight: entry.calls - entry.settled,
        busySeconds: entry.busySeconds(),
      };
  });
}
