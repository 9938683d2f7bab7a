/**
 * Two instances' caches linked by the real Redis bus (a real redis-server child process):
 * invalidations arrive with their key types, and an outage stops caching until the reconnect
 * has cleared everything.
 */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { readCached } from '../../decorators/metadata.js';
import { asCached } from '../../src/cache/index.js';
import { CacheRegistry } from '../../src/cache/registry.js';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { RedisServer, requireRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../cluster/wait-for.js';
import { owner } from './helpers.js';

class Prices {
  computed = 0;
  @Cached()
  async price(item: string | number): Promise<string> {
    this.computed++;
    return `price of ${typeof item} ${item}`;
  }
}

interface Instance {
  bus: RedisBus;
  registry: CacheRegistry;
  prices: Prices;
}

describe('caches over the Redis bus (real redis-server)', function () {
  let redis: RedisServer;
  let instances: Instance[] = [];

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.kill();
  });
  afterEach(async () => {
    for (const i of instances) {
      i.registry.stop();
      await i.bus.stop();
    }
    instances = [];
  });

  async function instance(name: string, channel: string): Promise<Instance> {
    const { logger } = createCapturingLogger();
    const bus = new RedisBus({
      url: redis.url,
      channel,
      instanceName: name,
      logger,
      reconnectMaxDelayMs: 100,
    });
    const registry = new CacheRegistry({
      caches: { global_factor: 1, per_cache_factors: {} },
      clock: new FakeClock(),
      logger,
      metrics: createMetricsRegistry(),
      bus,
    });
    const prices = new Prices();
    registry.wireInstance(owner('shop'), prices, readCached(Prices));
    await bus.start();
    const made = { bus, registry, prices };
    instances.push(made);
    return made;
  }

  it('an invalidation on one instance reaches the other with its key type', async () => {
    const a = await instance('a', `cache-test-${process.pid}-1`);
    const b = await instance('b', `cache-test-${process.pid}-1`);
    expect(b.bus.state).to.equal('connected');
    await b.prices.price(1);
    await b.prices.price('1');
    expect(asCached(b.prices.price).stats.entries).to.equal(2);
    await a.registry.invalidate(a.prices.price, [1]);
    await waitFor(
      'the invalidation to reach b',
      () => asCached(b.prices.price).stats.entries === 1,
    );
    expect(await b.prices.price('1')).to.equal('price of string 1');
    expect(b.prices.computed).to.equal(2);
    await b.prices.price(1);
    expect(b.prices.computed).to.equal(3);
    await a.registry.invalidateAll(a.prices.price);
    await waitFor('the clear to reach b', () => asCached(b.prices.price).stats.entries === 0);
  });

  it('during an outage every call computes; the reconnect clears and caching resumes', async () => {
    const b = await instance('b', `cache-test-${process.pid}-2`);
    await b.prices.price('x');
    await b.prices.price('x');
    expect(b.prices.computed).to.equal(1);
    await redis.kill();
    await waitFor('b to notice the outage', () => b.bus.state === 'disconnected');
    expect(asCached(b.prices.price).stats.entries).to.equal(0);
    await b.prices.price('x');
    await b.prices.price('x');
    expect(b.prices.computed).to.equal(3);
    await redis.restart();
    await waitFor('b to reconnect', () => b.bus.state === 'connected');
    await b.prices.price('x');
    await b.prices.price('x');
    expect(b.prices.computed).to.equal(4);
  });
});
