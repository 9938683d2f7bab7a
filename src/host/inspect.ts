/** A plain description of a host and what each module registered (`check`, `inspect --json`). */
import type { LeaseDescription } from '../cluster/background-gate.js';
import type { HostConfig } from '../config/types.js';
import type { TaskDescription } from '../scheduler/scheduler.js';
import type { PreparedModule } from './prepare.js';
import type { Runtime } from './runtime.js';
import type { CacheDescription } from '../cache/registry.js';
import { describeProviders, type ProviderDescription } from '../injection/describe-providers.js';

export interface ModuleDescription {
  name: string;
  className: string;
  index: number;
  /** The spec from config, or `<class Name>` for classes given in code. */
  source: string;
  onError?: string;
  /** `worker` for modules that run in their own worker thread. */
  isolation?: 'worker';
  callbacks: Array<{ category: string; name: string }>;
  webResources: Array<{ path: string; methods?: string[]; prefix: boolean }>;
  caches: Array<{ name: string; maxEntries: number; tree: boolean; ttl?: number }>;
  /** `@Module({ providers })`: the module's own services; `exported` ones later modules may inject. */
  providers: ProviderDescription[];
}

export interface HostDescription {
  instance: { name: string; runBackgroundTasks: boolean | 'auto' };
  bus: string;
  /** Who runs background tasks: this instance's answer and, with `auto`, the lease holder. */
  backgroundTasks: LeaseDescription;
  /** `api.scheduleTask` tasks with their last and next run. */
  scheduledTasks: TaskDescription[];
  server: { bind: string; port: number; listen: boolean; url?: string };
  metrics?: { bind: string; port: number };
  modules: ModuleDescription[];
}

export function describeHost(
  config: HostConfig,
  prepared: readonly PreparedModule[],
  runtime: Runtime,
  /** An isolated module's caches (they live in its worker), by module name. */
  isolatedCaches: (name: string) => CacheDescription[] | undefined = () => undefined,
): HostDescription {
  return {
    instance: {
      name: config.instance.name,
      runBackgroundTasks: config.instance.run_background_tasks,
    },
    bus: runtime.bus.describe(),
    backgroundTasks: runtime.gate.describe(),
    scheduledTasks: runtime.scheduler.describe(),
    server: {
      bind: config.server.bind,
      port: config.server.port,
      listen: config.server.listen,
      url: runtime.server.url,
    },
    metrics: config.metrics ? { ...config.metrics } : undefined,
    modules: prepared.map(({ blueprint, entry }) => ({
      name: blueprint.name,
      className: blueprint.cls.name,
      index: entry.index,
      source: typeof entry.module === 'string' ? entry.module : `<class ${entry.module.name}>`,
      onError: entry.on_error,
      ...(entry.worker ? { isolation: 'worker' as const } : {}),
      callbacks: runtime.callbacks.registrations(blueprint.name),
      webResources: runtime.web.registrations(blueprint.name),
      caches: isolatedCaches(blueprint.name) ?? runtime.caches.registrations(blueprint.name),
      providers: describeProviders(blueprint.providers, blueprint.exports),
    })),
  };
}

/** Human-readable rendering for `modhost check`. */
export function renderDescription(d: HostDescription): string {
  const lines = [
    `instance ${d.instance.name} (background tasks: ${d.instance.runBackgroundTasks === 'auto' ? 'auto, elected through Redis' : d.instance.runBackgroundTasks ? 'yes' : 'no'})`,
    `invalidation bus: ${d.bus}`,
    ...(d.backgroundTasks.mode === 'auto'
      ? [
          `background-task lease (ttl ${d.backgroundTasks.ttlMs} ms): ${
            d.backgroundTasks.holds
              ? `held by this instance (token ${d.backgroundTasks.token})`
              : `held by ${d.backgroundTasks.holder ?? 'nobody (or Redis unreachable)'}`
          }`,
        ]
      : []),
    ...d.scheduledTasks.map((t) => {
      const when = (ms?: number) => (ms === undefined ? 'never' : new Date(ms).toISOString());
      return (
        `scheduled task ${t.id} (${t.schedule}, timeout ${t.timeoutMs} ms): last run ${when(t.lastRunAt)}` +
        `${t.lastResult ? ` ${t.lastResult}` : ''}${t.lastDurationMs !== undefined ? ` in ${t.lastDurationMs} ms` : ''}, ` +
        `next ${t.nextRunAt === undefined ? 'not planned here' : when(t.nextRunAt)}, ` +
        `${t.runs} runs, ${t.failures} failed${t.runner ? `, running on ${t.runner}` : ''}`
      );
    }),
    `server: ${d.server.bind}:${d.server.port}${d.metrics ? `, metrics: ${d.metrics.bind}:${d.metrics.port}` : ''}`,
    `${d.modules.length} module${d.modules.length === 1 ? '' : 's'}:`,
  ];
  for (const m of d.modules) {
    lines.push(
      `  [${m.index}] ${m.name} (${m.source})${m.onError ? ` on_error=${m.onError}` : ''}${m.isolation ? ` isolation=${m.isolation}` : ''}`,
    );
    for (const c of m.callbacks) lines.push(`      callback  ${c.category}.${c.name}`);
    for (const w of m.webResources) {
      lines.push(
        `      resource  ${w.path}${w.prefix ? ' (prefix)' : ''}${w.methods ? ` [${w.methods.join(', ')}]` : ''}`,
      );
    }
    for (const c of m.caches) {
      lines.push(
        `      cache     ${c.name} max ${c.maxEntries}${c.tree ? ', tree' : ''}${c.ttl ? `, ttl ${c.ttl} ms` : ''}`,
      );
    }
    for (const p of m.providers) {
      lines.push(
        `      provider  ${p.token} (${p.kind}${p.lifecycle ? `, ${p.lifecycle}` : ''})${p.exported ? ' exported' : ''}`,
      );
    }
    if (!m.callbacks.length && !m.webResources.length && !m.caches.length && !m.providers.length)
      lines.push('      (registers nothing)');
  }
  return lines.join('\n');
}
