/**
 * One Prometheus registry per host: every part registers its metrics here, and the metrics
 * listener serves it. Per host rather than prom-client's global, so several hosts can live in
 * one process (tests) without clashing.
 */
import { Registry } from './prom-client.js';

export type MetricsRegistry = Registry;

export function createMetricsRegistry(labels: Record<string, string> = {}): MetricsRegistry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  return registry;
}
