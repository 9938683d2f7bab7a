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
import { type ConfigSource, ProblemSink } from '../config/problem-sink.js';
import type { HostConfig } from '../config/types.js';
import type { ErrorCode } from '../errors/codes.js';
import { hostErrors } from '../errors/host-messages.js';
import { injectionErrors } from '../errors/injection-messages.js';
import { ConfigValidationError } from '../errors/modhost-error.js';
import type { InjectionToken } from '../../decorators/metadata.js';
import { createModuleContainer, instantiateModule } from '../injection/injector.js';
import type { ModuleProviders } from '../injection/module-providers.js';
import { groupOverrides } from '../injection/overrides.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/server.js';
import { collectProcessMetrics } from '../metrics/process-metrics.js';
import type { HostOptions } from './host-options.js';
import { describeHost, type HostDescription } from './inspect.js';
import { prepareModules, type PreparedModule, withModuleProblems } from './prepare.js';
import { loadOptionalParts, type OptionalParts } from './optional-parts.js';
import { createRuntime, type Runtime } from './runtime.js';
import { enterActivity, leaveActivity, recurringActivityId } from '../watchdog/activity.js';
import type { Watchdog } from '../watchdog/watchdog.js';
import { wireDecorated } from './wiring.js';
import type { IsolatedModule } from '../isolation/isolated-module.js';
import { isolationErrors } from '../errors/isolation-messages.js';
import { ModuleDatabase } from '../database/types.js';
import { declaredMigrations } from '../database/declared-migrations.js';

interface LiveModule {
  prepared: PreparedModule;
  /** Undefined for an isolated module (its instance lives in its worker thread). */
  instance?: object;
  container?: DependencyContainer;
  providers?: ModuleProviders;
  /** Set for `isolation: worker` modules. */
  isolated?: IsolatedModule;
  started: boolean;
}

type Lifecycle = () => unknown;
type LifecycleHook = 'onStart' | 'onReady' | 'beforeStop' | 'onStop';

type Settled =
  { done: false } | { done: true; failed: false } | { done: true; failed: true; error: unknown };

/** Waits for `value` at most `ms` (real time, never the fake clock); says how it ended. */
async function settledWithin(value: unknown, ms: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve(value).then(
        (): Settled => ({ done: true, failed: false }),
        (error: unknown): Settled => ({ done: true, failed: true, error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

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
  private watchdog?: Watchdog;
  /** Where module specs resolve from (isolated modules' workers load them from here too). */
  private readonly baseDir: string;
  private readonly overrides: NonNullable<HostOptions['overrides']>;

  private constructor(
    readonly config: HostConfig,
    private readonly prepared: readonly PreparedModule[],
    options: Pick<HostOptions, 'categories' | 'providers' | 'overrides'> & {
      logger: Logger;
      clock: Clock;
      parts: OptionalParts;
      baseDir: string;
    },
    /** Where the config came from: problems found while building modules point into it. */
    private readonly source: ConfigSource = {},
  ) {
    this.baseDir = options.baseDir;
    this.overrides = options.overrides ?? [];
    this.logger = options.logger;
    this.clock = options.clock;
    this.runtime = createRuntime(config, {
      logger: this.logger,
      clock: this.clock,
      categories: options.categories ?? [],
      providers: options.providers ?? [],
      parts: options.parts,
      baseDir: options.baseDir,
    });
    this.metrics = this.runtime.metrics;
    this.callbacks = this.runtime.callbacks;
  }

  /** Builds a host from objects; every problem in them is reported at once. */
  static async create(options: HostOptions): Promise<ModuleHost> {
    const { modules, categories, providers, overrides, logger, clock, baseDir, ...sections } =
      options;
    const { config, problems, modules: valid } = validateHostConfig({ ...sections, modules }, {});
    if (!config)
      throw new ConfigValidationError(
        await withModuleProblems(problems, valid ?? [], baseDir ?? process.cwd(), {}),
      );
    return ModuleHost.build(
      config,
      baseDir ?? process.cwd(),
      {},
      {
        categories,
        providers,
        overrides,
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
      /** `false`: never listen, whatever `server.listen` says (`modhost call`). */
      listen?: false;
    } = {},
  ): Promise<ModuleHost> {
    const { config, problems, locate, code, modules } = await readConfigFile(file);
    if (!config) {
      // A host-level problem does not hide the modules' own: check those too, in one report.
      const all =
        modules === undefined
          ? problems
          : await withModuleProblems(problems, modules, path.dirname(path.resolve(file)), {
              file,
              locate,
            });
      throw new ConfigValidationError(all, code);
    }
    if (options.instanceName) config.instance.name = options.instanceName;
    if (options.listen === false) config.server.listen = false;
    // Messages name the file as the user wrote it, as the config stage's do.
    const baseDir = path.dirname(config.file ?? path.resolve(file));
    return ModuleHost.build(config, baseDir, { file, locate }, options);
  }

  private static async build(
    config: HostConfig,
    baseDir: string,
    source: ConfigSource,
    options: Pick<HostOptions, 'categories' | 'providers' | 'overrides' | 'logger' | 'clock'>,
  ): Promise<ModuleHost> {
    const prepared = await prepareModules(config.modules, baseDir, source);
    const logger = (options.logger ?? createLogger({ level: config.log_level })).child({
      instance: config.instance.name,
    });
    return new ModuleHost(
      config,
      prepared,
      {
        ...options,
        parts: await loadOptionalParts(config),
        baseDir,
        logger,
        clock: options.clock ?? systemClock,
      },
      source,
    );
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
    if (found.isolated) throw isolationErrors.noInstance(found.prepared.blueprint.name);
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
    return describeHost(
      this.config,
      this.prepared,
      this.runtime,
      (name) => this.live.find((m) => m.prepared.blueprint.name === name)?.isolated?.caches,
    );
  }

  /**
   * Whether the invalidation bus's Redis answers now, as a sentence (`modhost check`); undefined
   * for a single instance without Redis. Connects briefly on its own; never throws.
   */
  async probeBus(): Promise<string | undefined> {
    return (await this.runtime.bus.probe?.())?.detail;
  }

  /**
   * Reads the lease holder and the scheduled tasks' state from Redis into what `inspect()`
   * describes, for a host that is not started (`modhost inspect`). Bounded; never throws.
   */
  async probeBackground(): Promise<void> {
    const { gate, scheduler } = this.runtime;
    await Promise.all([
      gate.probe?.(),
      Promise.race([
        scheduler.refresh(),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]),
    ]);
  }

  /**
   * Builds every module even after one failed, so that one run reports every problem, each
   * located at its module's entry (`modules[i].module`); then throws them together.
   */
  private async doWire(): Promise<void> {
    const { runtime } = this;
    const problems = new ProblemSink(this.source);
    const failures: { code: ErrorCode | undefined; error: unknown }[] = [];
    const report = (index: number, error: unknown) => {
      problems.add(['modules', index, 'module'], describeFailure(error));
      failures.push({ code: (error as { code?: ErrorCode } | null)?.code, error });
    };
    const overridesOf = groupOverrides(
      this.overrides,
      this.prepared.map((p) => ({ name: p.blueprint.name, cls: p.blueprint.cls })),
    );
    // What earlier modules export; each later module's container can resolve it.
    const exported = new Map<InjectionToken, () => unknown>();
    for (const prepared of this.prepared) {
      const { blueprint, identity } = prepared;
      if (prepared.entry.worker) {
        // The testing kit's overrides are objects of this thread: refused, not silently unused.
        const refused = this.overrides.find(
          (o) => o.module === blueprint.name || o.module === blueprint.cls,
        );
        if (refused) {
          report(identity.index, isolationErrors.overrideAcross(blueprint.name, refused.provide));
          continue;
        }
        try {
          // Worker machinery is imported only by a host that isolates a module.
          const { IsolatedModule } = await import('../isolation/isolated-module.js');
          const isolated = await IsolatedModule.create(prepared, {
            runtime,
            clock: this.clock,
            config: this.config,
            logger: this.logger,
            baseDir: this.baseDir,
          });
          this.live.push({ prepared, isolated, started: false });
        } catch (error) {
          report(identity.index, error);
        }
        continue;
      }
      const logger = this.logger.child({ module: blueprint.name });
      const overrides = overridesOf(runtime.container, blueprint);
      const api = new ModuleApi({
        identity,
        instanceName: this.config.instance.name,
        publicBaseUrl: this.config.server.public_baseurl,
        logger,
        clock: overrides.clock ?? this.clock,
        callbacks: runtime.callbacks,
        web: runtime.web,
        caches: runtime.caches,
        tasks: runtime.tasks,
        scheduler: runtime.scheduler,
        http: overrides.http ?? runtime.http,
        databases: runtime.database,
      });
      const built = createModuleContainer(runtime.container, blueprint, {
        api,
        config: prepared.config,
        logger,
        imports: exported,
        overrides: overrides.providers,
      });
      const { container, providers } = built;
      // Pushed before construction so providers built for a module that then fails are disposed.
      const live: LiveModule = { prepared, container, providers, started: false };
      this.live.push(live);
      const previous = enterActivity(
        recurringActivityId({ module: blueprint.name, kind: 'hook', name: 'constructor' }),
      );
      let instance: object;
      try {
        instance = instantiateModule(blueprint, built);
      } catch (error) {
        report(identity.index, error);
        continue;
      } finally {
        leaveActivity(previous);
      }
      live.instance = instance;
      for (const token of blueprint.exports)
        exported.set(token, () => container.resolve(token as never));
      for (const error of wireDecorated(prepared, instance, runtime)) report(identity.index, error);
      logger.debug('module constructed');
    }
    for (const { module, error } of runtime.callbacks.pairProblems()) {
      const owner = this.prepared.find((p) => p.identity.name === module);
      report(owner?.identity.index ?? -1, error);
    }
    if (problems.count > 0) {
      const codes = new Set(failures.map((f) => f.code));
      // One kind of failure keeps its own code (and one failure its error as the cause).
      const code = codes.size === 1 ? [...codes][0] : undefined;
      throw new ConfigValidationError(problems.sorted(), code, {
        cause: failures.length === 1 ? failures[0]!.error : undefined,
      });
    }
    runtime.callbacks.seal();
    runtime.web.close();
    const verify = runtime.bus.verify?.bind(runtime.bus);
    if (verify) runtime.server.setBeforeHandler(verify);
    const isolated = this.live.flatMap((m) => (m.isolated ? [m.isolated] : []));
    if (isolated.length > 0)
      runtime.server.setHealthProblems(() =>
        isolated.flatMap((m) => (m.problem !== undefined ? [m.problem] : [])),
      );
  }

  private async doStart(): Promise<void> {
    // Watched from the start: a constructor or onStart that spins is caught like a handler.
    if (this.config.server.listen) collectProcessMetrics(this.metrics);
    if (this.config.server.listen && this.config.watchdog.enabled) {
      const { startWatchdog } = await import('../watchdog/watchdog.js');
      this.watchdog = startWatchdog(this.config.watchdog, {
        logger: this.logger,
        metrics: this.metrics,
        instance: this.config.instance.name,
      });
    }
    try {
      await this.wire();
    } catch (err) {
      await this.watchdog?.stop();
      throw err;
    }
    try {
      await this.runtime.bus.start();
      await this.runtime.gate.start();
      // Every module's declared migrations before any onStart, so no module meets old tables.
      for (const m of this.live) {
        const migrations = declaredMigrations(m.prepared.blueprint.cls);
        if (migrations)
          await (
            m.isolated
              ? m.isolated.database()
              : (m.container?.resolve(ModuleDatabase as never) as ModuleDatabase | undefined)
          )?.migrate(migrations);
      }
      for (const m of this.live) {
        await this.runHook(m, 'onStart');
        m.started = true;
      }
      await this.runtime.scheduler.start();
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
      // Listening (when the host listens) and every onStart done: onReady in config order.
      for (const m of this.live) await this.runHook(m, 'onReady');
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

  private async runHook(m: LiveModule, hook: LifecycleHook): Promise<void> {
    const fn = m.isolated
      ? () => m.isolated!.hook(hook)
      : ((m.instance as Record<string, unknown>)[hook] as Lifecycle | undefined);
    if (typeof fn !== 'function') return;
    const name = m.prepared.blueprint.name;
    let done: unknown;
    try {
      const previous = enterActivity(
        recurringActivityId({ module: name, kind: 'hook', name: hook }),
      );
      try {
        done = fn.call(m.instance);
      } finally {
        leaveActivity(previous);
      }
    } catch (err) {
      throw injectionErrors.hookFailed(name, hook, err);
    }
    if (hook === 'onStart' || hook === 'onReady') {
      // A hung onStart must fail the start, naming the module, not hang or end it silently
      // (the pending timer also keeps the process alive until then).
      const own = m.prepared.entry.start_timeout;
      const ms = own ?? this.config.start_timeout;
      const setting =
        own !== undefined ? `modules[${m.prepared.entry.index}].start_timeout` : 'start_timeout';
      const settled = await settledWithin(done, ms);
      if (!settled.done) throw hostErrors.startTimeout(name, ms, setting);
      if (settled.failed) throw injectionErrors.hookFailed(name, hook, settled.error);
      return;
    }
    try {
      // A hung onStop must not keep the rest of the shutdown (and the process) waiting forever.
      await settleWithin(done, this.config.server.drain_timeout);
    } catch (err) {
      throw injectionErrors.hookFailed(name, hook, err);
    }
  }

  private async shutdown(): Promise<void> {
    const { runtime } = this;
    // Before the drain, newest module first, while requests and callbacks are still served.
    for (const m of [...this.live].reverse()) {
      if (!m.started) continue;
      await this.runHook(m, 'beforeStop').catch((err: Error) =>
        this.logger.error({ module: m.prepared.blueprint.name, err }, err.message),
      );
    }
    await runtime.server.close();
    await this.metricsServer?.close();
    await runtime.tasks.stop();
    await runtime.scheduler.stop();
    for (const m of [...this.live].reverse()) {
      if (!m.started) continue;
      m.started = false;
      await this.runHook(m, 'onStop').catch((err: Error) =>
        this.logger.error({ module: m.prepared.blueprint.name, err }, err.message),
      );
    }
    await this.dispose();
    // Last: onStop hooks are module code too, and may block.
    await this.watchdog?.stop();
    this.logger.info('host stopped');
  }

  private async dispose(): Promise<void> {
    const { runtime } = this;
    // Modules may start loops from their constructors (as in Synapse): stop those too.
    await runtime.tasks.stop();
    await runtime.scheduler.stop();
    // After the tasks stopped: releasing the lease lets another instance start them at once.
    await runtime.gate.stop();
    runtime.caches.stop();
    runtime.callbacks.stop();
    await runtime.bus
      .stop()
      .catch((err: Error) => this.logger.warn({ err }, 'closing the invalidation bus failed'));
    for (const m of [...this.live].reverse()) {
      await m.isolated?.stop();
      await m.providers?.dispose((err) =>
        this.logger.error({ module: m.prepared.blueprint.name, err }, err.message),
      );
      await Promise.resolve(m.container?.dispose()).catch(() => undefined);
    }
    this.live = [];
    await runtime.database
      .close()
      .catch((err: Error) => this.logger.warn({ err }, 'closing the database failed'));
  }
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
