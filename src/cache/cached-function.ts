/**
 * Cached functions: the callable a @Cached member becomes (and the public factory for other
 * functions). The hit path is specialised by the number of key parts so a hit is a few Map reads
 * and a pointer swap in the LRU list, with no key string built and no array allocated beyond
 * the arguments themselves.
 */
import type { CachedOptions } from '../../decorators/metadata.js';
import { type Clock, systemClock } from '../clock/clock.js';
import { callbackNotFunction, notCachedFunction } from '../errors/cache-messages.js';
import { sharedAcrossCopies } from '../injection/tokens.js';
import { CacheCore, type CacheStats, type CallbackErrorReporter } from './cache-core.js';
import type { Entry } from './entry.js';
import { checkKeyParts } from './key-parts.js';
import { samePart } from './key-tree.js';
import { type CacheSettings, resolveOptions } from './options.js';

export type { CacheStats } from './cache-core.js';

export interface CachedFunction<A extends unknown[] = any[], R = unknown> {
  (...args: A): Promise<R>;
  /**
   * Removes the entry for `key`: the array of key parts (`[userId]`, `[roomId, userId]`). A cache
   * keyed by one part also takes the bare part (`userId`), since parts are never arrays. Tree
   * caches take a shorter prefix to remove everything below it. A missing key is a no-op.
   * On this instance only, as Synapse's `invalidate`; `api.invalidateCache(fn, key)` reaches
   * every instance.
   */
  invalidate(key: readonly unknown[] | unknown): void;
  /** Removes every entry; computations in flight still answer their callers but are not stored. */
  invalidateAll(): void;
  /** Stores `value` under `key` (same key forms as invalidate) as if it had been computed. */
  prefill(key: readonly unknown[] | unknown, value: R): void;
  /** Calls the function; invalidating or evicting the entry used then runs `onInvalidate`. */
  withOnInvalidate(onInvalidate: () => void, ...args: A): Promise<R>;
  readonly stats: CacheStats;
  readonly cacheName: string;
  /** Effective bound (after config factors). */
  readonly maxEntries: number;
  readonly tree: boolean;
  /** ms, 0 when entries never expire. */
  readonly ttl: number;
}

// Shared by every copy of modhost in the process: a module package's own copy of
// `cachedFunction` makes functions this copy's registry recognises.
const cores = sharedAcrossCopies('cached-function-cores', () => new WeakMap<Function, CacheCore>());
const originals = sharedAcrossCopies(
  'cached-function-originals',
  () => new WeakMap<Function, Function>(),
);

/** The store behind a cached function, or undefined for any other value. */
export function coreOf(value: unknown): CacheCore | undefined {
  return typeof value === 'function' ? cores.get(value) : undefined;
}

/** The function a cached function computes with (the decorated method for @Cached members). */
export function originalOf(value: unknown): Function | undefined {
  return typeof value === 'function' ? originals.get(value) : undefined;
}

/**
 * The cached-function view of a wired @Cached member, typed: TypeScript still sees the method's
 * own type on `this.method`, so `asCached(this.method).invalidate([userId])`. Throws when `fn` is
 * not a cached function (e.g. read from the prototype, or before the host wired the instance).
 */
export function asCached<A extends unknown[], R>(
  fn: (...args: A) => R,
): CachedFunction<A, Awaited<R>> {
  if (!cores.has(fn)) throw notCachedFunction('asCached(fn)', fn);
  return fn as unknown as CachedFunction<A, Awaited<R>>;
}

export interface CachedFunctionOptions extends CachedOptions {
  /** Time source for `ttl`; defaults to the system clock. */
  clock?: Clock;
  /** Told when an invalidation callback throws; defaults to a console warning. */
  onCallbackError?: CallbackErrorReporter;
}

/**
 * Memoises `fn` with @Cached's semantics, for functions that are not decorated methods.
 * `this` is passed through from each call. Register it with `api.registerCachedFunction` to make
 * it invalidatable across instances.
 */
export function cachedFunction<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: CachedFunctionOptions = {},
): CachedFunction<A, Awaited<R>> {
  if (typeof fn !== 'function') throw notCachedFunction('cachedFunction(fn)', fn);
  const { clock = systemClock, onCallbackError = warnOnConsole, ...cacheOptions } = options;
  const settings = resolveOptions(
    cacheOptions.name ?? (fn.name || 'anonymous'),
    cacheOptions,
    fn.length,
  );
  return buildCachedFunction(
    new CacheCore(settings, clock, onCallbackError),
    fn,
    undefined,
  ) as CachedFunction<A, Awaited<R>>;
}

/** Makes the callable for `core`; `self` fixes `this` (per-instance members), else passed through. */
export function buildCachedFunction(
  core: CacheCore,
  fn: Function,
  self: object | undefined,
): CachedFunction {
  const compute = fn as (...args: unknown[]) => unknown;
  const keyFn = core.settings.key as ((...args: unknown[]) => unknown[]) | undefined;
  const depth = core.settings.depth;
  let cached: (this: unknown, ...args: unknown[]) => Promise<unknown>;

  if (keyFn !== undefined || depth === undefined || depth === 0 || depth > 3) {
    cached = function (this: unknown, ...args: unknown[]) {
      return core.call(compute, self ?? this, args, keyFn);
    };
  } else if (depth === 1) {
    cached = function (this: unknown, ...args: unknown[]) {
      if (!core.bypass) {
        const entry = core.root.get(args[0]);
        if (entry !== undefined) {
          const result = core.hit(entry as Entry);
          if (result !== undefined) return result;
        }
      }
      return missOrCall(core, compute, self ?? this, args);
    };
  } else if (depth === 2) {
    // A slot may hold an entry directly (path compression): then only the key parts below that
    // level are compared; the ones the Maps matched are equal already (no second string compare).
    cached = function (this: unknown, ...args: unknown[]) {
      if (!core.bypass) {
        let node = core.root.get(args[0]);
        if (node instanceof Map) node = node.get(args[1]);
        else if (node !== undefined && !samePart((node.key as unknown[])[1], args[1]))
          node = undefined;
        if (node !== undefined) {
          const result = core.hit(node as Entry);
          if (result !== undefined) return result;
        }
      }
      return missOrCall(core, compute, self ?? this, args);
    };
  } else {
    cached = function (this: unknown, ...args: unknown[]) {
      if (!core.bypass) {
        let node = core.root.get(args[0]);
        if (node instanceof Map) {
          node = node.get(args[1]);
          if (node instanceof Map) node = node.get(args[2]);
          else if (node !== undefined && !samePart((node.key as unknown[])[2], args[2]))
            node = undefined;
        } else if (node !== undefined) {
          const key = node.key as unknown[];
          if (!samePart(key[1], args[1]) || !samePart(key[2], args[2])) node = undefined;
        }
        if (node !== undefined) {
          const result = core.hit(node as Entry);
          if (result !== undefined) return result;
        }
      }
      return missOrCall(core, compute, self ?? this, args);
    };
  }

  const api = cached as unknown as CachedFunction;
  Object.defineProperties(api, {
    name: { value: core.name, configurable: true },
    invalidate: { value: (key: unknown) => core.invalidate(key) },
    invalidateAll: { value: () => core.clear() },
    prefill: { value: (key: unknown, value: unknown) => core.prefill(key, value) },
    withOnInvalidate: {
      value: function (this: unknown, onInvalidate: () => void, ...args: unknown[]) {
        if (typeof onInvalidate !== 'function') {
          return Promise.reject(callbackNotFunction(core.name, onInvalidate));
        }
        return core.call(compute, self ?? this, args, keyFn, onInvalidate);
      },
    },
    stats: { get: () => core.stats(), enumerable: true },
    cacheName: { get: () => core.name, enumerable: true },
    maxEntries: { get: () => core.maxEntries, enumerable: true },
    tree: { value: core.tree, enumerable: true },
    ttl: { value: core.ttl, enumerable: true },
  });
  cores.set(api, core);
  originals.set(api, fn);
  return api;
}

/**
 * Miss on a fixed-depth cache: the fast path found nothing (or bypass is on). Never throws, as
 * CacheCore.call: the key check and the computation's synchronous throw become rejections.
 */
function missOrCall(
  core: CacheCore,
  fn: (...args: unknown[]) => unknown,
  self: unknown,
  args: unknown[],
): Promise<unknown> {
  if (core.bypass) return core.call(fn, self, args, undefined);
  // Nothing usable was found (an expired entry has just been removed by hit()).
  try {
    checkKeyParts(core.name, args, core.keyParts!);
    return core.miss(fn, self, args, args);
  } catch (error) {
    return Promise.reject(error);
  }
}

function warnOnConsole(cache: string, error: unknown): void {
  console.warn(`modhost: an invalidation callback of cache ${cache} threw`, error);
}

export type { CacheSettings };
