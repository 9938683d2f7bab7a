/**
 * Metrics that read many sources at each scrape (every cache registry, every isolated module):
 * per metrics registry, one set of sources, and the metrics themselves registered once, given
 * that set, when the first source is added to that registry.
 */
import type { MetricsRegistry } from './registry.js';

/** `report(registry, source)` adds a source (registering the metrics the first time); it returns the removal. */
export function scrapeSources<S>(
  register: (sources: ReadonlySet<S>, registry: MetricsRegistry) => void,
): (registry: MetricsRegistry, source: S) => () => void {
  const byRegistry = new WeakMap<MetricsRegistry, Set<S>>();
  return (registry, source) => {
    let sources = byRegistry.get(registry);
    if (sources === undefined) {
      sources = new Set();
      byRegistry.set(registry, sources);
      register(sources, registry);
    }
    const mine = sources;
    mine.add(source);
    return () => void mine.delete(source);
  };
}
