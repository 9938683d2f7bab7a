/**
 * The worker thread of an isolated module. It loads the module spec with the normal loader,
 * scanner, config validation and injector, wires it into recording registrars, and answers
 * the host's requests: calls, requests to web resources, lifecycle hooks, timer ticks, pings.
 */
import '../deps/reflect-metadata.js';
import { type MessagePort, workerData } from 'node:worker_threads';
import { pino } from '../deps/pino.js';
import { container as rootContainer } from '../deps/tsyringe.js';
import { ModuleApi } from '../api/module-api.js';
import { HttpClient } from '../api/http-client.js';
import type { BackgroundTasks, ModuleIdentity } from '../api/services.js';
import { CacheRegistry } from '../cache/registry.js';
import { type Clock, systemClock } from '../clock/clock.js';
import { BackgroundTaskRunner } from '../cluster/background-tasks.js';
import type { BusState } from '../cluster/invalidation-bus.js';
import { validateModuleConfig } from '../config/module-config.js';
import type { CachesConfig } from '../config/types.js';
import { taskNotAFunction } from '../errors/cluster-messages.js';
import { isolationErrors } from '../errors/isolation-messages.js';
import { ConfigValidationError } from '../errors/modhost-error.js';
import { wireDecorated } from '../host/wiring.js';
import {
  createModuleContainer,
  instantiateModule,
  type ModuleContainer,
} from '../injection/injector.js';
import { CLOCK } from '../injection/tokens.js';
import { loadModuleClass } from '../loading/loader.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { scanModule } from '../scanning/scanner.js';
import { installFastResponseJson } from '../web/fast-globals.js';
import { crossingProblem } from './crossing.js';
import { ChannelDatabase } from './database-bridge.js';
import { ProviderClient, type ProviderLink, type ProviderShape } from './provider-bridge.js';
import { Channel, type Reply } from './protocol.js';
import { heapUsage } from './worker-usage.js';
import { LazyAbort } from './lazy-abort.js';
import { isStreamed, requestFromWire, responseToWire, type WireRequest } from './web-bridge.js';
import {
  ChannelBus,
  ForwardedTasks,
  FunctionTable,
  type Manifest,
  RecordingCallbacks,
  RecordingWeb,
} from './worker-services.js';

/** What the worker gets as `workerData`: the protocol's port and its polling window (µs). */
export interface WorkerBoot {
  port: MessagePort;
  callPolling: number;
}

/** What the host sends to start the worker (`init`). */
export interface WorkerInit {
  spec: string;
  baseDir: string;
  identity: ModuleIdentity;
  config: unknown;
  instanceName: string;
  publicBaseUrl: string;
  logLevel: string;
  runBackgroundTasks: boolean;
  caches: CachesConfig;
  bus: { kind: 'local' | 'redis'; state: BusState };
  /** Whether the host's clock is the system clock; if not, the host's time comes with requests. */
  realClock: boolean;
  /**
   * Host providers under string tokens or `Symbol.for` keys: a value that can cross, or the
   * shape of a live object the worker reaches through a proxy (provider-bridge.ts).
   */
  providers: {
    token: string;
    symbol: boolean;
    value?: unknown;
    proxy?: ProviderShape;
    index?: number;
  }[];
  /** Where proxied providers' calls go, when there are any. */
  providerLink?: ProviderLink;
  /** The module's namespace of the host's database, which serves its statements. */
  database: { schema: string; engine: 'embedded' | 'postgres' };
}

// This thread is the host's own: its Response.json gives modhost's cheap responses, as
// `modhost serve` sets up for the main thread (the object still behaves as a Response).
installFastResponseJson();
const start = workerData as WorkerBoot;
const channel = new Channel(start.port, start.callPolling);
let instance: Record<string, unknown> | undefined;
/** The module's container and its own providers (`@Module({ providers })`), disposed at stop. */
let built: ModuleContainer | undefined;
let moduleLogger: { error(fields: object, msg: string): void } | undefined;
let moduleName = '(loading)';
const table = new FunctionTable();
const aborts = new Map<number, LazyAbort>();
let tasks: ForwardedTasks | undefined;
/** Runs `api.runInBackground` work here; its work in flight is awaited (bounded) at stop. */
let runner: BackgroundTaskRunner | undefined;
/** The module's caches, whose counters the host asks for at each metrics scrape. */
let caches: CacheRegistry | undefined;
/** The host's time as of its last request, when the host runs a fake clock (tests). */
let hostNow: number | undefined;

/** The host's clock as seen here: real time, or the host's fake time carried by requests. */
const mirrorClock: Clock = {
  now: () => hostNow ?? Date.now(),
  setTimer: (ms, fn) => systemClock.setTimer(ms, fn),
  sleep: (ms) => systemClock.sleep(ms),
};

/** Takes the host's time from a request body (`now`), when it sends one. */
function sync(body: unknown): void {
  const now = (body as { now?: number }).now;
  if (now !== undefined) hostNow = now;
}

function checked(fn: number, value: unknown): unknown {
  const problem = crossingProblem(value);
  if (problem === undefined) return value;
  throw isolationErrors.cannotCross(
    moduleName,
    `the result of ${table.labels[fn]}`,
    problem.where,
    problem.problem,
  );
}

async function boot(init: WorkerInit): Promise<Manifest> {
  const { identity } = init;
  moduleName = identity.name;
  // Before anything awaits: a 'background' change sent while the module loads comes after.
  runsBackgroundTasks = init.runBackgroundTasks;
  const logger = pino()(
    { level: init.logLevel, base: undefined },
    { write: (line: string) => channel.notify('log', line) },
  ).child({ module: identity.name });
  const cls = await loadModuleClass(init.spec, init.baseDir);
  const blueprint = scanModule(cls);
  const entry = { index: identity.index, module: init.spec, config: init.config };
  const validated = await validateModuleConfig(cls, blueprint.configClass, entry, {});
  if (validated.problems.length > 0) throw new ConfigValidationError(validated.problems);

  const clock = init.realClock ? systemClock : mirrorClock;
  const metrics = createMetricsRegistry();
  const bus = new ChannelBus(channel, init.bus.kind, init.bus.state);
  caches = new CacheRegistry({ caches: init.caches, clock, logger, metrics, bus });
  const callbacks = new RecordingCallbacks(table);
  const web = new RecordingWeb(table);
  const forwarded = (tasks = new ForwardedTasks(channel));
  runner = new BackgroundTaskRunner({
    clock,
    logger,
    runBackgroundTasks: init.runBackgroundTasks,
    instanceName: init.instanceName,
    // Within the host's bound on disposing this worker, leaving the providers time too.
    stopTimeoutMs: 3_000,
  });
  const backgroundTasks: BackgroundTasks = {
    loopingCall: (owner, fn, ms, options) => {
      if (typeof fn !== 'function') throw taskNotAFunction(owner.name, 'loopingCall', fn);
      return forwarded.loopingCall(owner, fn, ms, options);
    },
    delayedCall: (owner, ms, fn) => {
      if (typeof fn !== 'function') throw taskNotAFunction(owner.name, 'delayedCall', fn);
      return forwarded.delayedCall(owner, ms, fn);
    },
    runInBackground: (owner, description, fn) => runner!.runInBackground(owner, description, fn),
    shouldRunBackgroundTasks: () => runsBackgroundTasks,
    onBackgroundTasksChange: (handler) => {
      backgroundListeners.add(handler);
      return () => backgroundListeners.delete(handler);
    },
  };
  const api = new ModuleApi({
    identity,
    instanceName: init.instanceName,
    publicBaseUrl: init.publicBaseUrl,
    logger,
    clock,
    callbacks,
    web,
    caches,
    tasks: backgroundTasks,
    http: new HttpClient(),
    scheduler: { schedule: (owner, options, fn) => forwarded.scheduleTask(owner, options, fn) },
    databases: {
      forModule: () =>
        new ChannelDatabase(channel, identity.name, init.database.schema, init.database.engine),
    },
  });
  const hostContainer = rootContainer.createChildContainer();
  hostContainer.register(CLOCK, { useValue: clock });
  const client = init.providerLink && new ProviderClient(identity.name, channel, init.providerLink);
  for (const p of init.providers)
    hostContainer.register(p.symbol ? Symbol.for(p.token) : p.token, {
      useValue: p.proxy && client ? client.proxy(p.index!, p.token, p.proxy) : p.value,
    });
  // The module's own providers are built here, in its thread (exports cannot cross: load error).
  built = createModuleContainer(hostContainer, blueprint, {
    api,
    config: validated.value,
    logger,
  });
  moduleLogger = logger;
  instance = instantiateModule(blueprint, built) as Record<string, unknown>;
  const [failure] = wireDecorated({ blueprint, identity }, instance, { caches, callbacks, web });
  if (failure !== undefined) throw failure;
  callbacks.open = false;
  web.open = false;
  // What the host gets must cross intact too (values in registrations besides the functions).
  for (const { category, callbacks: registered } of callbacks.recorded) {
    const problem = crossingProblem(registered);
    if (problem)
      throw isolationErrors.cannotCross(
        identity.name,
        `the ${category} callbacks it registers`,
        problem.where,
        problem.problem,
      );
  }
  return {
    name: blueprint.name,
    callbacks: callbacks.recorded,
    resources: web.recorded,
    functions: table.fns.length,
    caches: caches.registrations(blueprint.name),
    hasOnStart: blueprint.hasOnStart,
    hasOnStop: blueprint.hasOnStop,
  };
}

channel.handle('init', (init) => boot(init as WorkerInit));

channel.handleCalls({
  run: (fn, args, now) => {
    if (now !== undefined) hostNow = now;
    return table.fns[fn]!(...args) as unknown;
  },
  check: checked,
});

channel.handleCompact('fetch', (args, now) => {
  if (now !== undefined) hostNow = now;
  const wire = args as WireRequest;
  const [fn, rid, , , , sid] = wire;
  const abort = new LazyAbort();
  aborts.set(rid, abort);
  // Once the response is out (or the host gave up), the rest of the request body is of no use:
  // the host stops sending it and releases the client's upload.
  const discard = sid === undefined ? undefined : () => channel.discardStream(sid, requestOver);
  if (discard !== undefined) abort.onAbort(discard);
  /** The request is over here (its response is whole, or failed); a streamed one ends later. */
  const over = (reply: Reply | undefined) => {
    aborts.delete(rid);
    if (reply === undefined || !isStreamed(reply)) discard?.();
  };
  const answer = (response: unknown): Reply | Promise<Reply> => {
    let reply: Reply | Promise<Reply>;
    try {
      if (!(response instanceof Response))
        throw new TypeError(
          `${table.labels[fn]} returned ${response === null ? 'null' : typeof response}, not a Response`,
        );
      reply = responseToWire(channel, response, discard);
    } catch (err) {
      over(undefined);
      throw err;
    }
    if (!(reply instanceof Promise)) return (over(reply), reply);
    return reply.then(
      (r) => (over(r), r),
      (err: unknown) => {
        over(undefined);
        throw err;
      },
    );
  };
  // Synchronous where the handler is (no promise per request for a handler that answers at once).
  let result: unknown;
  let later: boolean;
  try {
    const { request, context } = requestFromWire(channel, wire, abort);
    result = table.fns[fn]!(request, context);
    later = isThenable(result);
  } catch (err) {
    over(undefined);
    throw err;
  }
  if (!later) return answer(result);
  return Promise.resolve(result).then(answer, (err: unknown) => {
    over(undefined);
    throw err;
  });
});

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

const requestOver = () =>
  new Error('the request is over: its response was sent, or the host gave up on it');

channel.handle('cancel', (body) => aborts.get((body as { rid: number }).rid)?.abort());

channel.handle('hook', async (body) => {
  sync(body);
  const hook = instance?.[(body as { name: string }).name];
  if (typeof hook === 'function') await (hook as () => unknown).call(instance);
});

/** Host stop: background work ends, and what the module's container built is disposed here. */
channel.handle('dispose', async () => {
  // As in process: background work in flight first (bounded), then the providers.
  await runner?.stop();
  const done = built;
  built = undefined;
  await done?.providers.dispose((err) => moduleLogger?.error({ err }, err.message));
  await Promise.resolve(done?.container.dispose()).catch(() => undefined);
});

channel.handle('task', async (body) => {
  sync(body);
  await tasks?.tasks.get((body as { id: number }).id)?.();
});

channel.handle('scheduled', (body) => {
  sync(body);
  return tasks?.runScheduled(body as never);
});

channel.handle('abort-run', (body) => tasks?.abortRun(body as never));

channel.handle('cache-stats', () => caches?.stats() ?? []);

channel.handle('ping', () => 'pong');
channel.handle('poll-stats', () => channel.pollStats);
channel.handle('usage', () => heapUsage());
/** Whether this instance runs background tasks now, as the host's gate last said. */
let runsBackgroundTasks = false;
const backgroundListeners = new Set<(runs: boolean) => void>();
channel.handle('background', (body) => {
  runsBackgroundTasks = (body as { runs: boolean }).runs;
  for (const listener of backgroundListeners) listener(runsBackgroundTasks);
});
