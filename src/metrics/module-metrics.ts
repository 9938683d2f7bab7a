/**
 * Per-module load, the same for modules in process and isolated in a worker (an isolated
 * module's callbacks and resources are proxies in the host's registries, so the host counts
 * them where it counts everything else): calls and requests in flight, and the time spent in
 * them. Each registry (callbacks, web) keeps its counts as plain fields on its own entries and
 * offers them here as a source; prom-client only sees them at scrape time, so dispatch never
 * hashes a label set.
 *
 * Also the one `modhost_event_loop_blocked_total{module}` of a registry, shared by the
 * in-process watchdog and the supervisor of isolated modules (a worker terminated because its
 * loop was blocked is that module's blocked-loop event).
 */
import { Counter, Gauge } from './prom-client.js';
import type { MetricsRegistry } from './registry.js';

/** What a kind of module code reports (`callback`, `request`). */
export type LoadKind = 'callback' | 'request';

/** One registration's running counts, read at scrape time. */
export interface LoadSample {
  module: string;
  /** Started and not settled yet. */
  inFlight: number;
  /** Seconds spent in it so far (never decreasing). */
  busySeconds: number;
}

export type LoadSource = () => Iterable<LoadSample>;

interface Shared {
  sources: Array<{ kind: LoadKind; source: LoadSource }>;
  blocked: Counter<'module'>;
}

const byRegistry = new WeakMap<MetricsRegistry, Shared>();

/** Sums each module's samples of each kind (a module has many callbacks and resources). */
function totals(
  shared: Shared,
): Map<string, { kind: LoadKind; module: string; sample: LoadSample }> {
  const out = new Map<string, { kind: LoadKind; module: string; sample: LoadSample }>();
  for (const { kind, source } of shared.sources)
    for (const s of source()) {
      const key = `${kind}\u0000${s.module}`;
      const t = out.get(key);
      if (t === undefined)
        out.set(key, {
          kind,
          module: s.module,
          sample: { module: s.module, inFlight: s.inFlight, busySeconds: s.busySeconds },
        });
      else {
        t.sample.inFlight += s.inFlight;
        t.sample.busySeconds += s.busySeconds;
      }
    }
  return out;
}

function shared(registry: MetricsRegistry): Shared {
  const known = byRegistry.get(registry);
  if (known !== undefined) return known;
  const state: Shared = {
    sources: [],
    blocked: new Counter({
      name: 'modhost_event_loop_blocked_total',
      help: 'Times a module blocked an event loop: the main thread longer than watchdog.blocked_timeout (by the module whose code was running), or an isolated module whose worker stopped answering and was terminated',
      labelNames: ['module'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'modhost_module_in_flight',
    help: "A module's callback calls and HTTP requests started and not finished yet (requests until their response is written)",
    labelNames: ['module', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { kind, module, sample } of totals(state).values())
        this.set({ module, kind }, sample.inFlight);
    },
  });
  new Counter({
    name: 'modhost_module_busy_seconds_total',
    help: "Time spent in a module's callbacks (from sampled durations: exact for each callback's first 1024 calls, then scaled from 1 call in 256) and serving its HTTP requests (every request, until its response is written)",
    labelNames: ['module', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { kind, module, sample } of totals(state).values())
        this.inc({ module, kind }, sample.busySeconds);
    },
  });
  byRegistry.set(registry, state);
  return state;
}

/** Adds a source of per-module load to `registry`'s module metrics. */
export function reportModuleLoad(
  registry: MetricsRegistry,
  kind: LoadKind,
  source: LoadSource,
): void {
  shared(registry).sources.push({ kind, source });
}

/** `modhost_event_loop_blocked_total` of `registry` (one per registry, whoever counts). */
export function blockedLoopCounter(registry: MetricsRegistry): Counter<'module'> {
  return shared(registry).blocked;
}
