/** Memory stays bounded under maxEntries while keys churn (structural counts, no timings). */
import { expect } from 'chai';
import { cachedFunction } from '../../src/cache/index.js';
import { coreOf } from '../../src/cache/cached-function.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The collector, exposed at run time (mocha does not start node with --expose-gc). */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('cache churn', () => {
  it('never holds more than maxEntries entries nor leaves empty subtrees behind', async () => {
    const f = cachedFunction(
      async (room: string, user: string, kind: number) => `${room}${user}${kind}`,
      {
        maxEntries: 100,
        tree: true,
      },
    );
    const core = coreOf(f)!;
    let maxNodes = 0;
    for (let i = 0; i < 20_000; i++) {
      await f(`!room${i}`, `@user${i % 7}`, i % 3);
      if (i % 97 === 0) f.invalidate([`!room${i - 50}`]);
      maxNodes = Math.max(maxNodes, core.countTreeNodes());
      expect(f.stats.entries).to.be.at.most(100);
    }
    // root + at most one map per entry on each inner level
    expect(maxNodes).to.be.at.most(1 + 2 * 100);
    expect(f.stats.evictions).to.be.greaterThan(19_000);
    f.invalidateAll();
    expect(core.countTreeNodes()).to.equal(1);
    expect(f.stats).to.include({ entries: 0, size: 0, pending: 0 });
  });

  it('releases evicted values for garbage collection', async () => {
    const gc = exposeGc();
    const f = cachedFunction(async (i: number) => 'x'.repeat(1000) + i, { maxEntries: 100 });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 50_000; i++) await f(i);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 50k values of ~1 KB would be ~50 MB; 100 kept are ~100 KB.
    expect(grown).to.be.below(5 * 1024 * 1024);
  });
});
