/** One registered callback function: who owns it, how it is called, and its running counts. */
import type { ModuleIdentity } from '../api/services.js';
import type { CallContext } from '../categories/types.js';
import type { Logger } from '../logging/logger.js';

/** After this many calls, durations are sampled (1 call in SAMPLE_EVERY) to keep `run` cheap. */
export const TIME_EVERY_CALL_UNTIL = 1024;
export const SAMPLE_MASK = 63;

/** Receives sampled call durations, in seconds. */
export type DurationSink = (entry: CallbackEntry, seconds: number) => void;

export class CallbackEntry implements CallContext {
  /** Counters read by the metrics collector at scrape time (plain fields: cheap to bump). */
  calls = 0;
  errors = 0;
  timeouts = 0;
  /** Calls whose `calls & sampleMask` is 0 are timed; every call at first, then 1 in 64. */
  sampleMask = 0;
  readonly module: string;

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
    readonly durations: DurationSink,
  ) {
    this.module = owner.name;
  }

  get onError(): ModuleIdentity['on_error'] {
    return this.owner.on_error;
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.logger.warn(
      { module: this.module, category: this.category, callback: this.callback, ...extra },
      message,
    );
  }
}
