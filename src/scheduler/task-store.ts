/**
 * Where scheduled tasks keep their state: the slot (scheduled time) of the last run, who runs
 * one now, and how the last run went. With Redis it is one hash per task, changed only by
 * scripts that read Redis's own clock (TIME), so instances never compare their clocks:
 *
 * - claim: compare-and-set on `last_slot` (the caller names the last slot it saw; whoever moves
 *   it first wins the period, the others re-read) plus a run lock that expires after
 *   `lockMs` unless renewed, so a dead runner blocks the task for at most one lock TTL;
 * - renew: extends the lock only while it still holds our token;
 * - finish: records the outcome and frees the lock, only with our token.
 *
 * A Redis that lost its data (restart without persistence) forgets both the locks and the last
 * slots; the first claim after that sees the tasks epoch missing and keeps every task quiet for
 * one lock TTL, by when every run granted by the old Redis has passed its local deadline.
 * Without Redis the same interface lives in memory (one instance).
 */
import type { Clock } from '../clock/clock.js';

export interface TaskState {
  /** Scheduled time (store clock, epoch ms) of the last claimed run. */
  lastSlot?: number;
  /** Who runs it now, while locked. */
  runner?: string;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  lastDurationMs?: number;
  lastResult?: 'ok' | 'error' | 'timeout' | 'aborted';
  lastError?: string;
  runs: number;
  failures: number;
}

export type ClaimResult =
  | { claimed: true; token: string; now: number }
  | {
      claimed: false;
      /** moved: another instance claimed first; running: locked; early: slot not reached; quiet: fresh Redis; unavailable: no answer. */
      reason: 'moved' | 'running' | 'early' | 'quiet' | 'unavailable';
      now?: number;
      /** For early/quiet/running: when to try again (store clock). */
      retryAt?: number;
    };

export interface RunOutcome {
  result: 'ok' | 'error' | 'timeout' | 'aborted';
  durationMs: number;
  error?: string;
}

export interface TaskStore {
  readonly kind: 'redis' | 'memory';
  /** Lock lifetime without a renew, ms (for the runner's local deadline). */
  readonly lockMs: number;
  peek(id: string): Promise<{ now: number; state: TaskState }>;
  claim(
    id: string,
    expectedLast: number | undefined,
    slot: number,
    runner: string,
  ): Promise<ClaimResult>;
  renew(id: string, token: string): Promise<boolean>;
  finish(id: string, token: string, outcome: RunOutcome): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function toState(fields: Record<string, string>): TaskState {
  const num = (k: string) => (fields[k] === undefined ? undefined : Number(fields[k]));
  const locked = Number(fields.lock_until ?? 0) > 0;
  return {
    lastSlot: num('last_slot'),
    ...(locked && fields.runner ? { runner: fields.runner } : {}),
    lastStartedAt: num('started_at'),
    lastFinishedAt: num('finished_at'),
    lastDurationMs: num('duration_ms'),
    lastResult: fields.result as TaskState['lastResult'],
    lastError: fields.error,
    runs: Number(fields.runs ?? 0),
    failures: Number(fields.failures ?? 0),
  };
}

/** One instance, no Redis: the same rules in memory, on the host's (fakeable) clock. */
export class MemoryTaskStore implements TaskStore {
  readonly kind = 'memory';
  readonly lockMs = Number.POSITIVE_INFINITY;
  private readonly tasks = new Map<string, Record<string, string>>();
  private nextToken = 1;

  constructor(private readonly clock: Clock) {}

  private fields(id: string): Record<string, string> {
    let f = this.tasks.get(id);
    if (!f) this.tasks.set(id, (f = {}));
    return f;
  }

  async peek(id: string) {
    return { now: this.clock.now(), state: toState(this.fields(id)) };
  }

  async claim(id: string, expectedLast: number | undefined, slot: number, runner: string) {
    const f = this.fields(id);
    const now = this.clock.now();
    if ((f.last_slot === undefined ? undefined : Number(f.last_slot)) !== expectedLast) {
      return { claimed: false as const, reason: 'moved' as const, now };
    }
    if (f.lock_token) return { claimed: false as const, reason: 'running' as const, now };
    if (slot > now)
      return { claimed: false as const, reason: 'early' as const, now, retryAt: slot };
    const token = String(this.nextToken++);
    Object.assign(f, {
      last_slot: String(slot),
      lock_token: token,
      lock_until: '1',
      runner,
      started_at: String(now),
    });
    return { claimed: true as const, token, now };
  }

  async renew(id: string, token: string) {
    return this.fields(id).lock_token === token;
  }

  async finish(id: string, token: string, outcome: RunOutcome) {
    const f = this.fields(id);
    if (f.lock_token !== token) return;
    delete f.lock_token;
    delete f.lock_until;
    f.finished_at = String(this.clock.now());
    f.duration_ms = String(Math.round(outcome.durationMs));
    f.result = outcome.result;
    if (outcome.error !== undefined) f.error = outcome.error;
    else delete f.error;
    f.runs = String(Number(f.runs ?? 0) + 1);
    if (outcome.result !== 'ok') f.failures = String(Number(f.failures ?? 0) + 1);
  }

  async start() {}
  async stop() {}
}
