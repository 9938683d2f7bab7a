/**
 * The store behind one cached function: a tree of Maps, one level per key part (type-exact
 * through Map's SameValueZero, no key string to build, and prefix invalidation for free), with
 * an intrusive doubly-linked LRU list of completed entries. Pending entries live in the same
 * tree, so a call needs one lookup whether the entry is pending or completed.
 */
// The module binding: the global `performance` is a lazy accessor, slower on every call.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../clock/clock.js';
import {
  invalidOption,
  keyFunctionLength,
  notCachedFunction,
  selfRecursion,
} from '../errors/cache-messages.js';
import {
  type CacheContext,
  type ContextSource,
  enterContext,
  leaveContext,
  type TrackableFunction,
} from './cache-context.js';
import { Entry, EntryAux } from './entry.js';
import { checkKeyFunctionResult, checkKeyLength, checkKeyParts, keyPartsOf } from './key-parts.js';
import type { CacheSettings } from './options.js';
import * as tree from './key-tree.js';
import { shardedIfBig } from './sharded-map.js';

/** The key part used by caches keyed by no argument, so they share the one-level layout. */
const NO_KEY = Symbol('modhost.cache.no-key');
/** The aux of a completed entry after removal: marks it as no longer in the cache. */
const REMOVED = new EntryAux();
REMOVED.dead = true;

/**
 * Maintenance (expiry sweeps, large invalidations and clears) runs in slices of at most this
 * many milliseconds of work, yielding to the event loop between them, whatever the cache size.
 */
export const SLICE_MS = 1;
/** Entries handled between two looks at the time inside a slice. */
const SLICE_CHECK = 256;

type AnyFunction = (...args: any[]) => unknown;

export interface CacheStats {
  /** Weighted size (the number of entries, or the sum of lengths for `iterable` caches). */
  size: number;
  entries: number;
  maxEntries: number;
  hits: number;
  misses: number;
  evictions: number;
  expired: number;
  invalidations: number;
  pending: number;
}

/** Reports an invalidation callback that threw; the others still run. */
export type CallbackErrorReporter = (cache: string, error: unknown) => void;

export class CacheCore implements ContextSource {
  root: tree.Tree = new Map();
  /** When set (cluster bus disconnected), every call computes and nothing is stored. */
  bypass = false;
  hits = 0;
  misses = 0;
  evictions = 0;
  expired = 0;
  invalidations = 0;
  pending = 0;
  entries = 0;
  size = 0;
  maxEntries: number;
  /** The registered name (`module.method`) once registered. */
  name: string;
  readonly tree: boolean;
  readonly ttl: number;
  private readonly iterable: boolean;
  /** Number of key parts, fixed by the first `key` result when not declared. */
  private depth: number | undefined;
  /** Levels in the tree: depth, but at least 1 (zero-part caches use NO_KEY). */
  private levels: number;
  /** LRU sentinel: head.next is the most recently used entry, head.prev the next to evict. */
  private readonly head: Entry;
  private sweepTimer: TimerHandle | undefined;
  /** Expiry list sentinel (TTL caches): next is the first to expire, prev the last stored. */
  private readonly expiry: Entry;
  /** Entries with invalidation callbacks, so cut subtrees run theirs at once (see cutOff). */
  private readonly withCallbacks = new Set<Entry>();
  /** Cut-off subtrees whose entries are still being detached, a slice at a time. */
  private readonly detaching: tree.EntryWalker[] = [];
  private sliceScheduled = false;
  private disposed = false;
  /** Entries handled by sweeps and sliced detaching so far: tests count work with it. */
  maintenanceSteps = 0;

  constructor(
    readonly settings: CacheSettings,
    private readonly clock: Clock,
    private readonly reportCallbackError: CallbackErrorReporter,
  ) {
    this.name = settings.name;
    this.tree = settings.tree;
    this.ttl = settings.ttl;
    this.iterable = settings.iterable;
    this.maxEntries = settings.maxEntries;
    this.depth = settings.depth;
    this.levels = Math.max(1, settings.depth ?? 1);
    const head = new Entry(undefined, undefined, undefined);
    head.prev = head;
    head.next = head;
    this.head = head;
    const expiry = new Entry(undefined, undefined, new EntryAux());
    expiry.aux!.expPrev = expiry;
    expiry.aux!.expNext = expiry;
    this.expiry = expiry;
    if (this.ttl > 0) this.scheduleSweep();
  }

  get keyParts(): number | undefined {
    return this.depth;
  }

  // ---- the call path -------------------------------------------------------------------------

  /**
   * A found entry: its promise while pending, a resolved promise of its value when completed,
   * or undefined when it has expired (then it is gone and the caller computes).
   */
  hit(entry: Entry): Promise<unknown> | undefined {
    const next = entry.next;
    if (next === null) {
      const pending = entry.result as Promise<unknown> | undefined;
      // Only while the computation's synchronous start is still running (a call to itself).
      if (pending === undefined) return Promise.reject(selfRecursion(this.name));
      this.hits++;
      return pending;
    }
    if (this.ttl !== 0) {
      // The clock is injectable (cachedFunction's `clock` option): its failure is the call's.
      try {
        if (entry.aux!.expiresAt <= this.clock.now()) {
          this.expire(entry);
          return undefined;
        }
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const head = this.head;
    if (head.next !== entry) {
      const prev = entry.prev!;
      prev.next = next;
      next.prev = prev;
      const first = head.next!;
      entry.next = first;
      entry.prev = head;
      first.prev = entry;
      head.next = entry;
    }
    this.hits++;
    return entry.promise ?? (entry.promise = Promise.resolve(entry.result));
  }

  /**
   * The full call: key function, lookup, then computation on a miss (or straight to the
   * computation under bypass). `onInvalidate` (from a cache context) is attached to the entry
   * found or created. Never throws: callers of an async function handle failures with `.catch`,
   * so a bad key, a throwing key function or a synchronous throw arrives as a rejection.
   */
  call(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    keyFn: AnyFunction | undefined,
    onInvalidate?: () => void,
  ): Promise<unknown> {
    try {
      return this.callOrThrow(fn, thisArg, args, keyFn, onInvalidate);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private callOrThrow(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    keyFn: AnyFunction | undefined,
    onInvalidate: (() => void) | undefined,
  ): Promise<unknown> {
    let parts: unknown[] = args;
    if (keyFn !== undefined) {
      parts = checkKeyFunctionResult(this.name, keyFn.apply(thisArg, args));
      this.fixDepth(parts.length);
    } else if (this.bypass) {
      // Checked under bypass too, so a bad key fails the same way whether the bus is up or not.
      checkKeyParts(this.name, parts, this.depth!);
    }
    if (this.bypass) return this.computeUncached(fn, thisArg, args, onInvalidate);
    const found = this.lookup(parts);
    if (found !== undefined) {
      const result = this.hit(found);
      if (result !== undefined) {
        if (onInvalidate !== undefined) this.addCallback(found, onInvalidate);
        return result;
      }
    }
    // Only on a miss: a found entry proves the parts were checked when it was stored.
    checkKeyParts(this.name, parts, this.depth!);
    return this.miss(fn, thisArg, args, parts, onInvalidate);
  }

  /** Computes and stores a pending entry; `parts` were checked by the caller. */
  miss(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    parts: unknown[],
    onInvalidate?: () => void,
  ): Promise<unknown> {
    this.misses++;
    const aux = new EntryAux();
    const entry = new Entry(this.storedKey(parts), undefined, aux);
    if (onInvalidate !== undefined) {
      aux.callbacks = new Set([onInvalidate]);
      this.withCallbacks.add(entry);
    }
    this.insert(entry);
    this.pending++;
    const promise = this.start(fn, thisArg, args, entry);
    entry.result = promise;
    promise.then(
      (value) => this.complete(entry, value),
      () => this.fail(entry),
    );
    return promise;
  }

  private start(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    entry: Entry,
  ): Promise<unknown> {
    const saved = enterContext(this, entry);
    try {
      // Adopts values, thenables and Promise subclasses alike (a native promise is returned
      // as is); a subclass's own `then` then runs later, so it cannot throw from this call.
      return Promise.resolve(fn.apply(thisArg, args));
    } catch (error) {
      return Promise.reject(error);
    } finally {
      leaveContext(saved);
    }
  }

  private computeUncached(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    onInvalidate: (() => void) | undefined,
  ): Promise<unknown> {
    this.misses++;
    // Nothing is stored, so whatever depends on this result must not be stored either.
    if (onInvalidate !== undefined) this.runCallback(onInvalidate);
    // The computation may still ask for its cache context: give it one for an entry that is
    // already out of the cache, so its invalidate is a no-op.
    const aux = new EntryAux();
    aux.dead = true;
    return this.start(fn, thisArg, args, new Entry(undefined, undefined, aux));
  }

  private complete(entry: Entry, value: unknown): void {
    const aux = entry.aux!;
    if (aux.dead) {
      // Invalidated while pending: waiters had the value, the cache must not keep it.
      this.runCallbacks(entry, aux);
      return;
    }
    this.pending--;
    entry.result = value;
    const size = this.iterable ? sizeOf(value) : 1;
    if (this.ttl !== 0 || size !== 1 || aux.callbacks !== undefined) {
      aux.size = size;
      if (this.ttl !== 0) this.linkExpiry(entry, aux);
    } else {
      entry.aux = undefined;
    }
    this.link(entry, size);
  }

  private fail(entry: Entry): void {
    const aux = entry.aux!;
    if (!aux.dead) {
      aux.dead = true;
      this.pending--;
      this.removeFromTree(entry);
    }
    this.runCallbacks(entry, aux);
  }

  // ---- management ------------------------------------------------------------------------

  /** Removes `key` (full key, or a prefix in tree caches); a missing key is a no-op. */
  invalidate(key: unknown): void {
    if (this.depth === undefined) {
      // Nothing was ever stored (a `key` option not called yet), but a bad key is still a bug.
      checkKeyParts(
        this.name,
        Array.isArray(key) ? key : [key],
        Array.isArray(key) ? key.length : 1,
        'invalidate',
      );
      return;
    }
    const parts = keyPartsOf(this.name, this.depth, key);
    checkKeyLength(this.name, parts, this.depth, this.tree);
    checkKeyParts(this.name, parts, parts.length, 'invalidate');
    this.invalidateParts(parts);
  }

  /** Same as invalidate with checked parts (also used for bus messages). */
  invalidateParts(parts: readonly unknown[]): void {
    if (parts.length === this.depth || this.depth === 0) {
      const entry = this.lookup(parts);
      if (entry === undefined) return;
      this.removeFromTree(entry);
      this.invalidations++;
      this.detach(entry);
      return;
    }
    // A prefix: cut the subtree off first (callbacks may re-enter), then detach its entries.
    const cut = tree.cutPrefix(this.root, parts);
    if (cut !== undefined) this.cutOff(cut, parts);
  }

  /** Removes everything, pending entries included (their waiters still get their results). */
  clear(): void {
    const old = this.root;
    this.root = new Map();
    if (old.size > 0) this.cutOff(old, []);
  }

  /**
   * Detaches the entries of a subtree already cut off the tree (entries under `prefix`). Reads
   * cannot find them any more, so they are gone the moment this is called; what remains is
   * bookkeeping (the LRU list, sizes, stats), done in slices of SLICE_MS so invalidating a
   * million entries never blocks the event loop. Entries with invalidation callbacks are
   * detached at once, so every entry depending on an invalidated one is invalidated before
   * anyone can read it.
   */
  private cutOff(cut: tree.Tree | Entry, prefix: readonly unknown[]): void {
    if (this.withCallbacks.size > 0) {
      const dependent: Entry[] = [];
      for (const entry of this.withCallbacks)
        if (this.keyStartsWith(entry, prefix)) dependent.push(entry);
      for (const entry of dependent) this.detachCut(entry);
    }
    this.detaching.push(new tree.EntryWalker(cut));
    this.runDetachSlice();
  }

  private keyStartsWith(entry: Entry, prefix: readonly unknown[]): boolean {
    if (prefix.length === 0) return true;
    if (this.levels === 1) return tree.samePart(entry.key, prefix[0]);
    return tree.partsMatch(entry.key as unknown[], prefix, 0, prefix.length);
  }

  /** Detaches a cut-off entry unless that was done already (it counts as an invalidation). */
  private detachCut(entry: Entry): void {
    const live = entry.next !== null || (entry.aux !== undefined && !entry.aux.dead);
    if (!live) return;
    this.invalidations++;
    this.detach(entry);
  }

  /** One slice of detaching; schedules the next one while cut-off entries remain. */
  private runDetachSlice(): void {
    const jobs = this.detaching;
    const deadline = performance.now() + SLICE_MS;
    let count = 0;
    while (jobs.length > 0) {
      const entry = jobs[0]!.next();
      if (entry === undefined) {
        jobs.shift();
        continue;
      }
      this.maintenanceSteps++;
      this.detachCut(entry);
      if (++count % SLICE_CHECK === 0 && performance.now() >= deadline) break;
    }
    if (jobs.length > 0) this.scheduleSlice();
  }

  private scheduleSlice(): void {
    if (this.sliceScheduled || this.disposed) return;
    this.sliceScheduled = true;
    // Only a weak reference, as for the sweep: a dropped cache is not kept alive by its slices.
    const ref = new WeakRef(this);
    setImmediate(() => {
      const core = ref.deref();
      if (core === undefined) return;
      core.sliceScheduled = false;
      if (core.detaching.length > 0) core.runDetachSlice();
      if (core.sweepDue) core.sweepExpired();
    }).unref();
  }

  /** Whether maintenance is still running in slices (for tests and benchmarks). */
  get maintaining(): boolean {
    return this.detaching.length > 0 || this.sliceScheduled;
  }

  /** Stores `value` under `key` as if computed; a pending computation there is not stored. */
  prefill(key: unknown, value: unknown): void {
    // A key-option cache learns its number of parts here, but only from a valid key.
    const depth = this.depth ?? (Array.isArray(key) ? key.length : 1);
    const parts = keyPartsOf(this.name, depth, key);
    checkKeyLength(this.name, parts, depth, false);
    checkKeyParts(this.name, parts, parts.length, 'prefill');
    if (this.depth === undefined) this.fixDepth(depth);
    if (this.bypass) return;
    const existing = this.lookup(parts);
    if (existing !== undefined) {
      if (existing.next !== null && existing.result === value) {
        this.hit(existing);
        return;
      }
      this.removeFromTree(existing);
      this.detach(existing);
    }
    const size = this.iterable ? sizeOf(value) : 1;
    let aux: EntryAux | undefined;
    if (this.ttl !== 0 || size !== 1) {
      aux = new EntryAux();
      aux.size = size;
    }
    const entry = new Entry(this.storedKey(parts as unknown[]), value, aux);
    if (this.ttl !== 0) this.linkExpiry(entry, aux!);
    this.insert(entry);
    this.link(entry, size);
  }

  /** Changes the bound (config factors), evicting at once if the cache is now too big. */
  resize(maxEntries: number): void {
    this.maxEntries = maxEntries;
    this.evictOverflow();
  }

  setBypass(on: boolean): void {
    this.bypass = on;
  }

  stats(): CacheStats {
    return {
      size: this.size,
      entries: this.entries,
      maxEntries: this.maxEntries,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      expired: this.expired,
      invalidations: this.invalidations,
      pending: this.pending,
    };
  }

  /** Maps in the tree, for tests that check memory stays bounded under churn. */
  countTreeNodes(): number {
    return tree.countMaps(this.root);
  }

  dispose(): void {
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
    this.disposed = true;
  }

  contextFor(entryObject: object): CacheContext {
    const entry = entryObject as Entry;
    const aux = entry.aux!;
    if (aux.context === undefined) {
      const invalidate = (): void => this.invalidateEntry(entry);
      aux.context = {
        invalidate,
        call: (fn, ...args) => {
          const tracked = fn as unknown as Partial<TrackableFunction<unknown[], never>>;
          if (typeof tracked?.withOnInvalidate !== 'function') {
            return Promise.reject(
              notCachedFunction(`cache ${this.name}: cacheContext().call(fn)`, fn),
            );
          }
          return tracked.withOnInvalidate(invalidate, ...args);
        },
      };
    }
    return aux.context;
  }

  /** Invalidates this very entry if it is still in the cache (not a newer one at its key). */
  invalidateEntry(entry: Entry): void {
    const live = entry.next !== null || (entry.aux !== undefined && !entry.aux.dead);
    if (!live) return;
    this.removeFromTree(entry);
    this.invalidations++;
    this.detach(entry);
  }

  // ---- internals -------------------------------------------------------------------------

  private fixDepth(depth: number): void {
    if (this.depth === undefined) {
      if (this.tree && depth < 2) {
        throw invalidOption(
          this.name,
          'tree',
          `needs at least 2 key parts; the key option returned ${depth}`,
        );
      }
      this.depth = depth;
      this.levels = Math.max(1, depth);
    } else if (this.depth !== depth) {
      throw keyFunctionLength(this.name, depth, this.depth);
    }
  }

  private storedKey(parts: readonly unknown[]): unknown {
    const levels = this.levels;
    if (this.depth === 0) return NO_KEY;
    if (levels === 1) return parts[0];
    if (parts.length === levels) return parts;
    const key = new Array<unknown>(levels);
    for (let i = 0; i < levels; i++) key[i] = parts[i];
    return key;
  }

  lookup(parts: readonly unknown[]): Entry | undefined {
    if (this.levels === 1)
      return this.root.get(this.depth === 0 ? NO_KEY : parts[0]) as Entry | undefined;
    return tree.lookup(this.root, parts, this.levels);
  }

  private insert(entry: Entry): void {
    if (this.levels === 1) this.root.set(entry.key, entry);
    else tree.insert(this.root, entry, this.levels);
    // Big levels are sharded so no single Map rehash blocks the event loop (sharded-map.ts).
    this.root = shardedIfBig(this.root);
  }

  /** Takes `entry` out of the tree if it is still the one stored at its key. */
  private removeFromTree(entry: Entry): void {
    if (this.levels === 1) {
      const k = entry.key;
      if (this.root.get(k) === entry) this.root.delete(k);
    } else {
      tree.remove(this.root, entry, this.levels);
    }
  }

  private link(entry: Entry, size: number): void {
    const head = this.head;
    const first = head.next!;
    entry.next = first;
    entry.prev = head;
    first.prev = entry;
    head.next = entry;
    this.entries++;
    this.size += size;
    if (this.size > this.maxEntries) this.evictOverflow();
  }

  private evictOverflow(): void {
    const head = this.head;
    while (this.size > this.maxEntries && head.prev !== head) {
      const victim = head.prev!;
      this.removeFromTree(victim);
      this.evictions++;
      this.detach(victim);
    }
  }

  private expire(entry: Entry): void {
    this.removeFromTree(entry);
    this.expired++;
    this.evictions++;
    this.detach(entry);
  }

  /** Out of the tree already: unlink (completed) or mark dead (pending), then run callbacks. */
  private detach(entry: Entry): void {
    const aux = entry.aux;
    if (entry.next === null) {
      if (aux!.dead) return;
      aux!.dead = true;
      this.pending--;
      this.runCallbacks(entry, aux!);
      return;
    }
    const prev = entry.prev!;
    const next = entry.next;
    prev.next = next;
    next.prev = prev;
    entry.prev = null;
    entry.next = null;
    if (aux !== undefined && aux.expNext !== null) this.unlinkExpiry(aux);
    entry.aux = REMOVED;
    this.entries--;
    this.size -= aux === undefined ? 1 : aux.size;
    if (aux !== undefined) this.runCallbacks(entry, aux);
  }

  private addCallback(entry: Entry, callback: () => void): void {
    let aux = entry.aux;
    if (aux === undefined) {
      aux = new EntryAux();
      entry.aux = aux;
    }
    if (aux.dead) {
      this.runCallback(callback);
      return;
    }
    if (aux.callbacks === undefined) {
      aux.callbacks = new Set();
      this.withCallbacks.add(entry);
    }
    aux.callbacks.add(callback);
  }

  private runCallbacks(entry: Entry, aux: EntryAux): void {
    const callbacks = aux.callbacks;
    if (callbacks === undefined) return;
    aux.callbacks = undefined;
    this.withCallbacks.delete(entry);
    for (const callback of callbacks) this.runCallback(callback);
  }

  private runCallback(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.reportCallbackError(this.name, error);
    }
  }

  /** Drops expired entries now and then, so idle caches do not keep dead values forever. */
  private scheduleSweep(): void {
    // Only a weak reference: a cache its owner dropped must not be kept alive by its own sweep.
    const ref = new WeakRef(this);
    this.sweepTimer = this.clock.setTimer(Math.max(this.ttl, 1000), () => {
      const core = ref.deref();
      if (core === undefined || core.sweepTimer === undefined) return;
      core.sweepExpired();
      core.scheduleSweep();
    });
  }

  /** Whether an expired entry waits at the head of the expiry list. */
  private get sweepDue(): boolean {
    if (this.ttl === 0) return false;
    const first = this.expiry.aux!.expNext!;
    return first !== this.expiry && first.aux!.expiresAt <= this.clock.now();
  }

  /**
   * Drops expired entries, oldest first from the expiry list (completed entries in the order
   * they were stored, which is their expiry order since every entry has the same ttl): work in
   * proportion to what expired, never a scan of the cache, in slices of SLICE_MS.
   */
  sweepExpired(): void {
    if (this.ttl === 0) return;
    const now = this.clock.now();
    const sentinel = this.expiry;
    const deadline = performance.now() + SLICE_MS;
    let count = 0;
    for (;;) {
      const first = sentinel.aux!.expNext!;
      if (first === sentinel || first.aux!.expiresAt > now) return;
      // expire() unlinks it from both lists (callbacks may invalidate other entries: no cursor).
      this.maintenanceSteps++;
      this.expire(first);
      if (++count % SLICE_CHECK === 0 && performance.now() >= deadline) {
        this.scheduleSlice();
        return;
      }
    }
  }

  /** Appends a just-completed entry to the expiry list, stamping its expiry time. */
  private linkExpiry(entry: Entry, aux: EntryAux): void {
    aux.expiresAt = this.clock.now() + this.ttl;
    const sentinel = this.expiry;
    const last = sentinel.aux!.expPrev!;
    aux.expPrev = last;
    aux.expNext = sentinel;
    last.aux!.expNext = entry;
    sentinel.aux!.expPrev = entry;
  }

  private unlinkExpiry(aux: EntryAux): void {
    const prev = aux.expPrev!;
    const next = aux.expNext!;
    prev.aux!.expNext = next;
    next.aux!.expPrev = prev;
    aux.expPrev = null;
    aux.expNext = null;
  }
}

/** An `iterable` entry's weight: its length, and 1 when empty (Synapse's `len(v) or 1`). */
function sizeOf(value: unknown): number {
  if (value !== null && (typeof value === 'object' || typeof value === 'string')) {
    const v = value as { length?: unknown; size?: unknown };
    if (typeof v.length === 'number') return v.length || 1;
    if (typeof v.size === 'number') return v.size || 1;
  }
  return 1;
}
