/**
 * Calling one entry. The common case (no timeout, not a sampled call) is a bare call with no
 * allocation; timing and timeouts take a separate path so they cost nothing when unused.
 */
// The module binding: the global `performance` is a lazy accessor, slower on every call.
import { performance } from 'node:perf_hooks';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import { callbackTimeoutMessage } from '../errors/callback-messages.js';
import { enterActivity, leaveActivity } from '../watchdog/activity.js';
import type { ArgsStep } from './arguments.js';
import { CallbackWait } from './deadlines.js';
import { type CallbackEntry, SAMPLE_MASK, TIME_EVERY_CALL_UNTIL } from './entry.js';

/** A callback did not settle within its timeout. */
export class CallbackTimeoutError extends ModhostError {
  override name = 'CallbackTimeoutError';
  constructor(
    readonly module: string,
    readonly category: string,
    readonly callback: string,
    readonly timeoutMs: number,
  ) {
    super(
      ErrorCode.CALLBACK_TIMEOUT,
      callbackTimeoutMessage(module, category, callback, timeoutMs),
    );
  }
}

/** Calls `fn` with `args` without spreading for the usual arities (spread is measurably slower). */
function applyArgs(fn: Function, args: readonly unknown[]): unknown {
  switch (args.length) {
    case 0:
      return fn();
    case 1:
      return fn(args[0]);
    case 2:
      return fn(args[0], args[1]);
    case 3:
      return fn(args[0], args[1], args[2]);
    case 4:
      return fn(args[0], args[1], args[2], args[3]);
    default:
      return fn(...args);
  }
}

/** Calls the entry's function marked as its module's running code, for the watchdog. */
function applyMarked(entry: CallbackEntry, args: readonly unknown[]): unknown {
  const previous = enterActivity(entry.activity);
  try {
    return applyArgs(entry.fn, args);
  } finally {
    leaveActivity(previous);
  }
}

/** Calls the entry's function; the caller awaits the result (sync results are fine too). */
export function callEntry(
  entry: CallbackEntry,
  args: readonly unknown[],
  prepare?: ArgsStep,
): unknown {
  // Counted first: a call whose arguments cannot be prepared is a call that failed (its
  // runner counts it settled either way, see runners.ts).
  const calls = ++entry.calls;
  const callArgs = prepare === undefined ? args : prepare(args);
  if ((calls & entry.sampleMask) !== 0 && entry.timeoutMs === 0)
    return applyMarked(entry, callArgs);
  return callMeasured(entry, callArgs);
}

/**
 * Like `callEntry` but never races the result against the entry's timeout: for runs that watch
 * their deadlines themselves (see timed-run.ts).
 */
export function callEntryUnraced(
  entry: CallbackEntry,
  args: readonly unknown[],
  prepare?: ArgsStep,
): unknown {
  const calls = ++entry.calls;
  const callArgs = prepare === undefined ? args : prepare(args);
  if ((calls & entry.sampleMask) !== 0) return applyMarked(entry, callArgs);
  return callMeasured(entry, callArgs, false);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function observe(entry: CallbackEntry, start: number): void {
  if (entry.calls >= TIME_EVERY_CALL_UNTIL) entry.sampleMask = SAMPLE_MASK;
  entry.observeDuration((performance.now() - start) / 1000);
}

function callMeasured(entry: CallbackEntry, args: readonly unknown[], race = true): unknown {
  const timed = (entry.calls & entry.sampleMask) === 0;
  const start = timed ? performance.now() : 0;
  let result: unknown;
  try {
    result = applyMarked(entry, args);
  } catch (error) {
    if (timed) observe(entry, start);
    throw error;
  }
  if (!isThenable(result)) {
    if (timed) observe(entry, start);
    return result;
  }
  const settled = race && entry.timeoutMs > 0 ? withTimeout(result, entry) : result;
  if (!timed) return settled;
  return settled.then(
    (value) => {
      observe(entry, start);
      return value;
    },
    (error: unknown) => {
      observe(entry, start);
      throw error;
    },
  );
}

/** Settles like `pending`, or rejects with CallbackTimeoutError after the entry's timeout. */
function withTimeout(pending: PromiseLike<unknown>, entry: CallbackEntry): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const wait = new CallbackWait(() =>
      reject(
        new CallbackTimeoutError(entry.module, entry.category, entry.callback, entry.timeoutMs),
      ),
    );
    entry.deadlines!.add(wait);
    pending.then(
      (value) => {
        wait.settle();
        resolve(value);
      },
      (error: unknown) => {
        wait.settle();
        reject(error);
      },
    );
  });
}
