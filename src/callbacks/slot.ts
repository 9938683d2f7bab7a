/** The registrations of one callback of one category, with the runner its policy selects. */
import type { CallbackSpec } from '../categories/types.js';
import type { Logger } from '../logging/logger.js';
import { type ArgsStep, argumentSteps } from './arguments.js';
import type { CallbackEntry } from './entry.js';
import { RUNNERS, type Runner } from './runners.js';
import { TimedRun } from './timed-run.js';

export class Slot {
  /**
   * In registration (= config) order. Appended to in place (copying per registration made wiring
   * quadratic in the number of modules); registration ends at seal, before hosts run callbacks.
   */
  private readonly list: CallbackEntry[] = [];
  /** Modules that registered this name (also names whose entries live elsewhere, via accept). */
  readonly registeredBy = new Set<string>();
  readonly runner: Runner;
  /** Some entry has a timeout: runs go through TimedRun. */
  private timed = false;
  /** A resolved promise reused for every empty run, when the fallback is a primitive. */
  readonly emptyResult: Promise<unknown> | undefined;
  /** The spec's argument rules: once per run (frozen values) and before each callback (copies). */
  private readonly perRun: ArgsStep | undefined;
  readonly prepare: ArgsStep | undefined;

  constructor(
    readonly category: string,
    readonly name: string,
    readonly spec: CallbackSpec,
    readonly logger: Logger,
    /** Runs another callback of the same category (for custom policies). */
    readonly runSibling: (callback: string, args: readonly unknown[]) => Promise<unknown>,
  ) {
    this.runner = RUNNERS[spec.combine.kind];
    const steps = argumentSteps(spec);
    this.perRun = steps.perRun;
    this.prepare = steps.perCall;
    if (spec.combine.kind !== 'merge' && spec.combine.kind !== 'custom') {
      const value = this.fallback([]);
      if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
        this.emptyResult = Promise.resolve(value);
    }
  }

  /** The result when no callback decided (a fresh value for object results). */
  fallback(args: readonly unknown[]): unknown {
    const combine = this.spec.combine;
    switch (combine.kind) {
      case 'first-decisive':
      case 'once':
        return combine.fallback();
      case 'all':
        return undefined;
      case 'merge':
        return combine.finish === undefined
          ? combine.initial(args)
          : combine.finish(combine.initial(args), args);
      case 'custom':
        return undefined;
    }
  }

  run(args: readonly unknown[]): Promise<unknown> {
    if (this.perRun !== undefined && this.entries.length !== 0) {
      try {
        args = this.perRun(args);
      } catch (error) {
        return Promise.reject(error); // the caller's value cannot be copied: the host's problem
      }
    }
    if (this.timed) return new TimedRun(this, args).promise;
    if (this.entries.length !== 0 || this.spec.combine.kind === 'custom')
      return this.runner(this, args);
    return this.emptyResult ?? Promise.resolve(this.fallback(args));
  }

  get entries(): readonly CallbackEntry[] {
    return this.list;
  }

  add(entries: readonly CallbackEntry[]): void {
    for (const entry of entries) {
      this.list.push(entry);
      // Custom policies race each call in context.invoke instead.
      if (entry.deadlines !== undefined && this.spec.combine.kind !== 'custom') this.timed = true;
    }
  }
}
