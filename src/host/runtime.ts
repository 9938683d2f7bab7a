/**
 * The host's runtime parts, built once from a validated config: registries for callbacks, web
 * resources and caches, the background task runner, the invalidation bus and the web server.
 */
import type { DependencyContainer } from 'tsyringe';
import { container as rootContainer } from '../deps/tsyringe.js';
import { CacheRegistry } from '../cache/registry.js';
import { CallbackRegistry } from '../callbacks/registry.js';
import type { CategoryDefinition } from '../categories/define.js';
import { synapseCategories } from '../categories/synapse/index.js';
import type { Clock } from '../clock/clock.js';
import { BackgroundTaskRunner } from '../cluster/background-tasks.js';
import { type InvalidationBus, LocalBus } from '../cluster/invalidation-bus.js';
import { type BackgroundGate, StaticGate } from '../cluster/background-gate.js';
import { TaskScheduler } from '../scheduler/scheduler.js';
import { MemoryTaskStore } from '../scheduler/task-store.js';
import type { HostConfig } from '../config/types.js';
import { registerProvider, type Provider } from '../injection/providers.js';
import { CLOCK } from '../injection/tokens.js';
import type { Logger } from '../logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../metrics/registry.js';
import { WebRegistry } from '../web/registry.js';
import { WebServer } from '../web/server.js';
import { HttpClient } from '../api/http-client.js';
import type { OptionalParts } from './optional-parts.js';
import { DatabaseService } from '../database/database-service.js';

export interface Runtime {
  metrics: MetricsRegistry;
  callbacks: CallbackRegistry;
  web: WebRegistry;
  server: WebServer;
  caches: CacheRegistry;
  tasks: BackgroundTaskRunner;
  bus: InvalidationBus;
  /** Whether this instance runs background tasks: fixed, or the Redis lease (`auto`). */
  gate: BackgroundGate;
  /** `api.scheduleTask`: once per period across the deployment. */
  scheduler: TaskScheduler;
  http: HttpClient;
  /** Modules' and the host application's SQL namespaces; the engine opens on first use. */
  database: DatabaseService;
  /** Parent of every module's container: the host's providers live here. */
  container: DependencyContainer;
}

export function createRuntime(
  config: HostConfig,
  extras: {
    logger: Logger;
    clock: Clock;
    categories: readonly CategoryDefinition[];
    providers: readonly Provider[];
    /** What loadOptionalParts imported for this config. */
    parts: OptionalParts;
    /** Where a relative `database.path` resolves from (the config file's directory). */
    baseDir: string;
  },
): Runtime {
  const { logger, clock } = extras;
  const metrics = createMetricsRegistry({ instance: config.instance.name });
  const cluster = config.cluster && extras.parts.cluster;
  const bus: InvalidationBus = cluster
    ? new cluster.RedisBus({
        url: config.cluster!.redis_url,
        channel: config.cluster!.channel,
        instanceName: config.instance.name,
        logger: logger.child({ component: 'cluster' }),
        metrics,
        stallTimeoutMs: config.cluster!.stall_timeout,
      })
    : new LocalBus();
  const runnerId = cluster && bus instanceof cluster.RedisBus ? bus.senderId : config.instance.name;
  const mode = config.instance.run_background_tasks;
  const gate: BackgroundGate =
    cluster && config.cluster && mode === 'auto'
      ? new cluster.RedisLease({
          url: config.cluster.redis_url,
          prefix: config.cluster.channel,
          holderId: runnerId,
          ttlMs: config.cluster.lease_ttl,
          logger: logger.child({ component: 'lease' }),
          metrics,
        })
      : new StaticGate(mode !== false);
  const schedulerLogger = logger.child({ component: 'scheduler' });
  const scheduler = new TaskScheduler({
    store:
      cluster && config.cluster
        ? new cluster.RedisTaskStore(
            config.cluster.redis_url,
            config.cluster.channel,
            config.cluster.lease_ttl,
            (err) => schedulerLogger.debug({ err }, 'task store connection error'),
          )
        : new MemoryTaskStore(clock),
    clock,
    logger: schedulerLogger,
    runnerId,
    enabled: mode !== false,
    // With a lease, only its holder claims runs; losing it aborts the runs going on.
    ...(gate.mode === 'auto' ? { mayRun: () => gate.holds() } : {}),
    metrics,
  });
  gate.onChange((holds) => {
    if (!holds) scheduler.lost('this instance lost the background-task lease');
  });
  const web = new WebRegistry({ reservedPrefixes: config.server.reserved_prefixes, logger });
  const container = rootContainer.createChildContainer();
  container.register(CLOCK, { useValue: clock });
  for (const provider of extras.providers) registerProvider(container, provider);
  return {
    metrics,
    bus,
    gate,
    scheduler,
    web,
    container,
    callbacks: new CallbackRegistry({
      categories: [...synapseCategories, ...extras.categories],
      logger,
      metrics,
      callbackTimeout: config.callback_timeout,
    }),
    server: new WebServer(web, { server: config.server, logger, metrics }),
    caches: new CacheRegistry({ caches: config.caches, clock, logger, metrics, bus }),
    tasks: new BackgroundTaskRunner({
      clock,
      logger,
      runBackgroundTasks: gate,
      instanceName: config.instance.name,
      metrics,
    }),
    http: new HttpClient(),
    database: new DatabaseService(config.database, {
      baseDir: extras.baseDir,
      logger: logger.child({ component: 'database' }),
    }),
  };
}
