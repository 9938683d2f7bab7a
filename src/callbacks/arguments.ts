/**
 * Turns a callback's argument rules (`CallbackSpec.args`) into the two steps a run applies:
 * once per run (`frozen` values, shared safely by every callback because nobody can change
 * them) and before each callback (`copy`, then the spec's own `prepareArgs`).
 * Callbacks whose arguments are all shared get neither step, so their runs cost nothing extra.
 */
import type { ArgumentRule, CallbackSpec } from '../categories/types.js';

export type ArgsStep = (args: readonly unknown[]) => unknown[];

export interface ArgumentSteps {
  readonly perRun: ArgsStep | undefined;
  readonly perCall: ArgsStep | undefined;
}

export function argumentSteps(spec: CallbackSpec): ArgumentSteps {
  const rules = spec.args ?? [];
  const frozen = indexesOf(rules, 'frozen');
  const copies = indexesOf(rules, 'copy');
  const custom = spec.prepareArgs;
  const perRun = frozen.length === 0 ? undefined : replacing(frozen, frozenCopy);
  if (copies.length === 0) return { perRun, perCall: custom };
  const copy = replacing(copies, deepCopy);
  const perCall: ArgsStep = custom === undefined ? copy : (args) => custom(copy(args));
  return { perRun, perCall };
}

function indexesOf(rules: readonly ArgumentRule[], rule: ArgumentRule): number[] {
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (r === rule) out.push(i);
  });
  return out;
}

function replacing(indexes: readonly number[], transform: (value: unknown) => unknown): ArgsStep {
  return (args) => {
    let out: unknown[] | undefined;
    for (const i of indexes) {
      if (i >= args.length) continue;
      const value = transform(args[i]);
      // Unchanged values (primitives, already frozen) keep the caller's array: no allocation.
      if (value !== args[i]) (out ??= args.slice())[i] = value;
    }
    return out ?? (args as unknown[]);
  };
}

/**
 * A deep copy: plain objects, arrays, Maps, Sets and Dates are copied member by member (several
 * times faster than structuredClone); class instances keep their prototype (their methods);
 * functions are kept as they are (nothing can copy one); typed arrays, buffers and RegExps go
 * through structuredClone.
 */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return clone(value, new Map(), false) as T;
}

/** A deeply frozen copy of `value`, or `value` itself when it is already deeply frozen. */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object' || DEEP_FROZEN.has(value)) return value;
  if (isDeepFrozen(value, new Set())) {
    // Frozen things cannot thaw: the next run with this value skips the walk.
    DEEP_FROZEN.add(value);
    return value;
  }
  const copy = clone(value, new Map(), true) as T;
  DEEP_FROZEN.add(copy as object);
  return copy;
}

/**
 * Freezes `value` deeply, in place, and returns it: for hosts that hand modules values they
 * never change again (Synapse's events are immutable). Arguments whose rule is `frozen` are then
 * passed as they are, without the copy a mutable value costs on every run.
 */
export function freezeDeep<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  deepFreeze(value);
  DEEP_FROZEN.add(value);
  return value;
}

/** Values known to be deeply frozen (ours, or checked once). */
const DEEP_FROZEN = new WeakSet<object>();

/** Copies `value` (and freezes the copy when `freeze`), keeping shared and cyclic structure. */
function clone(value: unknown, seen: Map<object, unknown>, freeze: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (freeze && DEEP_FROZEN.has(value)) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  let out: object;
  if (Array.isArray(value)) {
    const array: unknown[] = new Array(value.length);
    seen.set(value, array);
    for (let i = 0; i < value.length; i++) array[i] = clone(value[i], seen, freeze);
    out = array;
  } else if (value instanceof Map) {
    const map = new Map();
    seen.set(value, map);
    for (const [k, v] of value) map.set(clone(k, seen, freeze), clone(v, seen, freeze));
    out = map;
  } else if (value instanceof Set) {
    const set = new Set();
    seen.set(value, set);
    for (const v of value) set.add(clone(v, seen, freeze));
    out = set;
  } else if (value instanceof Date) {
    out = new Date(value.getTime());
  } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof RegExp) {
    out = structuredClone(value);
  } else {
    const object = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
      string,
      unknown
    >;
    seen.set(value, object);
    for (const key of Object.keys(value))
      object[key] = clone((value as Record<string, unknown>)[key], seen, freeze);
    out = object;
  }
  seen.set(value, out);
  return freeze ? freezeOne(out) : out;
}

function isDeepFrozen(value: unknown, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (seen.has(value)) return true;
  if (!Object.isFrozen(value)) return false;
  seen.add(value);
  // A frozen Map or Set can still be changed through set/add: only our read-only ones count.
  if (value instanceof Map || value instanceof Set) {
    if (!READ_ONLY.has(value)) return false;
    for (const item of value instanceof Map ? value.entries() : value.values())
      if (!isDeepFrozen(item, seen)) return false;
    return true;
  }
  for (const key of Reflect.ownKeys(value))
    if (!isDeepFrozen((value as Record<PropertyKey, unknown>)[key], seen)) return false;
  return true;
}

/** A frozen Date still changes through its setters: those throw on ours. */
const DATE_SETTERS = Object.getOwnPropertyNames(Date.prototype).filter((m) => m.startsWith('set'));

/** Maps and Sets made read-only by deepFreeze (their mutators throw). */
const READ_ONLY = new WeakSet<object>();

function refuse(this: unknown): never {
  throw new TypeError('Cannot modify a read-only collection: this argument is immutable');
}

/** Freezes `value` itself (not its members): Maps, Sets and Dates get throwing mutators. */
function freezeOne<T extends object>(value: T): T {
  // Typed arrays cannot be frozen; the copy already keeps the caller's value safe.
  if (ArrayBuffer.isView(value)) return value;
  if (value instanceof Date)
    for (const m of DATE_SETTERS) Object.defineProperty(value, m, { value: refuse });
  else if (value instanceof Map || value instanceof Set) {
    const mutators = value instanceof Map ? ['set', 'delete', 'clear'] : ['add', 'delete', 'clear'];
    for (const m of mutators) Object.defineProperty(value, m, { value: refuse });
    READ_ONLY.add(value);
  }
  return Object.freeze(value);
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value;
  // Frozen before its children, so a cycle ends here.
  freezeOne(value);
  if (value instanceof Map)
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
  else if (value instanceof Set) for (const v of value) deepFreeze(v);
  else
    for (const key of Reflect.ownKeys(value))
      deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
