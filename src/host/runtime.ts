/**
 * The host's runtime parts, built once from a validated config: registries for callbacks, web
 * resources and caches, the background task runner, the invalidation bus and the web server.
 */
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { CacheRegistry } from '../cache/registry.js';
import { CallbackRegistry } from '../callbacks/registry.js';
import type { CategoryDefinition } from '../categories/define.js';
import { synapseCategories } from '../categories/synapse/index.js';
import type { Clock } from '../clock/clock.js';
import { BackgroundTaskRunner } from '../cluster/background-tasks.js';
import { type InvalidationBus, LocalBus } from '../cluster/invalidation-bus.js';
import { RedisBus } from '../cluster/redis-bus.js';
import type { HostConfig } from '../config/types.js';
import { registerProvider, type Provider } from '../injection/providers.js';
import { CLOCK } from '../injection/tokens.js';
import type { Logger } from '../logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../metrics/registry.js';
import { WebRegistry } from '../web/registry.js';
import { WebServer } from '../web/server.js';
import { HttpClient } from '../api/http-client.js';
import { DatabaseService } from '../database/database-service.js';

export interface Runtime {
  metrics: MetricsRegistry;
  callbacks: CallbackRegistry;
  web: WebRegistry;
  server: WebServer;
  caches: CacheRegistry;
  tasks: BackgroundTaskRunner;
  bus: InvalidationBus;
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
    /** Where a relative `database.path` resolves from (the config file's directory). */
    baseDir: string;
  },
): Runtime {
  const { logger, clock } = extras;
  const metrics = createMetricsRegistry({ instance: config.instance.name });
  const bus: InvalidationBus = config.cluster
    ? new RedisBus({
        url: config.cluster.redis_url,
        channel: config.cluster.channel,
        instanceName: config.instance.name,
        logger: logger.child({ component: 'cluster' }),
        metrics,
      })
    : new LocalBus();
  const web = new WebRegistry({ reservedPrefixes: config.server.reserved_prefixes, logger });
  const container = rootContainer.createChildContainer();
  container.register(CLOCK, { useValue: clock });
  for (const provider of extras.providers) registerProvider(container, provider);
  return {
    metrics,
    bus,
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
      runBackgroundTasks: config.instance.run_background_tasks,
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
