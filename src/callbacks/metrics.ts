/**
 * Prometheus metrics per module/category/callback. Counts live as plain fields on each entry
 * and are handed to prom-client at scrape time, so `run` never touches prom-client except on
 * a sampled call's duration.
 */
import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { CallbackEntry } from './entry.js';

const LABELS = ['module', 'category', 'callback'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

interface Reported {
  calls: number;
  errors: number;
  timeouts: number;
}

export class CallbackMetrics {
  private readonly reported = new WeakMap<CallbackEntry, Reported>();
  private readonly duration: Histogram<(typeof LABELS)[number]>;

  constructor(registry: MetricsRegistry, entries: () => Iterable<CallbackEntry>) {
    const delta = (field: keyof Reported) =>
      function collect(this: Counter<(typeof LABELS)[number]>) {
        for (const entry of entries()) {
          const reported = metricsState.get(entry);
          const now = entry[field];
          if (now !== reported[field]) {
            this.inc(labelsOf(entry), now - reported[field]);
            reported[field] = now;
          }
        }
      };
    const metricsState = {
      get: (entry: CallbackEntry): Reported => {
        let r = this.reported.get(entry);
        if (r === undefined) {
          r = { calls: 0, errors: 0, timeouts: 0 };
          this.reported.set(entry, r);
        }
        return r;
      },
    };
    const counter = (name: string, help: string, field: keyof Reported) =>
      new Counter({
        name,
        help,
        labelNames: LABELS,
        registers: [registry],
        collect: delta(field),
      });
    counter('modhost_callback_calls_total', 'Callback invocations.', 'calls');
    counter(
      'modhost_callback_errors_total',
      'Callback invocations that threw or rejected (timeouts excluded).',
      'errors',
    );
    counter(
      'modhost_callback_timeouts_total',
      'Callback invocations that did not settle within callback_timeout.',
      'timeouts',
    );
    this.duration = new Histogram({
      name: 'modhost_callback_duration_seconds',
      help: 'Callback durations: every call of a callback for its first 1024 calls, then 1 call in 64.',
      labelNames: LABELS,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers: [registry],
    });
  }

  /** A DurationSink for entries. */
  readonly observe = (entry: CallbackEntry, seconds: number): void => {
    this.duration.observe(labelsOf(entry), seconds);
  };
}

function labelsOf(entry: CallbackEntry): Labels {
  return { module: entry.module, category: entry.category, callback: entry.callback };
}
