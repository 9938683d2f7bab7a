/**
 * prom-client's classes, without prom-client's index. The index also loads the default process
 * collectors (and through them @opentelemetry/api), the Pushgateway (http, https, zlib), the
 * cluster aggregator, Histogram and Summary: about 80 files and 40 ms of start-up that a host
 * only needs once it serves metrics. Registry, Counter and Gauge are loaded from their own files
 * instead; they are the very objects the index re-exports (one require cache), so a metric made
 * with `import { Counter } from 'prom-client'` registers in a host's registry as before.
 *
 * prom-client ships no `exports` map, so these paths are public to Node; should a later version
 * close them, the index is loaded instead (slower start-up, same behaviour).
 */
import type * as PromClient from 'prom-client';
import { requireCjs as require } from '../deps/cjs.js';

function part<T>(file: string, pick: (index: typeof PromClient) => T): T {
  try {
    return require(`prom-client/lib/${file}`) as T;
  } catch {
    return pick(require('prom-client') as typeof PromClient);
  }
}

export const Registry = part('registry', (p) => p.Registry);
export const Counter = part('counter', (p) => p.Counter);
export const Gauge = part('gauge', (p) => p.Gauge);
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;

/** The default process collectors, loaded on first use (only a listening host reports them). */
export function collectDefaultMetrics(
  options: PromClient.DefaultMetricsCollectorConfiguration<PromClient.RegistryContentType>,
): void {
  (require('prom-client') as typeof PromClient).collectDefaultMetrics(options);
}
