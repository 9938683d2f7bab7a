import type { CacheContext } from './cache-context.js';

/**
 * One cache entry. Kept to six fields because memory per entry is budgeted against lru-cache:
 * everything rare (pending state, TTL, iterable size, invalidation callbacks) lives in `aux`,
 * which completed entries of a plain cache do not have at all.
 */
export class Entry {
  /** The single key part (one-part caches) or the array of key parts. */
  key: unknown;
  /** The promise while pending; the value once completed. */
  result: unknown;
  /**
   * A resolved promise of the completed value, made by the first hit and returned by every
   * later one, so a hot entry costs no allocation per hit (as a memoiser storing promises) while
   * entries never hit cost only this empty slot (the memory budget counts every entry).
   */
  promise: Promise<unknown> | undefined = undefined;
  /** LRU links; both null while the entry is pending (pending entries are not in the LRU list). */
  prev: Entry | null = null;
  next: Entry | null = null;
  aux: EntryAux | undefined;

  constructor(key: unknown, result: unknown, aux: EntryAux | undefined) {
    this.key = key;
    this.result = result;
    this.aux = aux;
  }
}

export class EntryAux {
  /** Removed from the cache while pending: its result must not be stored. */
  dead = false;
  /** Clock time after which the entry is expired (0: never). */
  expiresAt = 0;
  /** Weight against maxEntries (iterable caches: the value's length). */
  size = 1;
  /** Run once when the entry is invalidated, evicted, expired or fails (composed caches). */
  callbacks: Set<() => void> | undefined = undefined;
  /** The context handed out by cacheContext() for this entry, kept so it is stable (deduplicated). */
  context: CacheContext | undefined = undefined;
  /** Links in the cache's expiry list (TTL caches: completed entries in expiry order). */
  expPrev: Entry | null = null;
  expNext: Entry | null = null;
}
