/**
 * Cache maintenance that grows with the work, not the cache: TTL sweeps visit only what expired;
 * large prefix invalidations and clears run in slices, and no read ever returns an invalidated
 * value while they do. Work is counted (CacheCore.maintenanceSteps), never timed.
 */
import { expect } from 'chai';
import { cachedFunction, type CachedFunction } from '../../src/cache/cached-function.js';
import { coreOf } from '../../src/cache/cached-function.js';
import { FakeClock } from '../../src/clock/fake-clock.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('cache maintenance', () => {
  it('a TTL sweep handles only the expired entries, however many are stored', async () => {
    const clock = new FakeClock();
    const fn = cachedFunction(async (k: number) => k, { maxEntries: 100_000, ttl: 1000, clock });
    for (let k = 0; k < 20_000; k++) await fn(k);
    await clock.advance(500);
    for (let k = 20_000; k < 70_000; k++) await fn(k);
    const core = coreOf(fn)!;
    const before = core.maintenanceSteps;
    await clock.advance(600); // the first 20,000 are due; the sweep timer fires
    while (core.maintaining) await tick();
    expect(core.maintenanceSteps - before).to.equal(20_000);
    expect(fn.stats).to.include({ entries: 50_000, expired: 20_000 });
    // Recomputed at 1,400 ms, so it outlives the next sweep (at 2,000 ms, or a slice of it
    // continuing at 2,300 ms) that drops the rest.
    await clock.advance(300);
    await fn(0);
    await clock.advance(900);
    while (core.maintaining) await tick();
    expect(core.maintenanceSteps - before).to.equal(70_000);
    expect(fn.stats.entries).to.equal(1);
  });

  it('never returns a value from a prefix invalidation or clear still being sliced', async () => {
    let version = 0;
    const fn: CachedFunction<[string, number], string> = cachedFunction(
      async (room: string, n: number) => `${room}/${n}@${version}`,
      { maxEntries: 1_000_000, tree: true },
    );
    const core = coreOf(fn)!;
    for (const action of ['prefix', 'clear'] as const) {
      for (let n = 0; n < 150_000; n++) await fn('!big', n);
      await fn('!small', 1);
      const old = version++;
      if (action === 'prefix') fn.invalidate(['!big']);
      else fn.invalidateAll();
      let reads = 0;
      // Read while the slices run (and after): every value is recomputed, never the old one.
      do {
        for (let n = reads % 1000; n < 150_000; n += 997) {
          expect(await fn('!big', n)).to.equal(`!big/${n}@${version}`);
          reads++;
        }
        await tick();
      } while (core.maintaining);
      expect(reads).to.be.greaterThan(0);
      expect(await fn('!small', 1)).to.equal(
        action === 'prefix' ? `!small/1@${old}` : `!small/1@${version}`,
      );
      expect(fn.stats.entries).to.equal(reads + 1);
      fn.invalidateAll();
      while (core.maintaining) await tick();
      expect(fn.stats).to.include({ entries: 0, size: 0 });
    }
  });

  it('runs invalidation callbacks of a large cut at once (dependents never served stale)', async () => {
    const inner = cachedFunction(async (room: string, n: number) => `${room}${n}`, {
      maxEntries: 1_000_000,
      tree: true,
    });
    let outerComputes = 0;
    const outer = cachedFunction(async (n: number) => {
      outerComputes++;
      return n;
    });
    for (let n = 0; n < 100_000; n++) await inner('!r', n);
    // The last entry depends on inner('!r', 99_999) (its callback invalidates it).
    await outer(1);
    await inner.withOnInvalidate(() => outer.invalidate([1]), '!r', 99_999);
    inner.invalidate(['!r']);
    expect(outer.stats.entries).to.equal(0);
    await outer(1);
    expect(outerComputes).to.equal(2);
    while (coreOf(inner)!.maintaining) await tick();
    expect(inner.stats.entries).to.equal(0);
    expect(inner.stats.invalidations).to.equal(100_000);
  });
});
