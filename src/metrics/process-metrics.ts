/**
 * The process's own health, for seeing trouble coming before it ends the process: resident
 * memory, heap (total, used, per space), event-loop delay (from perf_hooks' histogram, not a
 * timer's lag), active handles and requests, GC pauses, CPU. prom-client's default collectors,
 * registered once per host registry (each host in a process has its own registry).
 */
import { collectDefaultMetrics } from './prom-client.js';
import type { MetricsRegistry } from './registry.js';

const collecting = new WeakSet<MetricsRegistry>();

export function collectProcessMetrics(registry: MetricsRegistry): void {
  if (collecting.has(registry)) return;
  collecting.add(registry);
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}
