/**
 * ModuleHost: builds modules from a validated config and runs them.
 * create/fromConfigFile → wire() (construct in config order, wire, seal registries)
 * → start() (bus, onStart in order, listen) → stop() (drain, tasks, onStop in reverse, close).
 * A failure part-way through start() undoes everything already done.
 */
import path from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { Class } from '../../decorators/metadata.js';
import { ModuleApi } from '../api/module-api.js';
import { systemClock, type Clock } from '../clock/clock.js';
import { readConfigFile } from '../config/load-file.js';
import { validateHostConfig } from '../config/host-schema.js';
import type { ConfigSource } from '../config/problem-sink.js';
import type { HostConfig } from '../config/types.js';
import { hostErrors } from '../errors/host-messages.js';
import { injectionErrors } from '../errors/injection-messages.js';
import { ConfigValidationError } from '../errors/modhost-error.js';
import { createModuleContainer, instantiateModule } from '../injection/injector.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/server.js';
import type { HostOptions } from './host-options.js';
import { describeHost, type HostDescription } from './inspect.js';
import { prepareModules, type PreparedModule } from './prepare.js';
import { RedisBus } from '../cluster/redis-bus.js';
import { createRuntime, type Runtime } from './runtime.js';
import { wireDecorated } from './wiring.js';
import { ModuleDatabase } from '../database/types.js';
import { declaredMigrations } from '../database/declared-migrations.js';

interface LiveModule {
  prepared: PreparedModule;
  instance: object;
  container: DependencyContainer;
  started: boolean;
}

type Lifecycle = () => unknown;

/** Waits for `value` at most `ms` (real time, never the fake clock); rejects past that. */
async function settleWithin(value: unknown, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within ${ms} ms; shutdown goes on`)),
      ms,
    );
  });
  try {
    await Promise.race([value, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class ModuleHost {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The Prometheus registry every part reports into (served by the metrics listener). */
  readonly metrics: MetricsRegistry;
  /** Run callbacks: `host.callbacks.run(category, name, ...args)`, `host.callbacks.has(...)`. */
  readonly callbacks: Runtime['callbacks'];

  private readonly runtime: Runtime;
  private live: LiveModule[] = [];
  private wired?: Promise<void>;
  private started?: Promise<void>;
  private stopped?: Promise<void>;
  private metricsServer?: { url: string; close(): Promise<void> };

  private constructor(
    readonly config: HostConfig,
    private readonly prepared: readonly PreparedModule[],
    options: Pick<HostOptions, 'categories' | 'providers'> & {
      logger: Logger;
      clock: Clock;
      baseDir: string;
    },
  ) {
    this.logger = options.logger;
    this.clock = options.clock;
    this.runtime = createRuntime(config, {
      logger: this.logger,
      clock: this.clock,
      categories: options.categories ?? [],
      providers: options.providers ?? [],
      baseDir: options.baseDir,
    });
    this.metrics = this.runtime.metrics;
    this.callbacks = this.runtime.callbacks;
  }

  /** Builds a host from objects; every problem in them is reported at once. */
  static async create(options: HostOptions): Promise<ModuleHost> {
    const { modules, categories, providers, logger, clock, baseDir, ...sections } = options;
    const { config, problems } = validateHostConfig({ ...sections, modules }, {});
    if (!config) throw new ConfigValidationError(problems);
    return ModuleHost.build(
      config,
      baseDir ?? process.cwd(),
      {},
      {
        categories,
        providers,
        logger,
        clock,
      },
    );
  }

  /** Builds a host from a YAML file; module specs resolve relative to the file. */
  static async fromConfigFile(
    file: string,
    options: Pick<HostOptions, 'categories' | 'providers' | 'logger' | 'clock'> & {
      /** Overrides `instance.name` (the CLI's `--instance`). */
      instanceName?: string;
    } = {},
  ): Promise<ModuleHost> {
    const { config, problems, locate, code } = await readConfigFile(file);
    if (!config) throw new ConfigValidationError(problems, code);
    if (options.instanceName) config.instance.name = options.instanceName;
    // Messages name the file as the user wrote it, as the config stage's do.
    const baseDir = path.dirname(config.file ?? path.resolve(file));
    return ModuleHost.build(config, baseDir, { file, locate }, options);
  }

  private static async build(
    config: HostConfig,
    baseDir: string,
    source: ConfigSource,
    options: Pick<HostOptions, 'categories' | 'providers' | 'logger' | 'clock'>,
  ): Promise<ModuleHost> {
    const prepared = await prepareModules(config, baseDir, source);
    const logger = (options.logger ?? createLogger({ level: config.log_level })).child({
      instance: config.instance.name,
    });
    return new ModuleHost(config, prepared, {
      ...options,
      logger,
      clock: options.clock ?? systemClock,
      baseDir,
    });
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:8008`. */
  get url(): string | undefined {
    return this.runtime.server.url;
  }

  /** The metrics listener's URL, when `metrics:` is configured and the host listens. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  /**
   * Constructs every module in config order and wires what it registers, without running
   * onStart or listening (what `modhost check` does). Idempotent; `start()` calls it.
   */
  wire(): Promise<void> {
    if (this.stopped) return Promise.reject(hostErrors.restart());
    this.wired ??= this.doWire().catch(async (err) => {
      await this.dispose();
      throw err;
    });
    return this.wired;
  }

  /** Instantiates, wires, runs onStart in order and listens. Idempotent. */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(hostErrors.restart());
    this.started ??= this.doStart();
    return this.started;
  }

  /** Stops listening (draining in-flight requests), stops tasks, runs onStop in reverse. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.started?.catch(() => undefined);
      await this.wired?.catch(() => undefined);
      await this.shutdown();
    })();
    return this.stopped;
  }

  /** Serves a request as the HTTP listener would, without a socket. */
  fetch(request: Request): Promise<Response> {
    return this.runtime.server.fetch(request);
  }

  /** A module's instance, by name or class. */
  module<T extends object = object>(nameOrClass: string | Class<T>): T {
    const found = this.live.find((m) =>
      typeof nameOrClass === 'string'
        ? m.prepared.blueprint.name === nameOrClass
        : m.prepared.blueprint.cls === nameOrClass,
    );
    if (!found) {
      const what =
        typeof nameOrClass === 'string' ? `named "${nameOrClass}"` : `of class ${nameOrClass.name}`;
      if (!this.wired) throw hostErrors.notWired('host.module()');
      throw hostErrors.unknownModule(
        what,
        this.prepared.map((p) => p.blueprint.name),
      );
    }
    return found.instance as T;
  }

  /**
   * A SQL namespace of the host application's own (schema `host_<name>`) in the modules'
   * database, for state the application keeps beside its modules (docs/database.md).
   */
  database(name: string): ModuleDatabase {
    return this.runtime.database.forHost(name);
  }

  /** Describes modules and their registrations (what `modhost check` prints). */
  inspect(): HostDescription {
    return describeHost(this.config, this.prepared, this.runtime);
  }

  /**
   * Whether the invalidation bus's Redis answers now, as a sentence (`modhost check`); undefined
   * for a single instance without Redis. Connects briefly on its own; never throws.
   */
  async probeBus(): Promise<string | undefined> {
    const { bus } = this.runtime;
    return bus instanceof RedisBus ? (await bus.probe()).detail : undefined;
  }

  private async doWire(): Promise<void> {
    const { runtime } = this;
    for (const prepared of this.prepared) {
      const { blueprint, identity } = prepared;
      const logger = this.logger.child({ module: blueprint.name });
      const api = new ModuleApi({
        identity,
        instanceName: this.config.instance.name,
        publicBaseUrl: this.config.server.public_baseurl,
        logger,
        clock: this.clock,
        callbacks: runtime.callbacks,
        web: runtime.web,
        caches: runtime.caches,
        tasks: runtime.tasks,
        http: runtime.http,
        databases: runtime.database,
      });
      const container = createModuleContainer(runtime.container, blueprint, {
        api,
        config: prepared.config,
        logger,
      });
      const instance = instantiateModule(blueprint, container);
      this.live.push({ prepared, instance, container, started: false });
      wireDecorated(prepared, instance, runtime);
      logger.debug('module constructed');
    }
    runtime.callbacks.seal();
    runtime.web.close();
  }

  private async doStart(): Promise<void> {
    await this.wire();
    try {
      await this.runtime.bus.start();
      // Every module's declared migrations before any onStart, so no module meets old tables.
      for (const m of this.live) {
        const migrations = declaredMigrations(m.prepared.blueprint.cls);
        if (migrations)
          await (m.container.resolve(ModuleDatabase as never) as ModuleDatabase).migrate(
            migrations,
          );
      }
      for (const m of this.live) {
        await this.runHook(m, 'onStart');
        m.started = true;
      }
      if (this.config.server.listen) {
        await this.runtime.server.listen().catch((err) => {
          throw hostErrors.listenFailed(
            `HTTP on ${this.config.server.bind}:${this.config.server.port}`,
            err,
          );
        });
        if (this.config.metrics) {
          this.metricsServer = await startMetricsServer(
            this.metrics,
            this.config.metrics,
            this.logger,
          ).catch((err) => {
            throw hostErrors.listenFailed(
              `metrics on ${this.config.metrics!.bind}:${this.config.metrics!.port}`,
              err,
            );
          });
        }
      }
      this.logger.info(
        {
          modules: this.live.map((m) => m.prepared.blueprint.name),
          bus: this.runtime.bus.describe(),
        },
        'host started',
      );
    } catch (err) {
      // Undo everything done so far, then report the original failure.
      this.stopped ??= this.shutdown();
      await this.stopped;
      throw err;
    }
  }

  private async runHook(m: LiveModule, hook: 'onStart' | 'onStop'): Promise<void> {
    const fn = (m.instance as Record<string, unknown>)[hook] as Lifecycle | undefined;
    if (typeof fn !== 'function') return;
    try {
      const done = fn.call(m.instance);
      // A hung onStop must not keep the rest of the shutdown (and the process) waiting forever.
      await (hook === 'onStop' ? settleWithin(done, this.config.server.drain_timeout) : done);
    } catch (err) {
      throw injectionErrors.hookFailed(m.prepared.blueprint.name, hook, err);
    }
  }

  private async shutdown(): Promise<void> {
    const { runtime } = this;
    await runtime.server.close();
    await this.metricsServer?.close();
    await runtime.tasks.stop();
    for (const m of [...this.live].reverse()) {
      if (!m.started) continue;
      m.started = false;
      await this.runHook(m, 'onStop').catch((err: Error) =>
        this.logger.error({ module: m.prepared.blueprint.name, err }, err.message),
      );
    }
    await this.dispose();
    this.logger.info('host stopped');
  }

  private async dispose(): Promise<void> {
    const { runtime } = this;
    // Modules may start loops from their constructors (as in Synapse): stop those too.
    await runtime.tasks.stop();
    runtime.caches.stop();
    runtime.callbacks.stop();
    await runtime.bus
      .stop()
      .catch((err: Error) => this.logger.warn({ err }, 'closing the invalidation bus failed'));
    for (const m of [...this.live].reverse()) {
      await Promise.resolve(m.container.dispose()).catch(() => undefined);
    }
    this.live = [];
    await runtime.database
      .close()
      .catch((err: Error) => this.logger.warn({ err }, 'closing the database failed'));
  }
}
