/**
 * What an isolated module's worker thread costs, as Prometheus gauges per module: its V8 heap
 * (asked of the worker at each scrape: only its own thread can read its isolate's heap) and
 * how busy its event loop is (read by the host from `worker.performance`, no message needed,
 * so it is there even while the worker is stuck).
 */
import { getHeapStatistics } from 'node:v8';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { WorkerPerformance } from 'node:worker_threads';
import { Gauge } from '../metrics/prom-client.js';
import { scrapeSources } from '../metrics/scrape-sources.js';

/** The worker's heap, as its `usage` answer carries it. */
export interface HeapUsage {
  used: number;
  total: number;
  limit: number;
}

/** Worker side: this thread's heap (V8 reports the isolate it runs in). */
export function heapUsage(): HeapUsage {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, total: h.total_heap_size, limit: h.heap_size_limit };
}

/** One isolated module's figures at a scrape; heap undefined while it has no worker. */
export interface WorkerUsage {
  module: string;
  heap: HeapUsage | undefined;
  /** Share of time its event loop was busy since the previous scrape (0..1). */
  utilization: number | undefined;
}

export type UsageSource = () => Promise<WorkerUsage>;

type Pick = (u: WorkerUsage) => number | undefined;

const GAUGES: Array<[string, string, Pick]> = [
  [
    'modhost_module_worker_heap_used_bytes',
    "V8 heap used by an isolated module's worker thread",
    (u) => u.heap?.used,
  ],
  [
    'modhost_module_worker_heap_total_bytes',
    "V8 heap reserved by an isolated module's worker thread",
    (u) => u.heap?.total,
  ],
  [
    'modhost_module_worker_heap_limit_bytes',
    "V8 heap limit of an isolated module's worker thread (resource_limits.max_heap, or V8's default)",
    (u) => u.heap?.limit,
  ],
  [
    'modhost_module_worker_event_loop_utilization',
    "Share of time an isolated module's worker thread was busy (not waiting for events) since the previous scrape",
    (u) => u.utilization,
  ],
];

/** Adds `source` to `registry`'s worker gauges (registered the first time); returns the removal. */
export const reportWorkerUsage = scrapeSources<UsageSource>((all, registry) => {
  // The gauges of one scrape share one round of answers.
  let asked: Promise<WorkerUsage[]> | undefined;
  const snapshot = () =>
    (asked ??= Promise.all([...all].map((s) => s())).finally(() => {
      asked = undefined;
    }));
  for (const [name, help, pick] of GAUGES)
    new Gauge({
      name,
      help,
      labelNames: ['module'],
      registers: [registry],
      async collect() {
        const usages = await snapshot();
        this.reset();
        for (const u of usages) {
          const value = pick(u);
          if (value !== undefined) this.set({ module: u.module }, value);
        }
      },
    });
});

/** Event-loop utilisation between scrapes, from a worker's `performance` (host side). */
export class UtilizationMeter {
  private last: EventLoopUtilization | undefined;

  /** The share since the previous reading (since the worker started, the first time). */
  read(performance: WorkerPerformance): number {
    const now = performance.eventLoopUtilization();
    const delta = this.last === undefined ? now : performance.eventLoopUtilization(now, this.last);
    this.last = now;
    return delta.utilization;
  }

  /** A new worker: its readings start from zero. */
  reset(): void {
    this.last = undefined;
  }
}
