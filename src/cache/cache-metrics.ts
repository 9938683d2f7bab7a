/**
 * Prometheus metrics per cache, read from the caches' own counters at scrape time, so the hit
 * path only bumps a plain number. One set of metrics per metrics registry, shared by every
 * CacheRegistry that reports into it.
 */
import { Counter, Gauge } from '../metrics/prom-client.js';
import type { CacheStats } from './cache-core.js';
import { scrapeSources } from '../metrics/scrape-sources.js';

export interface NamedStats {
  name: string;
  stats(): CacheStats;
}

/** Sync for the host's own caches; a promise for an isolated module's (asked of its worker). */
export type StatsSource = () => Iterable<NamedStats> | Promise<Iterable<NamedStats>>;

type Pick = (s: CacheStats) => number;
type Snapshot = Array<[string, CacheStats]>;

const GAUGES: Array<[string, string, Pick]> = [
  [
    'modhost_cache_size',
    'Entries in the cache (weighted by length for iterable caches)',
    (s) => s.size,
  ],
  [
    'modhost_cache_max_size',
    'Effective maximum size of the cache, after config factors',
    (s) => s.maxEntries,
  ],
  ['modhost_cache_pending', 'Computations in flight', (s) => s.pending],
];
const COUNTERS: Array<[string, string, Pick]> = [
  [
    'modhost_cache_hits_total',
    'Calls answered from the cache (or joined to a computation in flight)',
    (s) => s.hits,
  ],
  ['modhost_cache_misses_total', 'Calls that computed', (s) => s.misses],
  [
    'modhost_cache_evictions_total',
    'Entries evicted by size or expired by ttl',
    (s) => s.evictions,
  ],
  ['modhost_cache_invalidations_total', 'Entries removed by invalidation', (s) => s.invalidations],
];

/** Adds `source`'s caches to the metrics of `registry` (registering the metrics the first time). */
export const reportCacheMetrics = scrapeSources<StatsSource>((all, registry) => {
  /** One scrape's snapshot: its metrics are collected together, so they share one answer. */
  let asked: Promise<Snapshot> | undefined;
  const snapshot = (): Snapshot | Promise<Snapshot> => {
    const out: Snapshot = [];
    const later: Promise<Iterable<NamedStats>>[] = [];
    for (const s of all) {
      const got = s();
      if (got instanceof Promise) later.push(got);
      else for (const c of got) out.push([c.name, c.stats()]);
    }
    if (later.length === 0) return out;
    asked ??= Promise.all(later).then((sets) => {
      asked = undefined;
      for (const set of sets) for (const c of set) out.push([c.name, c.stats()]);
      return out;
    });
    return asked;
  };
  /** `fill` with the snapshot, at once when every source answered synchronously. */
  const collected = (fill: (snap: Snapshot) => void): void | Promise<void> => {
    const snap = snapshot();
    if (snap instanceof Promise) return snap.then(fill);
    fill(snap);
  };
  for (const [name, help, pick] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['cache'],
      registers: [registry],
      collect() {
        return collected((snap) => {
          this.reset();
          for (const [cache, stats] of snap) this.set({ cache }, pick(stats));
        });
      },
    });
  }
  for (const [name, help, pick] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['cache'],
      registers: [registry],
      collect() {
        return collected((snap) => {
          this.reset();
          for (const [cache, stats] of snap) this.inc({ cache }, pick(stats));
        });
      },
    });
  }
});
