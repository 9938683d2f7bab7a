/** The cache side of many instances: bus messages, and no caching while the bus is down. */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { asCached, cacheContext, cachedFunction } from '../../src/cache/index.js';
import { deferred, FakeBus, flush, makeRegistry } from './helpers.js';

class Prices {
  computed: unknown[] = [];
  @Cached()
  async price(item: unknown): Promise<string> {
    this.computed.push(item);
    return `price of ${String(item)}`;
  }
  @Cached({ numArgs: 2, tree: true })
  async stock(shop: string, item: string): Promise<string> {
    this.computed.push([shop, item]);
    return `${shop}/${item}`;
  }
}

describe('cache cluster link', () => {
  it('applies invalidations from other instances, key types preserved', async () => {
    const t = makeRegistry();
    const p = t.wire(new Prices(), 'shop');
    await p.price(1);
    await p.price('1');
    t.bus.deliver({ cache: 'shop.price', keys: [[1]] });
    expect(asCached(p.price).stats.entries).to.equal(1);
    await p.price('1');
    expect(p.computed).to.deep.equal([1, '1']);
    await p.stock('s1', 'a');
    await p.stock('s1', 'b');
    await p.stock('s2', 'a');
    t.bus.deliver({ cache: 'shop.stock', keys: [['s1']] });
    expect(asCached(p.stock).stats.entries).to.equal(1);
    t.bus.deliver({ cache: 'shop.stock', all: true });
    expect(asCached(p.stock).stats.entries).to.equal(0);
  });

  it('ignores messages for caches it does not have (debug log) and malformed keys (warning)', async () => {
    const t = makeRegistry();
    const p = t.wire(new Prices(), 'shop');
    await p.price('x');
    t.bus.deliver({ cache: 'other.cache', keys: [['x']] });
    t.bus.deliver({ cache: 'shop.price', keys: [['x', 'y'], 'x' as never, [{}]] });
    expect(asCached(p.price).stats.entries).to.equal(1);
    const debug = t.logs.find((r) => r.levelName === 'debug' && r.cache === 'other.cache');
    expect(debug?.msg).to.match(/does not have; ignored/);
    expect(t.logs.filter((r) => r.levelName === 'warn')).to.have.length(3);
  });

  it('while the bus is disconnected, cluster caches store nothing; reconnecting clears them', async () => {
    const bus = new FakeBus('disconnected');
    const t = makeRegistry({ bus });
    const p = t.wire(new Prices(), 'shop');
    await p.price('a');
    await p.price('a');
    expect(p.computed).to.deep.equal(['a', 'a']);
    asCached(p.price).prefill('a', 'ignored');
    await p.price('a');
    expect(p.computed).to.have.length(3);

    bus.setState('connected');
    await p.price('a');
    await p.price('a');
    expect(p.computed).to.have.length(4);

    bus.setState('disconnected');
    expect(asCached(p.price).stats.entries).to.equal(0);
    await p.price('a');
    expect(p.computed).to.have.length(5);
  });

  it('composed caches keep working while disconnected (nothing stored)', async () => {
    const bus = new FakeBus('disconnected');
    const t = makeRegistry({ bus });
    class Composed {
      @Cached()
      async inner(k: string): Promise<string> {
        return `inner ${k}`;
      }
      @Cached()
      async outer(k: string): Promise<string> {
        const ctx = cacheContext();
        return `outer(${await ctx.call(this.inner, k)})`;
      }
    }
    const c = t.wire(new Composed(), 'composed');
    expect(await c.outer('k')).to.equal('outer(inner k)');
    bus.setState('connected');
    expect(await c.outer('k')).to.equal('outer(inner k)');
    expect(asCached(c.outer).stats.entries).to.equal(1);
    asCached(c.inner).invalidate('k');
    expect(asCached(c.outer).stats.entries).to.equal(0);
  });

  it('a computation started before a disconnect is not stored', async () => {
    const t = makeRegistry();
    const gate = deferred<string>();
    class Slow {
      @Cached()
      load(_k: string): Promise<string> {
        return gate.promise;
      }
    }
    const s = t.wire(new Slow(), 'slow');
    const p = s.load('k');
    t.bus.setState('disconnected');
    t.bus.setState('connected');
    gate.resolve('v');
    expect(await p).to.equal('v');
    await flush();
    expect(asCached(s.load).stats.entries).to.equal(0);
  });

  it('every reconnect clears, and caches not registered for the cluster are left alone', async () => {
    const t = makeRegistry();
    const p = t.wire(new Prices(), 'shop');
    const local = cachedFunction(async (k: string) => k);
    await local('k');
    await p.price('a');
    t.bus.setState('connected');
    expect(asCached(p.price).stats.entries).to.equal(0);
    t.bus.setState('disconnected');
    await local('k');
    expect(local.stats).to.include({ entries: 1, hits: 1 });
  });
});
