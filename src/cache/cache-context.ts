/**
 * The cache context (Synapse's `cache_context`): lets a computing cached function hand its own
 * invalidation to the cached functions it calls, so invalidating or evicting an inner entry
 * invalidates the outer one, through any depth.
 *
 * Tracking is explicit: automatic tracking across awaits needs AsyncLocalStorage, which on
 * Node 20 installs promise hooks that slow every promise in the process, far beyond the hit-path
 * budget. The context is therefore only readable synchronously at the start of the computation.
 */
import { noCacheContext } from '../errors/cache-messages.js';

export interface CacheContext {
  /** Invalidates the entry being computed (or computed) when this context was taken. Stable. */
  readonly invalidate: () => void;
  /**
   * Calls the cached function `fn` (e.g. `this.roomName`) so that invalidating or evicting the
   * entry it uses invalidates this one. A function that is not cached is a rejected call.
   */
  call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
}

export interface TrackableFunction<A extends unknown[], R> {
  withOnInvalidate(onInvalidate: () => void, ...args: A): Promise<R>;
}

/** What the running computation belongs to; set only around the synchronous start of a miss. */
export interface ContextSource {
  contextFor(entry: object): CacheContext;
}

let currentSource: ContextSource | undefined;
let currentEntry: object | undefined;

/**
 * The context of the cached computation now starting. Call it synchronously at the start of a
 * `@Cached` method, before the first `await`, and keep the result:
 *
 *   const ctx = cacheContext();
 *   const room = await ctx.call(this.roomInfo, roomId);
 */
export function cacheContext(): CacheContext {
  if (currentSource === undefined || currentEntry === undefined) throw noCacheContext();
  return currentSource.contextFor(currentEntry);
}

export interface SavedContext {
  source: ContextSource | undefined;
  entry: object | undefined;
}

export function enterContext(source: ContextSource, entry: object): SavedContext {
  const saved = { source: currentSource, entry: currentEntry };
  currentSource = source;
  currentEntry = entry;
  return saved;
}

export function leaveContext(saved: SavedContext): void {
  currentSource = saved.source;
  currentEntry = saved.entry;
}
