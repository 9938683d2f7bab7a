/**
 * `api.scheduleTask(options, fn)`'s options, checked at the call: every problem is an error
 * naming the module and the task, thrown before anything is scheduled.
 */
import { DURATION_HINT, MAX_TIMER_MS, tryParseDuration } from '../config/units.js';
import { scheduleInvalid } from '../errors/failover-messages.js';
import type { ModhostError } from '../errors/modhost-error.js';
import { CronError, type CronSchedule, parseCron } from './cron.js';

export interface ScheduleTaskOptions {
  /** Unique within the module; the deployment-wide id is `<module>.<id>`. */
  id: string;
  /** Run once per this period (ms or '5m'), counted between starts. */
  every?: number | string;
  /** Or on a 5-field cron expression, in UTC. */
  cron?: string;
  /** A run's AbortSignal aborts after this (default 60s); the next run waits for it to end. */
  timeout?: number | string;
  /** Wait this long after the host starts before the first run (default 0). */
  initialDelay?: number | string;
}

export interface TaskRunContext {
  /** Aborted at `timeout`, when this instance can no longer prove it owns the run, or at stop. */
  signal: AbortSignal;
  /** The scheduled time of this run (epoch ms, Redis's clock with a cluster). */
  scheduledAt: number;
  /** `<module>.<id>`. */
  taskId: string;
}

export type ScheduledFn = (context: TaskRunContext) => unknown;

export interface ScheduleSpec {
  /** `<module>.<id>` */
  key: string;
  id: string;
  everyMs?: number;
  cron?: CronSchedule;
  timeoutMs: number;
  initialDelayMs: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,100}$/;
export const DEFAULT_TASK_TIMEOUT_MS = 60_000;

export function resolveSchedule(moduleName: string, options: unknown, fn: unknown): ScheduleSpec {
  const raw = (options ?? {}) as Partial<ScheduleTaskOptions>;
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  const where = `module ${moduleName}: api.scheduleTask(${id ? `{ id: ${JSON.stringify(id)} }` : '...'})`;
  const fail = (problem: string): ModhostError => scheduleInvalid(where, problem);
  if (typeof options !== 'object' || options === null) {
    throw fail(
      "needs an options object first, e.g. api.scheduleTask({ id: 'purge', every: '1h' }, fn)",
    );
  }
  if (typeof fn !== 'function') throw fail('needs the function to run as its second argument');
  if (id === undefined || !ID.test(id)) {
    throw fail(
      `id ${JSON.stringify(raw.id)} is not usable; give a name of 1-100 letters, digits, _ . : or -`,
    );
  }
  const known = ['id', 'every', 'cron', 'timeout', 'initialDelay'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw fail(`unknown option ${unknown.join(', ')}; the options are ${known.join(', ')}`);
  }
  const duration = (name: string, value: unknown, positive: boolean): number | undefined => {
    if (value === undefined) return undefined;
    const ms = tryParseDuration(value);
    if (ms === undefined || ms > MAX_TIMER_MS || (positive && ms <= 0)) {
      throw fail(
        `${name} ${JSON.stringify(value)} must be ${positive ? 'a positive ' : ''}${DURATION_HINT.replace(/^a /, '')} (at most 24d)`,
      );
    }
    return ms;
  };
  if ((raw.every === undefined) === (raw.cron === undefined)) {
    throw fail("give exactly one of every (e.g. '10m') or cron (e.g. '*/5 * * * *')");
  }
  let cron: CronSchedule | undefined;
  if (raw.cron !== undefined) {
    try {
      cron = parseCron(raw.cron);
    } catch (err) {
      if (err instanceof CronError) throw fail(err.message);
      throw err;
    }
  }
  const everyMs = duration('every', raw.every, true);
  return {
    key: `${moduleName}.${id}`,
    id,
    ...(everyMs !== undefined ? { everyMs } : {}),
    ...(cron ? { cron } : {}),
    timeoutMs: duration('timeout', raw.timeout, true) ?? DEFAULT_TASK_TIMEOUT_MS,
    initialDelayMs: duration('initialDelay', raw.initialDelay, false) ?? 0,
  };
}
