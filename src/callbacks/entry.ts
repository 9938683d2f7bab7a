/** One registered callback function: who owns it, how it is called, and its running counts. */
import type { ModuleIdentity } from '../api/services.js';
import type { CallContext } from '../categories/types.js';
import type { Logger } from '../logging/logger.js';
import { activityId } from '../watchdog/activity.js';
import type { DeadlineQueue } from './deadlines.js';

/** After this many calls, durations are sampled (1 call in SAMPLE_EVERY) to keep `run` cheap. */
export const TIME_EVERY_CALL_UNTIL = 1024;
export const SAMPLE_MASK = 255;

/** Upper bounds (seconds) of the duration histogram's buckets. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
];

export class CallbackEntry implements CallContext {
  /** Counters read by the metrics collector at scrape time (plain fields: cheap to bump). */
  calls = 0;
  /** Calls whose result or failure is back (`calls - settled` are in flight). */
  settled = 0;
  errors = 0;
  timeouts = 0;
  /** Calls whose `calls & sampleMask` is 0 are timed; every call at first, then 1 in 256. */
  sampleMask = 0;
  /** Sampled durations: per-bucket counts (last one is +Inf), sum in seconds, count. */
  readonly durationBuckets: number[] = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  durationSum = 0;
  durationCount = 0;
  /** The time in this callback as last reported (see busySeconds). */
  private busyEstimate = 0;
  readonly module: string;
  /** Marks this entry's calls as its module's running code (watchdog/activity.ts). */
  readonly activity: number;

  constructor(
    readonly fn: Function,
    readonly owner: ModuleIdentity,
    readonly category: string,
    readonly callback: string,
    /** The name the module registered (differs for entries made by `accept`). */
    readonly registeredAs: string,
    readonly data: unknown,
    /** ms; 0 means no timeout. */
    readonly timeoutMs: number,
    private readonly logger: Logger,
    /** Where this entry's calls wait for their timeout (undefined without a timeout). */
    readonly deadlines: DeadlineQueue | undefined,
  ) {
    this.module = owner.name;
    this.activity = activityId({
      module: owner.name,
      kind: 'callback',
      name: `${category}.${callback}`,
    });
  }

  get onError(): ModuleIdentity['on_error'] {
    return this.owner.on_error;
  }

  /** Records one sampled duration (plain arithmetic: prom-client reads it at scrape time). */
  observeDuration(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.durationBuckets[i]!++;
    this.durationSum += seconds;
    this.durationCount++;
  }

  /**
   * Seconds spent in this callback: the sampled durations scaled to every settled call (exact
   * while every call is timed). Never decreasing, as a Prometheus counter must be: a later
   * estimate below an earlier one (faster calls since) keeps the earlier one.
   */
  busySeconds(): number {
    if (this.durationCount > 0) {
      const estimate = this.durationSum * Math.max(1, this.settled / this.durationCount);
      if (estimate > this.busyEstimate) this.busyEstimate = estimate;
    }
    return this.busyEstimate;
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.logger.warn(
      { module: this.module, category: this.category, callback: this.callback, ...extra },
      message,
    );
  }
}
