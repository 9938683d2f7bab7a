/**
 * `api.scheduleTask`: tasks that run once per period across the whole deployment. Every
 * instance that may run background tasks plans each task from the state in the store (Redis,
 * or memory for a single instance): it computes the next slot from the last one, sleeps until
 * then, and tries to claim the slot. Exactly one claim per slot succeeds (compare-and-set on
 * the last slot), and a run lock keeps a second run from starting while one is going.
 *
 * The runner never trusts the lock longer than it can prove it: its ownership ends `lockMs -
 * margin` after the last claim or renew it SENT, checked synchronously before `fn` starts and
 * enforced by aborting the run's signal, so a runner that was frozen (SIGSTOP) or cut off from
 * Redis gives the run up before the lock can expire for another instance.
 */
import { Counter, Gauge } from '../metrics/prom-client.js';
import type { ModuleIdentity } from '../api/services.js';
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { scheduleDuplicate } from '../errors/failover-messages.js';
import { resolveSchedule, type ScheduledFn, type ScheduleSpec } from './schedule-options.js';
import type { TaskState, TaskStore } from './task-store.js';

export interface TaskHandle {
  /** `<module>.<id>` */
  readonly id: string;
  /** No further runs from this instance; a run going now gets its signal aborted. */
  stop(): void;
}

export interface TaskDescription {
  id: string;
  module: string;
  schedule: string;
  timeoutMs: number;
  /** Epoch ms (store clock) of the next planned run, when planned. */
  nextRunAt?: number;
  lastRunAt?: number;
  lastDurationMs?: number;
  lastResult?: string;
  lastError?: string;
  /** Runs and failed runs across the deployment (as recorded in the store). */
  runs: number;
  failures: number;
  /** Whether a run is going on this instance now. */
  runningHere: boolean;
  /** Which instance runs it now, if one does. */
  runner?: string;
}

export interface SchedulerOptions {
  store: TaskStore;
  clock: Clock;
  logger: Logger;
  /** Unique per process (the bus's sender id); recorded as the runner. */
  runnerId: string;
  /** False on an instance configured not to run background tasks: tasks are never planned here. */
  enabled: boolean;
  /**
   * Asked right before claiming and before running (the background-task gate: with `auto`, the
   * lease). Absent: always. Call `lost()` when it turns false, to abort runs going on.
   */
  mayRun?: () => boolean;
  metrics?: MetricsRegistry;
  /** Real-time ms `stop()` waits for running tasks (default 5000). */
  stopTimeoutMs?: number;
}

interface SchedulerMetrics {
  runs: Counter<'task' | 'result'>;
  duration: Gauge<'task'>;
  lastRun: Gauge<'task'>;
  nextRun: Gauge<'task'>;
}

function createMetrics(registry: MetricsRegistry): SchedulerMetrics {
  const registers = [registry];
  return {
    runs: new Counter({
      name: 'modhost_scheduled_task_runs_total',
      help: 'Scheduled task runs on this instance, by result (ok, error, timeout, aborted)',
      labelNames: ['task', 'result'],
      registers,
    }),
    duration: new Gauge({
      name: 'modhost_scheduled_task_last_duration_seconds',
      help: 'Duration of the last run of each scheduled task (deployment-wide)',
      labelNames: ['task'],
      registers,
    }),
    lastRun: new Gauge({
      name: 'modhost_scheduled_task_last_run_timestamp_seconds',
      help: 'When the last run of each scheduled task started (deployment-wide)',
      labelNames: ['task'],
      registers,
    }),
    nextRun: new Gauge({
      name: 'modhost_scheduled_task_next_run_timestamp_seconds',
      help: 'When this instance plans to try the next run of each scheduled task',
      labelNames: ['task'],
      registers,
    }),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
}

class ScheduledTask implements TaskHandle {
  readonly id: string;
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** The store's last slot when last read (what a claim must compare against). */
  private expectedLast: number | undefined;
  /** The latest slot this instance knows ran: survives a Redis that forgot its data. */
  private knownLast: number | undefined;
  /** Earliest first run: the first read of the store clock plus initialDelay. */
  private firstAt: number | undefined;
  private nextAt: number | undefined;
  private state: TaskState = { runs: 0, failures: 0 };
  private controller: AbortController | undefined;
  running: Promise<void> | undefined;
  private retryMs = 100;

  constructor(
    private readonly scheduler: TaskScheduler,
    readonly owner: ModuleIdentity,
    readonly spec: ScheduleSpec,
    private readonly fn: ScheduledFn,
  ) {
    this.id = spec.key;
  }

  private get store(): TaskStore {
    return this.scheduler.store;
  }

  private get log(): Record<string, unknown> {
    return { module: this.owner.name, task: this.spec.key };
  }

  start(): void {
    this.arm(0, () => this.plan());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.controller?.abort(new Error('the task was stopped'));
    this.scheduler.forget(this);
  }

  describe(): TaskDescription {
    const { spec, state } = this;
    return {
      id: spec.key,
      module: this.owner.name,
      schedule: spec.cron ? `cron ${spec.cron.expression} (UTC)` : `every ${spec.everyMs} ms`,
      timeoutMs: spec.timeoutMs,
      ...(this.nextAt !== undefined ? { nextRunAt: this.nextAt } : {}),
      ...(state.lastStartedAt !== undefined ? { lastRunAt: state.lastStartedAt } : {}),
      ...(state.lastDurationMs !== undefined ? { lastDurationMs: state.lastDurationMs } : {}),
      ...(state.lastResult ? { lastResult: state.lastResult } : {}),
      ...(state.lastError ? { lastError: state.lastError } : {}),
      runs: state.runs,
      failures: state.failures,
      runningHere: this.running !== undefined,
      ...(state.runner ? { runner: state.runner } : {}),
    };
  }

  private arm(delayMs: number, next: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.scheduler.clock.setTimer(Math.max(0, Math.ceil(delayMs)), () => {
      this.timer = undefined;
      next().catch((err) => {
        this.scheduler.logger.error({ ...this.log, err }, 'scheduling a task failed; retrying');
        this.retryLater();
      });
    });
  }

  /** Redis unreachable or frozen: try again, backing off to a second. */
  private retryLater(): void {
    this.retryMs = Math.min(this.retryMs * 2, 1000);
    this.arm(this.retryMs, () => this.plan());
  }

  private absorb(state: TaskState): void {
    this.state = state;
    this.expectedLast = state.lastSlot;
    if (state.lastSlot !== undefined) {
      this.knownLast = Math.max(this.knownLast ?? state.lastSlot, state.lastSlot);
    }
    const m = this.scheduler.metrics;
    if (m && state.lastStartedAt !== undefined) {
      m.lastRun.set({ task: this.spec.key }, state.lastStartedAt / 1000);
    }
    if (m && state.lastDurationMs !== undefined) {
      m.duration.set({ task: this.spec.key }, state.lastDurationMs / 1000);
    }
  }

  async refresh(): Promise<void> {
    try {
      const { now, state } = await this.store.peek(this.spec.key);
      this.absorb(state);
      this.firstAt ??= now;
      this.nextAt = this.slotAfter(now, this.knownLast);
    } catch {
      // Unreachable store: described without its state.
    }
  }

  /** Reads the store and sleeps until the next slot. */
  private async plan(): Promise<void> {
    let peeked;
    try {
      peeked = await this.store.peek(this.spec.key);
    } catch (err) {
      this.scheduler.logger.debug({ ...this.log, err: errorText(err) }, 'task store unavailable');
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    this.retryMs = 100;
    const { now, state } = peeked;
    this.absorb(state);
    this.firstAt ??= now + this.spec.initialDelayMs;
    const slot = this.slotAfter(now, this.knownLast);
    this.nextAt = slot;
    this.scheduler.metrics?.nextRun.set({ task: this.spec.key }, slot / 1000);
    this.arm(slot - now, () => this.fire(slot));
  }

  /** The next slot given the last one that ran (store clock). */
  private slotAfter(now: number, last: number | undefined): number {
    const floor = this.firstAt!;
    const { everyMs, cron } = this.spec;
    if (everyMs !== undefined) {
      let slot = last === undefined ? floor : Math.max(last + everyMs, floor);
      // More than a period behind (the deployment was down): one run now, not a burst.
      if (slot < now - everyMs) slot = now;
      return slot;
    }
    let slot = cron!.next(Math.max(last ?? Number.NEGATIVE_INFINITY, floor - 1));
    // Occurrences missed while nothing ran: run once for the latest, not once for each.
    for (let i = 0; i < 100_000; i++) {
      const after = cron!.next(slot);
      if (after > now) break;
      slot = after;
    }
    return slot;
  }

  abort(reason: string): void {
    this.controller?.abort(new Error(`task ${this.spec.key}: ${reason}`));
  }

  private async fire(slot: number): Promise<void> {
    if (!this.scheduler.mayRun()) {
      // Another instance holds the lease and runs it; look again soon (takeover is fast).
      this.arm(Math.min(250, this.spec.everyMs ?? 250), () => this.plan());
      return;
    }
    const sentAt = performance.now();
    const claim = await this.store.claim(
      this.spec.key,
      this.expectedLast,
      slot,
      this.scheduler.runnerId,
    );
    if (this.stopped) return;
    if (!claim.claimed) {
      const now = claim.now ?? 0;
      switch (claim.reason) {
        case 'moved':
          return this.plan();
        case 'early':
        case 'quiet':
          if (claim.reason === 'quiet') {
            this.scheduler.logger.debug(
              this.log,
              'Redis has no task epoch (new or restarted): tasks wait one lock TTL',
            );
          }
          this.arm((claim.retryAt ?? now) - now, () => this.fire(slot));
          return;
        case 'running': {
          const poll = Math.min(1000, Math.max(20, (this.spec.everyMs ?? 10_000) / 10));
          this.arm(Math.min(poll, Math.max(20, (claim.retryAt ?? now) - now)), () => this.plan());
          return;
        }
        default:
          this.retryLater();
          return;
      }
    }
    this.running = this.run(claim.token, slot, sentAt);
    await this.running;
    this.running = undefined;
    this.knownLast = Math.max(this.knownLast ?? slot, slot);
    if (!this.stopped) await this.plan();
  }

  private async run(token: string, slot: number, sentAt: number): Promise<void> {
    const { store, scheduler, spec } = this;
    const lockMs = store.lockMs;
    const margin = Number.isFinite(lockMs) ? Math.max(50, Math.floor(lockMs / 5)) : 0;
    let ownedUntil = sentAt + lockMs - margin;
    if (performance.now() >= ownedUntil) {
      // The claim's answer came after the lock could have expired (this process or Redis was
      // frozen): another instance may own the slot by now. Its lock expires by itself.
      scheduler.logger.warn(this.log, 'task claim confirmed too late; not running it');
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    const timers: Array<{ cancel(): void }> = [];
    timers.push(
      scheduler.clock.setTimer(spec.timeoutMs, () =>
        controller.abort(
          new TaskTimeoutError(`task ${spec.key} timed out after ${spec.timeoutMs} ms`),
        ),
      ),
    );
    let renewing: NodeJS.Timeout | undefined;
    let expiry: NodeJS.Timeout | undefined;
    const checkOwnership = () => {
      if (performance.now() < ownedUntil) return true;
      controller.abort(
        new Error(`task ${spec.key}: this instance could not renew its run lock in time`),
      );
      return false;
    };
    if (Number.isFinite(lockMs)) {
      const armExpiry = () => {
        clearTimeout(expiry);
        expiry = setTimeout(checkOwnership, ownedUntil - performance.now() + 1);
        expiry.unref();
      };
      armExpiry();
      const renew = () => {
        renewing = setTimeout(
          async () => {
            if (controller.signal.aborted) return; // an aborted run no longer holds the task
            const renewSent = performance.now();
            const ok = await store.renew(spec.key, token).catch(() => false);
            if (ok && !controller.signal.aborted) {
              ownedUntil = Math.max(ownedUntil, renewSent + lockMs - margin);
              armExpiry();
            }
            if (!controller.signal.aborted) renew();
          },
          Math.max(10, Math.floor(lockMs / 3)),
        );
        renewing.unref();
      };
      renew();
    }
    const started = performance.now();
    let result: 'ok' | 'error' | 'timeout' | 'aborted' = 'ok';
    let error: string | undefined;
    try {
      // The last check before anything runs: timers may fire late after a freeze.
      if (!checkOwnership() || !scheduler.mayRun()) {
        result = 'aborted';
        error = 'ownership lapsed before the run started';
      } else {
        scheduler.logger.debug({ ...this.log, scheduled_at: slot }, 'scheduled task starting');
        await this.fn({ signal: controller.signal, scheduledAt: slot, taskId: spec.key });
        if (controller.signal.aborted) {
          // It gave up when told to: say why, as a warning (nothing threw).
          result = controller.signal.reason instanceof TaskTimeoutError ? 'timeout' : 'aborted';
          error = errorText(controller.signal.reason);
          scheduler.logger.warn(
            { ...this.log, result, reason: error },
            result === 'timeout'
              ? `scheduled task timed out after ${spec.timeoutMs} ms (its signal was aborted)`
              : 'scheduled task aborted',
          );
        }
      }
    } catch (err) {
      const reason: unknown = controller.signal.reason;
      result =
        reason instanceof TaskTimeoutError
          ? 'timeout'
          : controller.signal.aborted
            ? 'aborted'
            : 'error';
      error = errorText(err);
      scheduler.logger.error(
        { ...this.log, err, result },
        result === 'timeout'
          ? `scheduled task timed out after ${spec.timeoutMs} ms`
          : 'scheduled task failed',
      );
    } finally {
      for (const t of timers) t.cancel();
      clearTimeout(renewing);
      clearTimeout(expiry);
      this.controller = undefined;
    }
    const durationMs = performance.now() - started;
    scheduler.metrics?.runs.inc({ task: spec.key, result });
    await store
      .finish(spec.key, token, { result, durationMs, ...(error !== undefined ? { error } : {}) })
      .catch((err: unknown) =>
        scheduler.logger.debug({ ...this.log, err: errorText(err) }, 'recording a task run failed'),
      );
  }
}

export class TaskScheduler {
  readonly store: TaskStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runnerId: string;
  readonly metrics: SchedulerMetrics | undefined;
  private readonly enabled: boolean;
  readonly mayRun: () => boolean;
  private readonly stopTimeoutMs: number;
  private readonly tasks = new Map<string, ScheduledTask>();
  private started = false;
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.runnerId = options.runnerId;
    this.enabled = options.enabled;
    this.mayRun = options.mayRun ?? (() => true);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.metrics = options.metrics ? createMetrics(options.metrics) : undefined;
  }

  schedule(owner: ModuleIdentity, options: unknown, fn: unknown): TaskHandle {
    const spec = resolveSchedule(owner.name, options, fn);
    if (this.tasks.has(spec.key)) {
      throw scheduleDuplicate(owner.name, spec.id);
    }
    if (this.stopped) {
      this.logger.warn(
        { module: owner.name, task: spec.key },
        'task not scheduled: the host is stopping',
      );
      return { id: spec.key, stop() {} };
    }
    const task = new ScheduledTask(this, owner, spec, fn as ScheduledFn);
    this.tasks.set(spec.key, task);
    if (!this.enabled) {
      this.logger.info(
        { module: owner.name, task: spec.key },
        'scheduled task not planned here: this instance does not run background tasks ' +
          '(instance.run_background_tasks is false); the instances that do run it',
      );
    } else if (this.started) {
      void this.store.start().then(() => task.start());
    }
    return task;
  }

  /** Plans every task scheduled so far (tasks scheduled later start at once). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.tasks.size === 0 || !this.enabled) return;
    await this.store.start();
    for (const task of this.tasks.values()) task.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const running = [...this.tasks.values()].map((t) => t.running).filter(Boolean);
    for (const task of [...this.tasks.values()]) task.stop();
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(running),
        new Promise((resolve) => (timer = setTimeout(resolve, this.stopTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
    await this.store.stop();
  }

  /** Reads every task's state from the store (for `modhost inspect`); bounded, never throws. */
  async refresh(): Promise<void> {
    if (this.tasks.size === 0) return;
    await this.store.start();
    await Promise.all([...this.tasks.values()].map((t) => t.refresh()));
  }

  describe(): TaskDescription[] {
    return [...this.tasks.values()].map((t) => t.describe());
  }

  /** This instance may no longer run tasks (lost the lease): runs going on are aborted. */
  lost(reason: string): void {
    for (const task of this.tasks.values()) task.abort(reason);
  }

  /** Called by a stopped task. */
  forget(task: ScheduledTask): void {
    if (!this.stopped) this.tasks.delete(task.id);
  }
}
