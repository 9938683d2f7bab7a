/**
 * Three real `modhost serve` processes sharing one real redis-server, talked to over loopback
 * HTTP: the scenarios for cache coherence, background tasks and Redis outages.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LookupResult } from '../fixtures/cluster/counter.js';
import {
  counterFixture,
  counterModule,
  HostProcess,
  printOutputOnFailure,
  tearDown,
} from './host-process.js';
import { RedisServer, requireRedisServer } from '../helpers/redis-server.js';
import { waitFor } from './wait-for.js';

const onlyHereModule = `${counterFixture}#OnlyHere`;

interface Stats {
  instance: string;
  computations: number;
  loopRuns: number;
  runsBackgroundTasks: boolean;
}

const valuePath = (key: string, type: 'string' | 'number' = 'string') =>
  `/_synapse/client/counter/value?key=${encodeURIComponent(key)}&type=${type}`;
const invalidatePath = (key: string, type: 'string' | 'number' = 'string') =>
  `/_synapse/client/counter/invalidate?key=${encodeURIComponent(key)}&type=${type}`;

describe('many instances: three modhost serve processes on one redis-server', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let dir: string;
  let channel: string;
  const hosts: HostProcess[] = [];
  let a: HostProcess;
  let b: HostProcess;
  let c: HostProcess;

  function startHost(
    name: string,
    runBackgroundTasks: boolean,
    modules = [counterModule],
  ): Promise<HostProcess> {
    return HostProcess.start({
      name,
      runBackgroundTasks,
      redisUrl: redis.url,
      channel,
      dir,
      modules,
    }).then((host) => {
      hosts.push(host);
      return host;
    });
  }

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'modhost-cluster-'));
    channel = `modhost-multi-${process.pid}`;
    [a, b, c] = await Promise.all([
      startHost('a', true, [counterModule, onlyHereModule]),
      startHost('b', false),
      startHost('c', false),
    ]);
    await waitFor('all three buses to connect', async () => {
      const states = await Promise.all(hosts.map((h) => h.busConnected()));
      return states.every(Boolean);
    });
  });

  after(() => tearDown(hosts, redis, dir));
  afterEach(function () {
    printOutputOnFailure(this, hosts);
  });

  /** Reads the value on `host`, checks it is cached (a second read gives the same computation). */
  async function cachedValue(host: HostProcess, key: string, type?: 'string' | 'number') {
    const first = await host.get<LookupResult>(valuePath(key, type));
    const second = await host.get<LookupResult>(valuePath(key, type));
    expect(second.computation, `${key} cached on ${host.name}`).to.equal(first.computation);
    return first;
  }

  /** Waits until `host` computes `key` afresh (its invalidation arrived), then checks it is cached again. */
  async function waitUntilRecomputed(
    host: HostProcess,
    key: string,
    previous: LookupResult,
    type?: 'string' | 'number',
  ): Promise<LookupResult> {
    let latest = previous;
    await waitFor(`${key} to be invalidated on ${host.name}`, async () => {
      latest = await host.get<LookupResult>(valuePath(key, type));
      return latest.computation !== previous.computation;
    });
    const again = await host.get<LookupResult>(valuePath(key, type));
    expect(again.computation, `${key} cached again on ${host.name}`).to.equal(latest.computation);
    return latest;
  }

  it('a value cached on all three, invalidated on one, is fresh on the others', async () => {
    const before = await Promise.all([a, b, c].map((h) => cachedValue(h, '@alice:example.org')));
    await a.post(invalidatePath('@alice:example.org'));
    // On a itself the invalidation is immediate.
    const onA = await a.get<LookupResult>(valuePath('@alice:example.org'));
    expect(onA.computation).to.not.equal(before[0]!.computation);
    await waitUntilRecomputed(b, '@alice:example.org', before[1]!);
    await waitUntilRecomputed(c, '@alice:example.org', before[2]!);
  });

  it('a number key invalidates the number key, not the string with the same digits', async () => {
    const numbers = await Promise.all([a, b, c].map((h) => cachedValue(h, '7', 'number')));
    const strings = await Promise.all([a, b, c].map((h) => cachedValue(h, '7', 'string')));
    expect(numbers[0]!.type).to.equal('number');
    expect(strings[0]!.type).to.equal('string');
    expect(numbers[0]!.computation).to.not.equal(strings[0]!.computation);

    await b.post(invalidatePath('7', 'number'));
    for (const [i, host] of [a, c].entries()) {
      const index = i === 0 ? 0 : 2;
      await waitUntilRecomputed(host, '7', numbers[index]!, 'number');
      // Same message, already applied: the string key is still the cached one.
      const stillCached = await host.get<LookupResult>(valuePath('7', 'string'));
      expect(stillCached.computation, `'7' on ${host.name}`).to.equal(strings[index]!.computation);
    }
  });

  it('invalidateCacheAll on one instance clears the cache on every instance', async () => {
    const keys = ['x', 'y', 'z'];
    const before = await Promise.all(
      [a, b].map(async (h) => Promise.all(keys.map((k) => cachedValue(h, k)))),
    );
    await c.post('/_synapse/client/counter/invalidate_all');
    for (const [i, host] of [a, b].entries()) {
      for (const [j, key] of keys.entries()) {
        await waitUntilRecomputed(host, key, before[i]![j]!);
      }
    }
  });

  it('an instance without the cache ignores its invalidations (debug log)', async () => {
    await a.post('/_synapse/client/only_here/invalidate');
    for (const host of [b, c]) {
      await waitFor(`${host.name} to log the ignored invalidation`, () =>
        host.log.includes('invalidation for a cache this instance does not have'),
      );
      expect(host.log).to.contain('"cache":"only_here.label"');
    }
    expect(a.log).to.not.contain('invalidation for a cache this instance does not have');
  });

  it('a looping call runs on exactly one instance', async () => {
    await waitFor('the loop to run a few times on a', async () => {
      return (await a.get<Stats>('/_synapse/client/counter/stats')).loopRuns >= 3;
    });
    const stats = await Promise.all(
      [a, b, c].map((h) => h.get<Stats>('/_synapse/client/counter/stats')),
    );
    expect(stats.map((s) => s.runsBackgroundTasks)).to.deep.equal([true, false, false]);
    expect(stats[1]!.loopRuns).to.equal(0);
    expect(stats[2]!.loopRuns).to.equal(0);
    expect(b.log).to.contain('looping call not started: instance b does not run background tasks');
  });

  it('keeps answering without caching while Redis is down, and clears caches when it is back', async () => {
    const before = await Promise.all([a, b, c].map((h) => cachedValue(h, 'outage')));
    await redis.kill();
    await waitFor('all three to notice the outage', async () => {
      const states = await Promise.all(hosts.map((h) => h.busConnected()));
      return states.every((s) => !s);
    });

    // Every read computes: nothing cached may have missed an invalidation.
    for (const [i, host] of [a, b, c].entries()) {
      const first = await host.get<LookupResult>(valuePath('outage'));
      const second = await host.get<LookupResult>(valuePath('outage'));
      expect(first.computation, `bypassed on ${host.name}`).to.not.equal(before[i]!.computation);
      expect(second.computation, `bypassed on ${host.name}`).to.not.equal(first.computation);
      expect((await fetch(`${host.url}/health`)).status).to.equal(200);
      expect(host.log).to.contain('degraded');
    }

    // An instance started while Redis is down starts anyway, degraded.
    const d = await startHost('d', false);
    expect(await d.busConnected()).to.equal(false);
    const dFirst = await d.get<LookupResult>(valuePath('outage'));
    const dSecond = await d.get<LookupResult>(valuePath('outage'));
    expect(dSecond.computation).to.not.equal(dFirst.computation);

    await redis.restart();
    await waitFor('all four to reconnect', async () => {
      const states = await Promise.all(hosts.map((h) => h.busConnected()));
      return states.every(Boolean);
    });

    // Caching again, and invalidations flow again, to the late starter too.
    const after = await Promise.all([a, b, c, d].map((h) => cachedValue(h, 'outage')));
    await c.post(invalidatePath('outage'));
    await waitUntilRecomputed(a, 'outage', after[0]!);
    await waitUntilRecomputed(b, 'outage', after[1]!);
    await waitUntilRecomputed(d, 'outage', after[3]!);
  });
});
