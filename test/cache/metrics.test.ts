/** Prometheus metrics per cache. */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { asCached } from '../../src/cache/index.js';
import { makeRegistry } from './helpers.js';

class M {
  @Cached({ maxEntries: 1 })
  async v(k: string): Promise<string> {
    return k;
  }
}

describe('cache metrics', () => {
  it('reports size, hits, misses, evictions, pending and invalidations per cache', async () => {
    const t = makeRegistry({ caches: { global_factor: 3, per_cache_factors: {} } });
    const m = t.wire(new M(), 'met');
    await m.v('a');
    await m.v('a');
    await m.v('b');
    await m.v('c');
    await m.v('d'); // maxEntries 3 → evicts a
    asCached(m.v).invalidate('d');
    const text = await t.metrics.metrics();
    const value = (metric: string): string | undefined =>
      new RegExp(`^${metric}\\{cache="met\\.v"\\} (\\S+)$`, 'm').exec(text)?.[1];
    expect(value('modhost_cache_size')).to.equal('2');
    expect(value('modhost_cache_max_size')).to.equal('3');
    expect(value('modhost_cache_hits_total')).to.equal('1');
    expect(value('modhost_cache_misses_total')).to.equal('4');
    expect(value('modhost_cache_evictions_total')).to.equal('1');
    expect(value('modhost_cache_invalidations_total')).to.equal('1');
    expect(value('modhost_cache_pending')).to.equal('0');
  });
});
