/**
 * The host side of an isolated module: it runs the module in a worker thread, registers proxy
 * callbacks and web resources for what the worker's module registered (so the host's
 * registries and their fast in-process path are untouched), forwards the invalidation bus and
 * timer ticks, and supervises the worker: a worker that stops answering past a deadline is
 * terminated, its in-flight calls fail as timeouts and its requests get 503, and it is rebuilt
 * with backoff until `max_restarts` within `restart_window`, after which it stays down.
 */
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Counter, Gauge } from '../metrics/prom-client.js';
import { ModuleApi } from '../api/module-api.js';
import type {
  DelayedCallHandle,
  LoopHandle,
  ModuleIdentity,
  WebRequestContext,
} from '../api/services.js';
import type { TaskRunContext } from '../scheduler/schedule-options.js';
import type { TaskHandle } from '../scheduler/scheduler.js';
import type { CacheStats } from '../cache/cache-core.js';
import { type NamedStats, reportCacheMetrics } from '../cache/cache-metrics.js';
import type { CacheDescription } from '../cache/registry.js';
import type { ModuleDatabase } from '../database/types.js';
import { CallbackTimeoutError } from '../callbacks/invoke.js';
import { type Clock, systemClock } from '../clock/clock.js';
import { FakeClock } from '../clock/fake-clock.js';
import type { HostConfig, WorkerSettings } from '../config/types.js';
import { ErrorCode } from '../errors/codes.js';
import {
  isolationErrors,
  restartingMessage,
  stayingDownMessage,
} from '../errors/isolation-messages.js';
import type { ModhostError } from '../errors/modhost-error.js';
import { CLOCK, MODULE_CONFIG, MODULE_LOGGER } from '../injection/tokens.js';
import { LEVEL_NAMES, type Logger } from '../logging/logger.js';
import type { PreparedModule } from '../host/prepare.js';
import type { Runtime } from '../host/runtime.js';
import { errorResponse } from '../web/dispatch.js';
import { crossingProblem } from './crossing.js';
import { DatabaseServer } from './database-bridge.js';
import type { PollStats } from './halt-poll.js';
import { reportPolls } from './poll-metrics.js';
import { Channel } from './protocol.js';
import { describeProvider, ProviderServer } from './provider-bridge.js';
import { RestartPolicy } from './restart-policy.js';
import { requestToWire, responseFromWire, type WireResponse } from './web-bridge.js';
import type { WorkerBoot, WorkerInit } from './worker-entry.js';
import {
  type HeapUsage,
  reportWorkerUsage,
  UtilizationMeter,
  type WorkerUsage,
} from './worker-usage.js';
import { blockedLoopCounter } from '../metrics/module-metrics.js';
import type { FnRef, Manifest } from './worker-services.js';

const WORKER_URL = new URL('./worker-entry.js', import.meta.url);
/** The request deadline when neither the module entry nor `server.handler_timeout` sets one. */
export const DEFAULT_HANDLER_TIMEOUT = 30_000;
/** How long a loading worker may go without answering a ping (imports block its loop). */
const BOOT_GRACE_MS = 15_000;
/** How long a stopping worker may take to dispose the module's own providers. */
const DISPOSE_TIMEOUT_MS = 5_000;
/** How long a metrics scrape waits for an isolated module's cache counters. */
const STATS_TIMEOUT_MS = 1_000;
/** How long a fake clock's `advance` waits for this module's timer runs in the worker. */
const SETTLE_LIMIT_MS = 5_000;
/** How often deadlines and liveness are checked. */
const TICK_MS = 100;
/** A tick this late means the host's own event loop was held up, not the worker's. */
const HOST_STALL_MS = 1_000;

type State = 'starting' | 'running' | 'restarting' | 'down' | 'stopped';

interface Watch {
  deadline: number;
  expire(): void;
}

export interface IsolationContext {
  runtime: Runtime;
  clock: Clock;
  config: HostConfig;
  logger: Logger;
  baseDir: string;
}

const isFnRef = (v: unknown): v is FnRef =>
  typeof v === 'object' && v !== null && typeof (v as FnRef).$fn === 'number';

export class IsolatedModule {
  state: State = 'starting';
  readonly name: string;
  private readonly identity: ModuleIdentity;
  private readonly settings: WorkerSettings;
  private readonly policy: RestartPolicy;
  private readonly logger: Logger;
  private worker: Worker | undefined;
  private channel: Channel | undefined;
  private generation = 0;
  private alive = false;
  /** While the worker imports and constructs the module (a big module graph evaluates synchronously). */
  private booting = false;
  /** Why the last worker ended, and whether it was terminated for not answering. */
  private lastEnd = { why: '', stuck: false };
  private manifest: Manifest | undefined;
  private readonly watched = new Set<Watch>();
  private ticker: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private pingSentAt: number | undefined;
  private lastPong = 0;
  private lastTick = 0;
  private readonly tasks = new Map<number, LoopHandle | DelayedCallHandle | TaskHandle>();
  private nextRid = 1;
  private hostStarted = false;
  private readonly handlerTimeout: number;
  private stopCacheMetrics = (): void => undefined;
  private stopUsageMetrics = (): void => undefined;
  private stopPollMetrics = (): void => undefined;
  /** The worker's heap as last reported (undefined until its first answer). */
  private heap: HeapUsage | undefined;
  private readonly utilization = new UtilizationMeter();
  /** The worker's cache counters as last reported (kept while it restarts or is down). */
  private cacheCounts: NamedStats[] = [];
  private readonly callbackTimeout: number;
  /** The current worker's database ops and provider calls, served here. */
  private databaseServer: DatabaseServer | undefined;
  private providerServer: ProviderServer | undefined;
  /** Host providers the worker reaches through proxies (their values stay here). */
  private proxied: { label: string; value: object }[] = [];
  private db: ModuleDatabase | undefined;
  /** Looping and delayed call runs in the worker not finished yet. */
  private readonly runs = new Set<Promise<unknown>>();
  private removeSettler = (): void => undefined;

  private constructor(
    private readonly prepared: PreparedModule,
    private readonly ctx: IsolationContext,
  ) {
    this.identity = prepared.identity;
    this.name = prepared.identity.name;
    this.settings = prepared.entry.worker!;
    this.policy = new RestartPolicy(this.settings);
    this.logger = ctx.logger;
    const server = ctx.config.server as { handler_timeout?: number };
    this.handlerTimeout =
      this.settings.handler_timeout ?? server.handler_timeout ?? DEFAULT_HANDLER_TIMEOUT;
    this.callbackTimeout = this.identity.callback_timeout ?? ctx.config.callback_timeout ?? 0;
    const prefix = `${this.name}.`;
    // A request, not an event: the bus acknowledges the batch once the worker applied it (a
    // worker that is gone holds no cache, so its rejection counts as applied).
    ctx.runtime.bus.onMessage((m) =>
      m.cache.startsWith(prefix) ? this.channel?.request('bus', m) : undefined,
    );
    ctx.runtime.bus.onStateChange((s) => this.channel?.notify('bus-state', s));
    // The background-task lease follows the host: the worker's api sees its changes.
    ctx.runtime.tasks.onBackgroundTasksChange((runs) =>
      this.channel?.notify('background', { runs }),
    );
    // A test's fake clock: each advance waits for the runs it started here (bounded, since a
    // run may wait for a later advance), as in process they finish within its microtasks.
    if (ctx.clock instanceof FakeClock)
      this.removeSettler = ctx.clock.addSettler(async () => {
        if (this.runs.size > 0) await bounded(Promise.all([...this.runs]), SETTLE_LIMIT_MS);
      });
  }

  /** One timer run in the worker, tracked for the fake clock's `advance`. */
  private runTask(channel: Channel, id: number): Promise<unknown> {
    const run = channel.request('task', { id, now: this.now() });
    this.runs.add(run);
    const done = () => this.runs.delete(run);
    run.then(done, done);
    return run;
  }

  /** Starts the worker, constructs the module there and registers its proxies in the host. */
  static async create(prepared: PreparedModule, ctx: IsolationContext): Promise<IsolatedModule> {
    const m = new IsolatedModule(prepared, ctx);
    m.manifest = await m.spawn();
    m.register(m.manifest);
    // The module's caches live in the worker: /metrics asks it for their counters.
    m.stopCacheMetrics = reportCacheMetrics(ctx.runtime.metrics, () => m.cacheStats());
    m.stopUsageMetrics = reportWorkerUsage(ctx.runtime.metrics, () => m.usage());
    m.stopPollMetrics = reportPolls(ctx.runtime.metrics, async () => ({
      module: m.name,
      ...(await m.pollStats()),
    }));
    m.state = 'running';
    moduleMetrics(ctx.runtime).up.set({ module: m.name }, 1);
    return m;
  }

  /** The module's caches (they live in the worker), for `host.inspect()`. */
  get caches(): CacheDescription[] {
    return this.manifest?.caches ?? [];
  }

  /** Transactions the current worker has open on the host (none outlive it). */
  get openTransactions(): number {
    return this.databaseServer?.openTransactions ?? 0;
  }

  /** The module's namespace of the host's database (its worker's statements run here). */
  database(): ModuleDatabase {
    this.db ??= this.ctx.runtime.database.forModule(this.name);
    return this.db;
  }

  /** Why /health should report this module, or undefined while it serves. */
  get problem(): string | undefined {
    return this.state === 'down' ? `module ${this.name} is down (${this.lastEnd.why})` : undefined;
  }

  /** Runs a lifecycle hook in the worker (onStart, onReady, beforeStop, onStop). */
  async hook(name: 'onStart' | 'onReady' | 'beforeStop' | 'onStop'): Promise<void> {
    if (name === 'onStart') this.hostStarted = true;
    else if (name === 'onStop') this.hostStarted = false;
    else if (this.state !== 'running') return;
    if (this.state !== 'running') {
      if (name === 'onStart') throw this.unavailable();
      return;
    }
    const has = name === 'onStart' ? this.manifest!.hasOnStart : this.manifest!.hasOnStop;
    if (has) await this.channel!.request('hook', { name, now: this.now() });
  }

  /** Ends the worker for good (host stop). */
  async stop(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    this.stopCacheMetrics();
    this.removeSettler();
    this.stopUsageMetrics();
    this.stopPollMetrics();
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    // The module's own providers get their onStop/dispose in the worker, bounded.
    if (wasRunning && this.alive)
      await bounded(this.channel!.request('dispose', null), DISPOSE_TIMEOUT_MS);
    this.end('was stopped with the host', false);
    await worker?.terminate();
  }

  /** The worker's cache counters for a metrics scrape; the last known when it cannot answer. */
  private async cacheStats(): Promise<NamedStats[]> {
    if (this.state !== 'running' || !this.alive || this.manifest?.caches.length === 0)
      return this.cacheCounts;
    const asked = this.channel!.request<{ name: string; stats: CacheStats }[]>('cache-stats', null);
    const got = await bounded(asked, STATS_TIMEOUT_MS);
    if (got !== undefined)
      this.cacheCounts = got.map(({ name, stats }) => ({ name, stats: () => stats }));
    return this.cacheCounts;
  }

  /** The worker's heap and event-loop use for a metrics scrape (no heap without a worker). */
  private async usage(): Promise<WorkerUsage> {
    const worker = this.worker;
    if (!this.alive || worker === undefined)
      return { module: this.name, heap: undefined, utilization: undefined };
    const utilization = this.utilization.read(worker.performance);
    // A worker that cannot answer (booting, stuck) shows its last reported heap.
    if (!this.booting) {
      const got = await bounded(this.channel!.request<HeapUsage>('usage', null), STATS_TIMEOUT_MS);
      if (got !== undefined) this.heap = got;
    }
    return { module: this.name, heap: this.heap, utilization };
  }

  /**
   * What the current worker's call polling did, on each side (undefined: polling is off, or no
   * worker answers); see halt-poll.ts.
   */
  async pollStats(): Promise<{ host?: PollStats; worker?: PollStats }> {
    const host = this.channel?.pollStats;
    if (!this.alive || this.booting || host === undefined) return { host };
    const worker = await bounded(
      this.channel!.request<PollStats | undefined>('poll-stats', null),
      STATS_TIMEOUT_MS,
    );
    return { host, worker };
  }

  // ---- the worker -------------------------------------------------------------------------

  private initData(): WorkerInit {
    const { runtime, config } = this.ctx;
    return {
      spec: this.prepared.entry.module as string,
      baseDir: this.ctx.baseDir,
      identity: { ...this.identity },
      config: this.prepared.entry.config,
      instanceName: config.instance.name,
      publicBaseUrl: config.server.public_baseurl,
      logLevel: this.logger.level,
      runBackgroundTasks: runtime.tasks.shouldRunBackgroundTasks(),
      caches: config.caches,
      bus: { kind: runtime.bus.kind, state: runtime.bus.state },
      realClock: this.ctx.clock === systemClock,
      providers: this.crossingProviders(),
      database: { schema: this.database().schema, engine: this.database().engine },
    };
  }

  /** The host providers the constructor asks for, checked to be able to cross. */
  private crossingProviders(): WorkerInit['providers'] {
    const { blueprint } = this.prepared;
    const host = this.ctx.runtime.container;
    const local = new Set<unknown>([ModuleApi, MODULE_CONFIG, MODULE_LOGGER, CLOCK]);
    if (blueprint.configClass) local.add(blueprint.configClass);
    const out: WorkerInit['providers'] = [];
    this.proxied = [];
    for (const { index, token } of blueprint.parameters) {
      if (token === undefined || local.has(token) || !host.isRegistered(token as never, true))
        continue;
      const key =
        typeof token === 'string'
          ? token
          : typeof token === 'symbol'
            ? Symbol.keyFor(token)
            : undefined;
      const what = `constructor parameter #${index} (the host provider ${String((token as { name?: string }).name ?? String(token))})`;
      if (key === undefined)
        throw isolationErrors.cannotCross(
          this.name,
          what,
          '',
          'its token is a class or a local symbol, which means nothing in another thread; provide it under a string or Symbol.for() token',
        );
      const value = host.resolve(token as never) as unknown;
      const problem = crossingProblem(value);
      const symbol = typeof token === 'symbol';
      if (problem === undefined) out.push({ token: key, symbol, value });
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        // A live object (an API client): the worker gets a proxy whose calls come here.
        out.push({
          token: key,
          symbol,
          proxy: describeProvider(value),
          index: this.proxied.length,
        });
        this.proxied.push({ label: key, value });
      } else throw isolationErrors.cannotCross(this.name, what, problem.where, problem.problem);
    }
    return out;
  }

  private async spawn(): Promise<Manifest> {
    // Checked before a thread exists: a provider that cannot cross is a load error.
    const init = this.initData();
    const gen = ++this.generation;
    const maxHeap = this.settings.max_heap;
    // The protocol has a channel of its own, not the worker's: both ends are then MessagePorts,
    // which either side can poll synchronously (receiveMessageOnPort) where it would sleep.
    const { port1, port2 } = new MessageChannel();
    const workerData: WorkerBoot = { port: port2, callPolling: this.settings.call_polling };
    const worker = new Worker(WORKER_URL, {
      ...(maxHeap !== undefined
        ? { resourceLimits: { maxOldGenerationSizeMb: Math.max(1, Math.ceil(maxHeap / 2 ** 20)) } }
        : {}),
      stdout: false,
      stderr: false,
      workerData,
      transferList: [port2],
    });
    const channel = new Channel(port1, this.settings.call_polling);
    this.databaseServer = new DatabaseServer(channel, () => this.database());
    this.providerServer =
      this.proxied.length > 0 ? new ProviderServer(this.name, channel, this.proxied) : undefined;
    const link = this.providerServer?.link;
    if (link !== undefined) init.providerLink = link;
    this.worker = worker;
    this.channel = channel;
    this.heap = undefined;
    this.utilization.reset();
    this.alive = true;
    this.booting = true;
    this.pingSentAt = undefined;
    this.lastPong = this.lastTick = performance.now();
    this.listen(channel);
    worker.on('error', (err: Error & { code?: string }) =>
      this.failed(
        gen,
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `ran out of memory (resource_limits.max_heap: ${maxHeap} bytes)`
          : `crashed: ${err.message}`,
        err,
      ),
    );
    worker.on('exit', (code) => this.failed(gen, `exited (code ${code})`));
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.tick(gen), TICK_MS).unref();
    try {
      const manifest = await channel.request<Manifest>(
        'init',
        init,
        link !== undefined ? [link.port] : undefined,
      );
      this.booting = false;
      return manifest;
    } catch (err) {
      this.end(`failed to load: ${(err as Error).message}`, false);
      await worker.terminate();
      throw err;
    }
  }

  private listen(channel: Channel): void {
    const { runtime } = this.ctx;
    channel.handle('log', (line) => this.relayLog(line as string));
    channel.handle('publish', (m) => runtime.bus.publish(m as never));
    channel.handle('loop', (body) => {
      const { id, intervalMs, options } = body as { id: number; intervalMs: number; options: {} };
      const run = () => this.runTask(channel, id);
      this.tasks.set(id, runtime.tasks.loopingCall(this.identity, run, intervalMs, options));
    });
    channel.handle('delay', (body) => {
      const { id, delayMs } = body as { id: number; delayMs: number };
      const run = () => {
        this.tasks.delete(id);
        return this.runTask(channel, id);
      };
      this.tasks.set(id, runtime.tasks.delayedCall(this.identity, delayMs, run));
    });
    channel.handle('schedule', (body) => {
      const { id, options } = body as { id: number; options: object };
      const run = (context: TaskRunContext) => this.runScheduled(channel, id, context);
      try {
        this.tasks.set(id, runtime.scheduler.schedule(this.identity, options, run));
      } catch (err) {
        // Checked in the worker already; what is left is the host's own state (stopping).
        this.logger.error({ module: this.name, err }, (err as Error).message);
      }
    });
    channel.handle('untask', (body) => {
      const id = (body as { id: number }).id;
      stopTask(this.tasks.get(id));
      this.tasks.delete(id);
    });
  }

  /** One run of a scheduled task in the worker; an abort of its signal is sent across. */
  private async runScheduled(channel: Channel, id: number, context: TaskRunContext): Promise<void> {
    const run = this.nextRid++;
    const { signal, scheduledAt, taskId } = context;
    const onAbort = () => {
      const reason = signal.reason as Error | undefined;
      channel.notify('abort-run', {
        run,
        reason: { name: reason?.name ?? 'AbortError', message: reason?.message ?? 'aborted' },
      });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await channel.request('scheduled', { id, run, scheduledAt, taskId, now: this.now() });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private relayLog(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, msg, time: _time, ...fields } = record;
    const method = (LEVEL_NAMES[level as number] ?? 'info') as 'info';
    this.logger[method](fields, typeof msg === 'string' ? msg : '');
  }

  // ---- proxies ------------------------------------------------------------------------------

  private register(manifest: Manifest): void {
    const { runtime } = this.ctx;
    for (const { category, callbacks } of manifest.callbacks) {
      const rebuilt = this.rebuild(callbacks, (fn, name) => {
        // A worker terminated for not answering fails its calls as timeouts (built once here,
        // not per call).
        const closed = () =>
          this.lastEnd.stuck
            ? new CallbackTimeoutError(
                this.name,
                category,
                name,
                this.callbackTimeout || this.settings.blocked_timeout,
              )
            : undefined;
        return (...args: unknown[]) => this.call(fn, args, category, name, closed);
      }) as Record<string, unknown>;
      runtime.callbacks.register(this.identity, category, rebuilt);
    }
    for (const { path, handler, options } of manifest.resources) {
      const rebuilt = this.rebuild(
        handler,
        (fn) => (request: Request, context: WebRequestContext) => this.fetch(fn, request, context),
      );
      runtime.web.register(this.identity, path, rebuilt as never, options);
    }
  }

  /** The manifest value with each FnRef replaced by the proxy `make` builds. */
  private rebuild(
    value: unknown,
    make: (fn: number, name: string) => Function,
    name = '',
  ): unknown {
    if (isFnRef(value)) return make(value.$fn, name);
    if (Array.isArray(value)) return value.map((v) => this.rebuild(v, make, name));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.rebuild(v, make, name || k)]),
      );
    return value;
  }

  private call(
    fn: number,
    args: unknown[],
    category: string,
    callback: string,
    closed: () => Error | undefined,
  ): Promise<unknown> {
    const channel = this.channel;
    if (this.state !== 'running' || channel === undefined)
      return Promise.reject(this.unavailable());
    for (let i = 0; i < args.length; i++) {
      const problem = crossingProblem(args[i]);
      if (problem)
        return Promise.reject(
          isolationErrors.cannotCross(
            this.name,
            `argument ${i + 1} of callback ${category}.${callback}`,
            problem.where,
            problem.problem,
          ),
        );
    }
    const sent = channel.call(fn, args, this.now(), closed);
    if (this.callbackTimeout === 0) return sent;
    const watch: Watch = {
      deadline: performance.now() + this.callbackTimeout,
      expire: () => this.probe(),
    };
    this.watched.add(watch);
    const done = () => this.watched.delete(watch);
    return sent.then(
      (v) => (done(), v),
      (e: unknown) => {
        done();
        throw e;
      },
    );
  }

  private fetch(fn: number, request: Request, context: WebRequestContext): Promise<Response> {
    const channel = this.channel;
    if (this.state !== 'running' || channel === undefined)
      return Promise.resolve(unavailableResponse());
    const rid = this.nextRid++;
    const wire = requestToWire(channel, fn, rid, request, context);
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const watch: Watch = {
        deadline: performance.now() + this.handlerTimeout,
        expire: () => {
          if (settled) return;
          settled = true;
          channel.notify('cancel', { rid });
          this.logger.warn(
            { module: this.name, method: request.method, url: request.url },
            `module ${this.name} did not answer within ${this.handlerTimeout} ms; answered 503`,
          );
          resolve(timeoutResponse());
          this.probe();
        },
      };
      this.watched.add(watch);
      // The answer settles this promise itself: no promise of the channel's in between.
      channel.requestCompact('fetch', wire, this.now(), {
        resolve: (res) => {
          this.watched.delete(watch);
          let response: Response;
          try {
            response = responseFromWire(channel, res as WireResponse);
          } catch (err) {
            // Called from the channel's dispatch: a throw must not cut its batch short.
            if (!settled) reject(err);
            settled = true;
            return;
          }
          if (settled) return void response.body?.cancel().catch(() => undefined);
          settled = true;
          resolve(response);
        },
        reject: (err) => {
          this.watched.delete(watch);
          if (settled) return;
          settled = true;
          if ((err as ModhostError).code === ErrorCode.WORKER_EXITED)
            resolve(unavailableResponse());
          else reject(err);
        },
      });
    });
  }

  // ---- supervision --------------------------------------------------------------------------

  private tick(gen: number): void {
    if (gen !== this.generation || !this.alive) return;
    const now = performance.now();
    // The host's loop was held up (PGlite's WebAssembly, a synchronous import): the pong may be
    // waiting in its queue, so an unanswered ping is no evidence against the worker yet.
    if (this.pingSentAt !== undefined && now - this.lastTick > HOST_STALL_MS) this.pingSentAt = now;
    this.lastTick = now;
    for (const w of this.watched)
      if (w.deadline <= now) {
        this.watched.delete(w);
        w.expire();
      }
    const { blocked_timeout } = this.settings;
    // Loading may evaluate a large module graph without yielding: allow it longer.
    const grace = this.booting
      ? Math.max(blocked_timeout, BOOT_GRACE_MS)
      : Math.min(blocked_timeout / 2, 2000);
    if (this.pingSentAt !== undefined) {
      const waited = now - this.pingSentAt;
      if (waited > grace)
        this.failed(
          gen,
          `stopped answering (its event loop was blocked for over ${Math.round(waited)} ms) and was terminated`,
          undefined,
          true,
        );
    } else if (now - this.lastPong >= blocked_timeout / 2) this.probe();
  }

  /** Asks the worker whether its event loop still turns. */
  private probe(): void {
    if (this.pingSentAt !== undefined || !this.alive) return;
    this.pingSentAt = performance.now();
    this.channel!.request('ping', null).then(
      () => {
        this.pingSentAt = undefined;
        this.lastPong = performance.now();
      },
      () => undefined,
    );
  }

  /** The current worker is gone: everything in flight fails; no restart decision here. */
  private end(why: string, stuck: boolean): void {
    this.alive = false;
    this.lastEnd = { why, stuck };
    clearInterval(this.ticker);
    this.watched.clear();
    for (const t of this.tasks.values()) stopTask(t);
    this.tasks.clear();
    // No transaction outlives its worker: the host's connection is freed for everyone else.
    this.databaseServer?.rollbackAll();
    this.providerServer?.close();
    this.channel?.close(() => isolationErrors.exited(this.name, why));
  }

  private failed(gen: number, why: string, err?: unknown, stuck = false): void {
    if (gen !== this.generation || !this.alive) return;
    const wasRunning = this.state === 'running';
    const worker = this.worker;
    this.end(why, stuck);
    // Terminated for a blocked event loop: this module's blocked-loop event.
    if (stuck) blockedLoopCounter(this.ctx.runtime.metrics).inc({ module: this.name });
    if (stuck) void worker?.terminate();
    if (this.state === 'stopped') return;
    this.logger.error(
      { module: this.name, ...(err !== undefined ? { err } : {}) },
      `the worker thread of module ${this.name} ${why}`,
    );
    moduleMetrics(this.ctx.runtime).up.set({ module: this.name }, 0);
    if (wasRunning) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.policy.next(Date.now());
    if (delay === undefined) {
      this.state = 'down';
      this.logger.error(
        { module: this.name },
        stayingDownMessage(this.name, this.settings.max_restarts, this.settings.restart_window),
      );
      return;
    }
    this.state = 'restarting';
    this.logger.warn({ module: this.name, delay_ms: delay }, restartingMessage(this.name, delay));
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    moduleMetrics(this.ctx.runtime).restarts.inc({ module: this.name });
    try {
      const manifest = await this.spawn();
      if (!sameShape(manifest, this.manifest!))
        throw new Error(
          'it registered different callbacks or web resources than at its first start',
        );
      if (this.hostStarted && manifest.hasOnStart)
        await this.channel!.request('hook', { name: 'onStart', now: this.now() });
      if (this.state !== 'restarting') return;
      this.state = 'running';
      moduleMetrics(this.ctx.runtime).up.set({ module: this.name }, 1);
      this.logger.info(
        { module: this.name },
        `module ${this.name} restarted in a new worker thread`,
      );
    } catch (err) {
      if (this.state !== 'restarting') return;
      const worker = this.worker;
      if (this.alive) this.end(`failed to restart: ${(err as Error).message}`, false);
      void worker?.terminate();
      this.logger.error({ module: this.name, err }, `module ${this.name} failed to restart`);
      this.scheduleRestart();
    }
  }

  /** The host's time for the worker, only when the host's clock is not the real one. */
  private now(): number | undefined {
    return this.ctx.clock === systemClock ? undefined : this.ctx.clock.now();
  }

  private unavailable(): ModhostError {
    return isolationErrors.unavailable(
      this.name,
      this.state === 'down'
        ? `it stays down after too many restarts (${this.lastEnd.why})`
        : this.state === 'restarting'
          ? `its worker is restarting (${this.lastEnd.why})`
          : `its worker is ${this.state}`,
    );
  }
}

/** What `work` gives, or undefined if it fails or takes longer than `ms`. */
async function bounded<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function stopTask(t: LoopHandle | DelayedCallHandle | TaskHandle | undefined): void {
  if (t === undefined) return;
  if ('stop' in t) t.stop();
  else t.cancel();
}

function sameShape(a: Manifest, b: Manifest): boolean {
  return (
    a.functions === b.functions &&
    a.callbacks.length === b.callbacks.length &&
    a.resources.length === b.resources.length &&
    a.resources.every((r, i) => r.path === b.resources[i]!.path)
  );
}

function unavailableResponse(): Response {
  return errorResponse(503, {
    errcode: 'M_UNKNOWN',
    error: 'The module serving this resource is restarting or down',
  });
}

function timeoutResponse(): Response {
  return errorResponse(503, {
    errcode: 'M_UNKNOWN',
    error: 'The module serving this resource did not answer in time',
  });
}

const metricsByRuntime = new WeakMap<Runtime, { restarts: Counter; up: Gauge }>();

/** The isolation metrics of a host (registered once per host registry). */
function moduleMetrics(runtime: Runtime): { restarts: Counter; up: Gauge } {
  let m = metricsByRuntime.get(runtime);
  if (m === undefined) {
    m = {
      restarts: new Counter({
        name: 'modhost_module_worker_restarts_total',
        help: 'Times an isolated module was rebuilt in a new worker thread',
        labelNames: ['module'],
        registers: [runtime.metrics],
      }),
      up: new Gauge({
        name: 'modhost_module_worker_up',
        help: 'Whether an isolated module has a worker serving (1) or is restarting or down (0)',
        labelNames: ['module'],
        registers: [runtime.metrics],
      }),
    };
    metricsByRuntime.set(runtime, m);
  }
  return m;
}
