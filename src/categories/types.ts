/**
 * The data a callback category is made of. A category lists its callbacks; each callback says
 * how the results of several modules combine, what an exception means, and how arguments are
 * prepared. The registry turns this data into a runner; nothing here executes by itself.
 */

export type Awaitable<T> = T | Promise<T>;

/** What a normaliser, reducer or custom runner knows about the registration being called. */
export interface CallContext {
  /** The module that registered the callback. */
  readonly module: string;
  readonly category: string;
  readonly callback: string;
  /** Data attached at registration (e.g. an auth checker's login type and fields). */
  readonly data: unknown;
  /** Logs a warning naming module, category and callback (e.g. for a malformed result). */
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** The first non-neutral (normalised) result is returned; later callbacks are not called. */
export interface FirstDecisivePolicy {
  readonly kind: 'first-decisive';
  /** Turns a raw result into the category's canonical form. Identity when absent. */
  readonly normalise?: (raw: unknown, call: CallContext) => unknown;
  /** Whether a normalised result lets the next callback decide. */
  readonly isNeutral: (result: unknown) => boolean;
  /** The result when every callback was neutral (or none is registered). */
  readonly fallback: () => unknown;
}

/** Every callback runs, in order; results are ignored; the operation resolves to undefined. */
export interface AllPolicy {
  readonly kind: 'all';
}

/** Results are folded in order into an accumulator. */
export interface MergePolicy {
  readonly kind: 'merge';
  /** A fresh accumulator per run (also the result when nothing is registered). */
  readonly initial: (args: readonly unknown[]) => unknown;
  /** Folds one raw result in; may call `call.warn` and return `acc` unchanged to skip it. */
  readonly reduce: (acc: unknown, raw: unknown, call: CallContext) => unknown;
  /** A result that ends the run at once, returned as it is (e.g. presence `ALL`). */
  readonly isDecisive?: (raw: unknown) => boolean;
  /** Turns the accumulator into the result. Identity when absent. */
  readonly finish?: (acc: unknown, args: readonly unknown[]) => unknown;
}

/** Only one registration may exist; a second one is an error or is ignored with a warning. */
export interface OncePolicy {
  readonly kind: 'once';
  readonly duplicate: 'error' | 'warn';
  /** The result when nothing is registered (or the callback failed and was ignored). */
  readonly fallback: () => unknown;
}

/** Marker results of `CustomRunContext.invoke` after a failure the error policy absorbed. */
// Symbol.for: a category defined with another copy of modhost compares equal markers.
export const SKIPPED: unique symbol = Symbol.for('modhost.callback.skipped');
export const DENIED: unique symbol = Symbol.for('modhost.callback.denied');

export interface CustomRunContext {
  readonly entries: readonly CallContext[];
  /** Runs another callback of the same category (e.g. a fall-through to a general check). */
  run(callback: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * Calls one registration under the callback's error policy, timeout and metrics. Resolves to
   * the raw result, `SKIPPED` when a failure counts as neutral, or `DENIED` when a fail-closed
   * module failed; rejects when the policy propagates.
   */
  invoke(entry: CallContext, args: readonly unknown[]): Promise<unknown>;
}

/**
 * A combination the other policies cannot express (e.g. per-login-type auth dispatch). `run` is
 * called even when nothing is registered (`context.entries` is then empty).
 */
export interface CustomPolicy {
  readonly kind: 'custom';
  readonly run: (context: CustomRunContext, args: readonly unknown[]) => Promise<unknown>;
}

export type CombinePolicy =
  FirstDecisivePolicy | AllPolicy | MergePolicy | OncePolicy | CustomPolicy;

/** The exception fails the operation as it is. */
export interface PropagatePolicy {
  readonly kind: 'propagate';
}
/** The exception is logged and the callback counts as neutral; the next one runs. */
export interface IgnorePolicy {
  readonly kind: 'ignore';
}
/**
 * The exception becomes a "module failed" error with this status, unless it already carries an
 * HTTP status (an `HttpError`), which is re-thrown as it is.
 */
export interface WrapPolicy {
  readonly kind: 'wrap';
  readonly status: number;
  readonly errcode: string;
  readonly message: string;
  /**
   * Whether an error carrying its own HTTP status is re-thrown as it is (Synapse's
   * `check_event_allowed`, `on_create_room`). False: every exception becomes this status
   * (Synapse's `get_username_for_registration`, `is_3pid_allowed`: any exception is a 500).
   */
  readonly keepHttpErrors: boolean;
}

export type ErrorPolicy = PropagatePolicy | IgnorePolicy | WrapPolicy;

/** One registered value turned into registry entries (see `CallbackSpec.accept`). */
export interface AcceptedEntry {
  /** The callback the entry belongs to (the same one, or an internal one). */
  readonly callback: string;
  readonly fn: Function;
  readonly data?: unknown;
}

/**
 * How one positional argument reaches each callback (Synapse passes some values as they are,
 * copies others per callback, and hands over immutable events):
 * - `shared`: the caller's value itself; mutations are visible to later callbacks and the caller
 *   (e.g. `on_create_room`'s request content, which callbacks are meant to change);
 * - `copy`: each callback gets its own deep copy (Synapse's `deepcopy`);
 * - `frozen`: callbacks get a deeply frozen copy, made once per run (Synapse's events are
 *   immutable); assigning to it throws in the module and never reaches the caller's value.
 *   A value that is already deeply frozen is passed as it is.
 */
export type ArgumentRule = 'shared' | 'copy' | 'frozen';

export interface CallbackSpec {
  readonly combine: CombinePolicy;
  readonly onError: ErrorPolicy;
  /**
   * The rule for each positional argument, in order (see ArgumentRule). Arguments past the end
   * of the list are shared. The built-in pack states a rule for every parameter.
   */
  readonly args?: readonly ArgumentRule[];
  /**
   * Marks an allow/deny decision: a module's `on_error` override applies to it. `deny()` is
   * the operation's result when a fail-closed module's callback throws or times out.
   */
  readonly decision?: { readonly deny: () => unknown };
  /** Runs before each callback gets the arguments, after the `args` rules. */
  readonly prepareArgs?: (args: readonly unknown[]) => unknown[];
  /** ms; overrides the host-wide `callback_timeout` (a module's own setting wins over both). */
  readonly timeout?: number;
  /**
   * Turns a registered value into entries; the default accepts one function. Throw a string
   * message (via `reject`) to refuse the value.
   */
  readonly accept?: (value: unknown, reject: (problem: string) => never) => AcceptedEntry[];
  /** Reachable only through another callback's `accept`; not a registrable name. */
  readonly internal?: boolean;
  /** Describes why two entries' data cannot coexist (e.g. one login type, two field lists). */
  readonly conflict?: (existing: unknown, added: unknown) => string | undefined;
  readonly description?: string;
}

export interface CategoryDefinition {
  readonly name: string;
  readonly description?: string;
  readonly callbacks: Readonly<Record<string, CallbackSpec>>;
  /** Groups of callbacks a module must register all together or not at all. */
  readonly paired?: readonly (readonly string[])[];
  /**
   * The whole category belongs to one module: another module's registration is an error, or
   * is ignored with a warning.
   */
  readonly exclusive?: 'error' | 'warn';
}
