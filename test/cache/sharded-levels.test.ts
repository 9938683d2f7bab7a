/**
 * Big key-tree levels are sharded (src/cache/sharded-map.ts) so no single Map rehash blocks the
 * event loop: the cache must behave exactly as before across the switch (type-exact keys, LRU,
 * prefix invalidation, stats), and no plain Map in the tree may grow with the cache.
 */
import { expect } from 'chai';
import { cachedFunction, coreOf } from '../../src/cache/cached-function.js';
import { SHARD_ABOVE, ShardedMap, shardOf } from '../../src/cache/sharded-map.js';

const N = SHARD_ABOVE * 2 + 100;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The largest plain (unsharded) Map anywhere in `node`. */
function largestPlainMap(node: Map<unknown, unknown>): number {
  let largest = node instanceof ShardedMap ? 0 : node.size;
  for (const child of node.values())
    if (child instanceof Map) largest = Math.max(largest, largestPlainMap(child));
  if (node instanceof ShardedMap) {
    const shards = (node as unknown as { shards: Array<Map<unknown, unknown>> }).shards;
    for (const shard of shards) largest = Math.max(largest, shard.size);
  }
  return largest;
}

describe('cache: sharded big levels', () => {
  it('a one-part cache past the threshold keeps type-exact keys, LRU and stats', async () => {
    let computed = 0;
    const fn = cachedFunction(
      async (k: unknown) => {
        computed++;
        return typeof k;
      },
      { maxEntries: N },
    );
    for (let i = 0; i < N - 4; i++) await fn(`@user${i}:example.org`);
    const core = coreOf(fn)!;
    expect(core.root).to.be.instanceOf(ShardedMap);
    expect(core.root.size).to.equal(N - 4);
    expect(largestPlainMap(core.root)).to.be.below(SHARD_ABOVE / 8);
    // 1 and '1', 0 and -0, NaN: Map's SameValueZero, also across shards.
    expect(await fn(1)).to.equal('number');
    expect(await fn('1')).to.equal('string');
    expect(await fn(0)).to.equal('number');
    const before = computed;
    expect(await fn(-0)).to.equal('number');
    expect(await fn(NaN)).to.equal('number');
    expect(await fn(NaN)).to.equal('number');
    expect(computed).to.equal(before + 1);
    expect(fn.stats.entries).to.equal(N);
    // Full: touching the oldest keeps it; the next insert evicts the second oldest.
    await fn('@user0:example.org');
    await fn('one more');
    const misses = fn.stats.misses;
    await fn('@user0:example.org');
    expect(fn.stats.misses).to.equal(misses);
    await fn('@user1:example.org');
    expect(fn.stats.misses).to.equal(misses + 1);
    fn.invalidate('@user0:example.org');
    expect(core.root.has('@user0:example.org')).to.equal(false);
    expect(core.root.size).to.equal(fn.stats.entries);
  });

  it('a tree cache with a big inner level invalidates by prefix and clears', async () => {
    const fn = cachedFunction(async (room: string, n: number) => `${room}/${n}`, {
      maxEntries: 1_000_000,
      tree: true,
    });
    for (let n = 0; n < N; n++) fn.prefill(['!a', n], `!a/${n}`);
    for (let n = 0; n < 10; n++) fn.prefill(['!b', n], `!b/${n}`);
    const core = coreOf(fn)!;
    expect(core.root.get('!a')).to.be.instanceOf(ShardedMap);
    expect(largestPlainMap(core.root)).to.be.below(SHARD_ABOVE / 8);
    expect(await fn('!a', 123)).to.equal('!a/123');
    fn.invalidate(['!a']);
    const misses = fn.stats.misses;
    expect(await fn('!a', 123)).to.equal('!a/123');
    expect(fn.stats.misses).to.equal(misses + 1);
    expect(await fn('!b', 3)).to.equal('!b/3');
    while (core.maintaining) await tick();
    expect(fn.stats.entries).to.equal(11);
    fn.invalidateAll();
    while (core.maintaining) await tick();
    expect(fn.stats.entries).to.equal(0);
  });

  it('equal keys always share a shard; sequential keys spread over the shards', () => {
    expect(shardOf(0)).to.equal(shardOf(-0));
    expect(shardOf(NaN)).to.equal(shardOf(Number('x')));
    expect(shardOf('a'.repeat(100))).to.equal(shardOf('a'.repeat(50) + 'a'.repeat(50)));
    const used = new Set<number>();
    for (let i = 0; i < 4096; i++) {
      used.add(shardOf(i));
      used.add(shardOf(`!room${i}:example.org`));
    }
    expect(used.size).to.equal(256);
  });
});
