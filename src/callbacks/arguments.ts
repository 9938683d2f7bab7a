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
    const out = args.slice();
    for (const i of indexes) if (i < out.length) out[i] = transform(out[i]);
    return out;
  };
}

/** A deep copy of JSON-like data (Maps, Sets, Dates and typed arrays included). */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return structuredClone(value);
}

/** A deeply frozen copy of `value`, or `value` itself when it is already deeply frozen. */
export function frozenCopy<T>(value: T): T {
  if (isDeepFrozen(value, new Set())) return value;
  return deepFreeze(deepCopy(value));
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
