/**
 * Background work for modules (reference §6): looping calls, delayed calls and detached tasks,
 * all timed by the injected clock so tests drive them with `FakeClock.advance`. Failures are
 * logged with the module's name and never reach the host. Looping calls run only on the
 * instance that runs background tasks (a fixed setting, or the holder of the Redis lease with
 * `auto`) unless a module asks for every instance; with `auto` each iteration asks the gate
 * right before it runs, so a loop follows the lease without being restarted.
 */
import { Counter, Gauge } from '../metrics/prom-client.js';
import { enterActivity, leaveActivity, recurringActivityId } from '../watchdog/activity.js';
import type {
  BackgroundTasks,
  DelayedCallHandle,
  LoopHandle,
  LoopingCallOptions,
  ModuleIdentity,
} from '../api/services.js';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { delayInvalid, loopIntervalInvalid, taskNotAFunction } from '../errors/cluster-messages.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { type BackgroundGate, StaticGate } from './background-gate.js';

export interface BackgroundTaskRunnerOptions {
  clock: Clock;
  logger: Logger;
  /** `instance.run_background_tasks`: whether looping calls run here by default (or a lease). */
  runBackgroundTasks: boolean | BackgroundGate;
  metrics?: MetricsRegistry;
  /** Named in the log line explaining why a loop does not run here. */
  instanceName?: string;
  /** Real-time ms `stop()` waits for running tasks before giving up on them (default 5000). */
  stopTimeoutMs?: number;
}

type TaskKind = 'looping_call' | 'delayed_call' | 'background';

function nameOf(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

/** What an inert handle reports: a loop that never runs on this instance, or after stop. */
const idleLoop: LoopHandle = { stop() {}, running: false };

class LoopingCall implements LoopHandle {
  private timer: TimerHandle | undefined;
  private active = true;
  /** The iteration running now, if any (stop waits for it). */
  current: Promise<void> | undefined;

  constructor(
    private readonly runner: BackgroundTaskRunner,
    private readonly owner: ModuleIdentity,
    private readonly fn: () => unknown,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly onStop: (loop: LoopingCall) => void,
    /** Asked right before each iteration; undefined runs always. */
    private readonly mayRun?: () => boolean,
  ) {
    this.schedule();
  }

  get running(): boolean {
    return this.active;
  }

  /** No further runs; an iteration already running finishes on its own. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.onStop(this);
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.intervalMs, () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.active) return;
    if (this.mayRun && !this.mayRun()) {
      // Not the lease holder now: skip this turn, ask again next interval.
      this.schedule();
      return;
    }
    // The next run is scheduled only once this one settled, so runs never overlap.
    this.current = this.runner
      .runGuarded(this.owner, 'looping_call', nameOf(this.fn), this.fn)
      .then(() => {
        this.current = undefined;
        if (this.active) this.schedule();
      });
  }
}

export class BackgroundTaskRunner implements BackgroundTasks {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly gate: BackgroundGate;
  private readonly instanceName: string | undefined;
  private readonly stopTimeoutMs: number;
  private readonly loops = new Set<LoopingCall>();
  private readonly delayed = new Set<TimerHandle>();
  /** Delayed calls and detached tasks running now. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly failures: Counter<'module' | 'kind'> | undefined;

  constructor(options: BackgroundTaskRunnerOptions) {
    this.clock = options.clock;
    this.logger = options.logger;
    this.gate =
      typeof options.runBackgroundTasks === 'boolean'
        ? new StaticGate(options.runBackgroundTasks)
        : options.runBackgroundTasks;
    this.instanceName = options.instanceName;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    if (options.metrics) {
      this.failures = new Counter({
        name: 'modhost_background_task_failures_total',
        help: 'Background tasks (looping calls, delayed calls, detached tasks) that threw',
        labelNames: ['module', 'kind'],
        registers: [options.metrics],
      });
      const loops = this.loops;
      new Gauge({
        name: 'modhost_looping_calls_active',
        help: 'Looping calls running on this instance',
        registers: [options.metrics],
        collect() {
          this.set(loops.size);
        },
      });
    }
  }

  shouldRunBackgroundTasks(): boolean {
    return this.gate.holds();
  }

  /** `handler(runs)` whenever `shouldRunBackgroundTasks()` changes; returns an unsubscribe. */
  onBackgroundTasksChange(handler: (runs: boolean) => void): () => void {
    return this.gate.onChange(handler);
  }

  loopingCall(
    owner: ModuleIdentity,
    fn: () => unknown,
    intervalMs: number,
    options: LoopingCallOptions = {},
  ): LoopHandle {
    if (typeof fn !== 'function') throw taskNotAFunction(owner.name, 'loopingCall', fn);
    if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw loopIntervalInvalid(owner.name, nameOf(fn), intervalMs);
    }
    const log = { module: owner.name, loop: nameOf(fn), interval_ms: intervalMs };
    const elected = this.gate.mode === 'auto' && !options.runOnAllInstances;
    if (this.gate.mode === 'static' && !this.gate.holds() && !options.runOnAllInstances) {
      // Said out loud: a loop silently doing nothing on some instances confused Synapse users.
      this.logger.info(
        log,
        `looping call not started: instance ${this.instanceName ?? '(this one)'} does not run ` +
          `background tasks (instance.run_background_tasks is false); it runs on the instance ` +
          `that does, or pass { runOnAllInstances: true } to run it everywhere`,
      );
      return idleLoop;
    }
    if (this.stopped) {
      this.logger.warn(log, 'looping call not started: the host is stopping');
      return idleLoop;
    }
    const gate = this.gate;
    const loop = new LoopingCall(
      this,
      owner,
      fn,
      intervalMs,
      this.clock,
      (l) => this.loops.delete(l),
      elected ? () => gate.holds() : undefined,
    );
    this.loops.add(loop);
    this.logger.debug(log, 'looping call started');
    return loop;
  }

  delayedCall(owner: ModuleIdentity, delayMs: number, fn: () => unknown): DelayedCallHandle {
    if (typeof fn !== 'function') throw taskNotAFunction(owner.name, 'delayedCall', fn);
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
      throw delayInvalid(owner.name, nameOf(fn), delayMs);
    }
    if (this.stopped) {
      this.logger.warn(
        { module: owner.name, task: nameOf(fn) },
        'delayed call not scheduled: the host is stopping',
      );
      return { cancel() {} };
    }
    const timer: TimerHandle = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(timer);
      this.track(this.runGuarded(owner, 'delayed_call', nameOf(fn), fn));
    });
    this.delayed.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        this.delayed.delete(timer);
      },
    };
  }

  runInBackground<T>(
    owner: ModuleIdentity,
    description: string,
    fn: () => T | Promise<T>,
  ): Promise<T | null> {
    if (typeof fn !== 'function') throw taskNotAFunction(owner.name, 'runInBackground', fn);
    // Runs even while stopping: a module's onStop may hand off its last work this way.
    const result = this.runGuarded(owner, 'background', String(description), fn);
    this.track(result);
    return result;
  }

  /** Stops every loop and pending delayed call, then waits for running tasks (bounded). */
  async stop(): Promise<void> {
    this.stopped = true;
    const running: Promise<unknown>[] = [...this.inFlight];
    for (const loop of [...this.loops]) {
      if (loop.current) running.push(loop.current);
      loop.stop();
    }
    for (const timer of this.delayed) timer.cancel();
    this.delayed.clear();
    if (running.length === 0) return;
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), this.stopTimeoutMs);
      timeout.unref();
    });
    const outcome = await Promise.race([Promise.allSettled(running), gaveUp]);
    clearTimeout(timeout);
    if (outcome === 'timeout') {
      this.logger.warn(
        { still_running: running.length, waited_ms: this.stopTimeoutMs },
        'background tasks still running at stop; leaving them behind',
      );
    }
  }

  /** Runs `fn`, logging (never throwing) its failure; resolves to its result or null. */
  async runGuarded<T>(
    owner: ModuleIdentity,
    kind: TaskKind,
    task: string,
    fn: () => T | Promise<T>,
  ): Promise<T | null> {
    try {
      const previous = enterActivity(
        recurringActivityId({ module: owner.name, kind: 'task', name: `${kind} ${task}` }),
      );
      let pending: T | Promise<T>;
      try {
        pending = fn();
      } finally {
        leaveActivity(previous);
      }
      return await pending;
    } catch (err) {
      this.failures?.inc({ module: owner.name, kind });
      const what =
        kind === 'looping_call'
          ? 'looping call failed; the loop continues'
          : kind === 'delayed_call'
            ? 'delayed call failed'
            : 'background task failed';
      this.logger.error({ module: owner.name, task, kind, err }, what);
      return null;
    }
  }

  private track(task: Promise<unknown>): void {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }
}
