/**
 * Runs a slot whose callbacks have timeouts without racing every call. The run owns one
 * promise (what the host awaits) and awaits each callback directly; a deadline wait per call
 * sits in the shared buckets. When a call expires, the run treats it as a failure under the
 * error policy and, unless that ends the run, goes on from the next callback in a fresh loop;
 * the abandoned loop notices its wait expired and stops when (if ever) the call settles.
 * Combination logic is the same as runners.ts, expressed as a fold over results.
 */
import { Wait } from './deadlines.js';
import type { CallbackEntry } from './entry.js';
import { CONTINUE, handleFailure } from './failure.js';
import { CallbackTimeoutError, callEntryUnraced, isThenable } from './invoke.js';
import type { Slot } from './slot.js';

/** The deadline of the run's current call; reused call after call until one expires. */
class StepWait extends Wait {
  expired = false;
  index = 0;
  constructor(private readonly run: TimedRun) {
    super();
  }

  expire(): void {
    this.expired = true;
    this.run.expired(this.index);
  }
}

export class TimedRun {
  readonly promise: Promise<unknown>;
  private resolve!: (value: unknown) => void;
  private reject!: (error: unknown) => void;
  /** The merge accumulator. */
  private acc: unknown;
  /** Replaced when it expires: the abandoned loop keeps the expired one. */
  private wait = new StepWait(this);

  constructor(
    private readonly slot: Slot,
    private readonly args: readonly unknown[],
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const combine = slot.spec.combine;
    if (combine.kind === 'merge') this.acc = combine.initial(args);
    void this.from(0);
  }

  private async from(start: number): Promise<void> {
    const entries = this.slot.entries;
    const prepare = this.slot.prepare;
    try {
      for (let i = start; i < entries.length; i++) {
        const entry = entries[i]!;
        let wait: StepWait | undefined;
        let raw: unknown;
        try {
          const result = callEntryUnraced(entry, this.args, prepare);
          if (entry.deadlines !== undefined && isThenable(result)) {
            wait = this.wait;
            wait.index = i;
            entry.deadlines.add(wait);
          }
          raw = await result;
          // Counted when the call really ends, also past its timeout: it was in flight until then.
          entry.settled++;
        } catch (error) {
          entry.settled++;
          if (wait?.expired) return; // this loop was abandoned at the timeout
          wait?.settle();
          if (this.ended(entry, error)) return;
          continue;
        }
        if (wait?.expired) return;
        wait?.settle();
        const step = this.take(raw, entry);
        if (step !== CONTINUE) return this.resolve(step);
      }
      this.resolve(this.finish());
    } catch (error) {
      // A normaliser or reducer refused a result (e.g. a non-enum registration verdict).
      this.reject(error);
    }
  }

  /** Folds one result in: CONTINUE, or the run's result (same logic as runners.ts). */
  private take(raw: unknown, entry: CallbackEntry): unknown {
    const combine = this.slot.spec.combine;
    switch (combine.kind) {
      case 'first-decisive': {
        const result = combine.normalise === undefined ? raw : combine.normalise(raw, entry);
        return combine.isNeutral(result) ? CONTINUE : result;
      }
      case 'merge':
        if (combine.isDecisive?.(raw)) return raw;
        this.acc = combine.reduce(this.acc, raw, entry);
        return CONTINUE;
      case 'once':
        return raw;
      default:
        return CONTINUE;
    }
  }

  private finish(): unknown {
    const combine = this.slot.spec.combine;
    switch (combine.kind) {
      case 'first-decisive':
      case 'once':
        return combine.fallback();
      case 'merge':
        return combine.finish === undefined ? this.acc : combine.finish(this.acc, this.args);
      default:
        return undefined;
    }
  }

  /** Called by a deadline: the call at `index` counts as failed; the run goes on after it. */
  expired(index: number): void {
    this.wait = new StepWait(this);
    const entry = this.slot.entries[index]!;
    const timeout = new CallbackTimeoutError(
      entry.module,
      entry.category,
      entry.callback,
      entry.timeoutMs,
    );
    if (!this.ended(entry, timeout)) void this.from(index + 1);
  }

  /** Applies the error policy; true when that ended the run (a result or a rejection). */
  private ended(entry: CallbackEntry, error: unknown): boolean {
    try {
      const outcome = handleFailure(this.slot.spec, entry, error, this.slot.logger);
      if (outcome === CONTINUE) return false;
      this.resolve(outcome);
    } catch (failure) {
      this.reject(failure);
    }
    return true;
  }
}
