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

/** A deep copy of JSON-like data (Maps, Sets, Dates and typed arrays included). */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return structuredClone(value);
}

/** A deeply frozen copy of `value`, or `value` itself when it is already deeply frozen. */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object' || DEEP_FROZEN.has(value)) return value;
  if (isDeepFrozen(value, new Set())) {
    // Frozen things cannot thaw: the next run with this value skips the walk.
    DEEP_FROZEN.add(value);
    return value;
  }
  const copy = frozenClone(value, new Map()) as T;
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

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Copies and freezes in one pass. Plain objects and arrays (what events are made of) are copied
 * directly, several times faster than structuredClone; Maps and Sets become read-only copies;
 * anything else goes through structuredClone, then is frozen.
 */
function frozenClone(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (DEEP_FROZEN.has(value)) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = frozenClone(value[i], seen);
    return Object.freeze(out);
  }
  if (isPlain(value)) {
    const out: Record<string, unknown> =
      Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    seen.set(value, out);
    for (const key of Object.keys(value))
      out[key] = frozenClone((value as Record<string, unknown>)[key], seen);
    return Object.freeze(out);
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(frozenClone(k, seen), frozenClone(v, seen));
    return deepFreeze(out);
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(frozenClone(v, seen));
    return deepFreeze(out);
  }
  if (isBuiltinValue(value)) {
    const out = deepFreeze(structuredClone(value));
    seen.set(value, out);
    return out;
  }
  // An instance of a host's class (an event object with methods, as Synapse's FrozenEvent):
  // the copy keeps its prototype, so its methods and instanceof still work; structuredClone
  // would turn it into a plain object. Own data properties are cloned, accessors kept.
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as object;
  seen.set(value, out);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if ('value' in descriptor) descriptor.value = frozenClone(descriptor.value, seen);
    Object.defineProperty(out, key, descriptor);
  }
  return Object.freeze(out);
}

/** Values structuredClone copies faithfully (dates, patterns, binary data, errors). */
function isBuiltinValue(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof Error ||
    value instanceof Blob
  );
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

/** Maps and Sets made read-only by deepFreeze (their mutators throw). */
const READ_ONLY = new WeakSet<object>();

function refuse(this: unknown): never {
  throw new TypeError('Cannot modify a read-only collection: this argument is immutable');
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // Typed arrays cannot be frozen; the copy already keeps the caller's value safe.
  if (ArrayBuffer.isView(value)) return value;
  const collection = value instanceof Map || value instanceof Set;
  if (collection) {
    const mutators = value instanceof Map ? ['set', 'delete', 'clear'] : ['add', 'delete', 'clear'];
    for (const m of mutators) Object.defineProperty(value, m, { value: refuse });
    READ_ONLY.add(value);
  }
  // Frozen before its children, so a cycle ends here.
  Object.freeze(value);
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
