/**
 * What an isolated module's ModuleApi talks to inside its worker: registrars that record what
 * the module registers (the host registers proxies for it from the manifest), timers whose
 * clock is the host's (looping and delayed calls run when the host says so), an invalidation
 * bus that is the host's bus seen through the channel, and a logger whose lines the host logs.
 */
import type { WebResourceOptions } from '../../decorators/metadata.js';
import type {
  BackgroundTasks,
  CallbackRegistrar,
  DelayedCallHandle,
  LoopHandle,
  LoopingCallOptions,
  ModuleIdentity,
  WebHandler,
  WebRegistrar,
} from '../api/services.js';
import type {
  BusState,
  InvalidationBus,
  InvalidationMessage,
} from '../cluster/invalidation-bus.js';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import type { CacheDescription } from '../cache/registry.js';
import { scheduleDuplicate } from '../errors/failover-messages.js';
import { resolveSchedule, type ScheduledFn } from '../scheduler/schedule-options.js';
import type { TaskHandle } from '../scheduler/scheduler.js';
import type { Channel } from './protocol.js';

/** A function the host may call, by id: `{ $fn: 3 }` in a manifest stands for it. */
export interface FnRef {
  $fn: number;
}

export interface ManifestCallbacks {
  category: string;
  /** The registered record with every function replaced by an FnRef. */
  callbacks: Record<string, unknown>;
}

export interface ManifestResource {
  path: string;
  /** An FnRef, or `{ GET: FnRef, ... }`. */
  handler: unknown;
  options?: WebResourceOptions;
}

export interface Manifest {
  name: string;
  callbacks: ManifestCallbacks[];
  resources: ManifestResource[];
  functions: number;
  /** The module's caches as `host.inspect()` describes them. */
  caches: CacheDescription[];
  hasOnStart: boolean;
  hasOnStop: boolean;
}

/** Every function the host can call, numbered in registration order (stable across restarts). */
export class FunctionTable {
  readonly fns: Function[] = [];
  readonly labels: string[] = [];

  /** `value` with each function in it (plain objects and arrays walked) replaced by an FnRef. */
  encode(value: unknown, label: string): unknown {
    if (typeof value === 'function') {
      this.fns.push(value);
      this.labels.push(label);
      return { $fn: this.fns.length - 1 } satisfies FnRef;
    }
    if (Array.isArray(value)) return value.map((v, i) => this.encode(v, `${label}[${i}]`));
    if (
      value !== null &&
      typeof value === 'object' &&
      Object.getPrototypeOf(value) === Object.prototype
    )
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.encode(v, `${label}.${k}`)]),
      );
    return value;
  }
}

function closed(module: string, what: string): ModhostError {
  return new ModhostError(
    ErrorCode.WEB_REGISTRATION_CLOSED,
    `module ${module}: ${what} is only possible while the module is constructed`,
  );
}

export class RecordingCallbacks implements CallbackRegistrar {
  readonly recorded: ManifestCallbacks[] = [];
  open = true;
  constructor(private readonly table: FunctionTable) {}

  register(owner: ModuleIdentity, category: string, callbacks: Record<string, unknown>): void {
    if (!this.open) throw closed(owner.name, `registering ${category} callbacks`);
    const encoded = this.table.encode({ ...callbacks }, category) as Record<string, unknown>;
    this.recorded.push({ category, callbacks: encoded });
  }
}

export class RecordingWeb implements WebRegistrar {
  readonly recorded: ManifestResource[] = [];
  open = true;
  constructor(private readonly table: FunctionTable) {}

  register(
    owner: ModuleIdentity,
    path: string,
    handler: WebHandler,
    options?: WebResourceOptions,
  ): void {
    if (!this.open) throw closed(owner.name, `registering the web resource ${path}`);
    const bound =
      typeof handler === 'object' && handler !== null
        ? Object.fromEntries(
            Object.entries(handler).map(([m, fn]) => [m, (fn as Function).bind(handler)]),
          )
        : handler;
    this.recorded.push({
      path,
      handler: this.table.encode(bound, `web resource ${path}`),
      ...(options !== undefined ? { options } : {}),
    });
  }
}

/**
 * Looping and delayed calls scheduled by the host's task runner (its clock, its instance), and
 * `api.scheduleTask` tasks planned by the host's scheduler (its store, its lease): each run
 * is a request into this worker, and an abort of the run's signal on the host a notification.
 */
export class ForwardedTasks implements Pick<BackgroundTasks, 'loopingCall' | 'delayedCall'> {
  readonly tasks = new Map<number, () => unknown>();
  /** Scheduled tasks by forwarded id, and the ids this module used (unique per module). */
  readonly scheduled = new Map<number, ScheduledFn>();
  private readonly scheduledIds = new Set<string>();
  /** Runs of scheduled tasks going on here, by run id: aborted when the host's signal is. */
  readonly runs = new Map<number, AbortController>();
  private nextId = 1;
  constructor(private readonly channel: Channel) {}

  /** Checked here (errors at the call, as in process), planned and run by the host. */
  scheduleTask(owner: ModuleIdentity, options: unknown, fn: unknown): TaskHandle {
    const spec = resolveSchedule(owner.name, options, fn);
    if (this.scheduledIds.has(spec.id)) throw scheduleDuplicate(owner.name, spec.id);
    this.scheduledIds.add(spec.id);
    const id = this.nextId++;
    this.scheduled.set(id, fn as ScheduledFn);
    this.channel.notify('schedule', { id, options: { ...(options as object) } });
    return {
      id: spec.key,
      stop: () => {
        if (!this.scheduled.delete(id)) return;
        this.scheduledIds.delete(spec.id);
        this.channel.notify('untask', { id });
      },
    };
  }

  /** One run the host's scheduler started: `fn` gets a signal the host can abort. */
  async runScheduled(body: {
    id: number;
    run: number;
    scheduledAt: number;
    taskId: string;
  }): Promise<void> {
    const fn = this.scheduled.get(body.id);
    if (fn === undefined) return;
    const controller = new AbortController();
    this.runs.set(body.run, controller);
    try {
      await fn({ signal: controller.signal, scheduledAt: body.scheduledAt, taskId: body.taskId });
    } finally {
      this.runs.delete(body.run);
    }
  }

  /** The host aborted a run's signal (timeout, lease lost, stop): abort it here, same reason. */
  abortRun(body: { run: number; reason: { name: string; message: string } }): void {
    const reason = new Error(body.reason.message);
    reason.name = body.reason.name;
    this.runs.get(body.run)?.abort(reason);
  }

  loopingCall(
    _owner: ModuleIdentity,
    fn: () => unknown,
    intervalMs: number,
    options?: LoopingCallOptions,
  ): LoopHandle {
    const id = this.add(fn);
    this.channel.notify('loop', { id, intervalMs, options: { ...options } });
    let running = true;
    return {
      stop: () => {
        if (!running) return;
        running = false;
        this.tasks.delete(id);
        this.channel.notify('untask', { id });
      },
      get running() {
        return running;
      },
    };
  }

  delayedCall(_owner: ModuleIdentity, delayMs: number, fn: () => unknown): DelayedCallHandle {
    const id = this.add(() => {
      this.tasks.delete(id);
      return fn();
    });
    this.channel.notify('delay', { id, delayMs });
    return {
      cancel: () => {
        if (this.tasks.delete(id)) this.channel.notify('untask', { id });
      },
    };
  }

  private add(fn: () => unknown): number {
    if (typeof fn !== 'function') throw new TypeError('expected a function');
    const id = this.nextId++;
    this.tasks.set(id, fn);
    return id;
  }
}

/** The host's invalidation bus as the worker's caches see it. */
export class ChannelBus implements InvalidationBus {
  private readonly messageHandlers: ((m: InvalidationMessage) => void)[] = [];
  private readonly stateHandlers: ((s: BusState) => void)[] = [];

  constructor(
    private readonly channel: Channel,
    readonly kind: 'local' | 'redis',
    public state: BusState,
  ) {
    channel.handle('bus', (m) => {
      for (const h of this.messageHandlers) h(m as InvalidationMessage);
    });
    channel.handle('bus-state', (s) => {
      this.state = s as BusState;
      for (const h of this.stateHandlers) h(this.state);
    });
  }

  /** Settles as the host's bus does: once every instance applied it (or it could not be). */
  publish(message: InvalidationMessage): Promise<void> {
    return this.channel.request<void>('publish', message);
  }
  onMessage(handler: (message: InvalidationMessage) => void): void {
    this.messageHandlers.push(handler);
  }
  onStateChange(handler: (state: BusState) => void): void {
    this.stateHandlers.push(handler);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  describe(): string {
    return `the host's ${this.kind} bus`;
  }
}
