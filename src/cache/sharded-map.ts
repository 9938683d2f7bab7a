/**
 * A Map split into fixed shards by a cheap hash of the key, for the key tree's big levels.
 *
 * Why: V8 rehashes a whole Map in one go when it grows (at each power of two) and when
 * deletions leave it a quarter full. For a level of 1M entries that is one 20–80 ms operation
 * inside a single `set` or `delete`: no slicing of the sweep or of invalidations can split it,
 * so a TTL sweep expiring most of a big cache blocked the event loop for as long. Here no single
 * Map holds more than about 1/SHARDS of the level, so each rehash is that much smaller.
 *
 * Levels start as plain Maps (small caches keep the plain, fastest hit path) and become sharded
 * when they pass SHARD_ABOVE entries (one copy of that many entries, about a millisecond).
 * Keys that all hash alike (crafted ones) land in one shard: then it behaves as a plain Map did.
 */
export const SHARD_ABOVE = 16_384;
const SHARDS = 256;
const MASK = SHARDS - 1;
/** Characters of a string key that the shard hash reads (spread over the whole string). */
const SAMPLE = 24;

/** Shard of a key part; equal under SameValueZero means equal shard (0 and -0, NaN). */
export function shardOf(key: unknown): number {
  if (typeof key === 'string') {
    const n = key.length;
    let h = n;
    const step = n > SAMPLE ? (n / SAMPLE) | 0 : 1;
    for (let i = n - 1; i >= 0; i -= step) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return (h ^ (h >>> 15)) & MASK;
  }
  if (typeof key === 'number') {
    const h = Math.imul((key | 0) ^ ((key * 4096) | 0), 0x9e3779b1);
    return (h >>> 24) & MASK;
  }
  if (typeof key === 'bigint') return Number(BigInt.asUintN(8, key));
  return 0;
}

export class ShardedMap<K, V> extends Map<K, V> {
  private readonly shards: Array<Map<K, V>> = [];
  private count = 0;

  constructor(from: Iterable<[K, V]>) {
    super();
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Map());
    for (const [k, v] of from) this.set(k, v);
  }

  /** The shards themselves, for walks that should not pay for a generator per entry. */
  get shardMaps(): ReadonlyArray<Map<K, V>> {
    return this.shards;
  }

  override get size(): number {
    return this.count;
  }

  override get(key: K): V | undefined {
    return this.shards[shardOf(key)]!.get(key);
  }

  override has(key: K): boolean {
    return this.shards[shardOf(key)]!.has(key);
  }

  override set(key: K, value: V): this {
    const shard = this.shards[shardOf(key)]!;
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
    return this;
  }

  override delete(key: K): boolean {
    const deleted = this.shards[shardOf(key)]!.delete(key);
    if (deleted) this.count--;
    return deleted;
  }

  override clear(): void {
    for (let i = 0; i < SHARDS; i++) this.shards[i] = new Map();
    this.count = 0;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const shard of this.shards) yield* shard.entries();
  }

  override *keys(): MapIterator<K> {
    for (const shard of this.shards) yield* shard.keys();
  }

  override *values(): MapIterator<V> {
    for (const shard of this.shards) yield* shard.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const shard of this.shards) for (const [k, v] of shard) fn.call(thisArg, v, k, this);
  }
}

/** `map`, or a sharded copy of it once it has grown past SHARD_ABOVE entries. */
export function shardedIfBig<K, V>(map: Map<K, V>): Map<K, V> {
  return map.size > SHARD_ABOVE && !(map instanceof ShardedMap) ? new ShardedMap(map) : map;
}
