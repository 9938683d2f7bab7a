import { expect } from 'chai';
import { createClient } from 'redis';
import type { BusState, InvalidationMessage } from '../../src/cluster/invalidation-bus.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/metrics/registry.js';
import { freePort, RedisServer, requireRedisServer } from '../helpers/redis-server.js';
import { waitFor } from './wait-for.js';

interface TestBus {
  bus: RedisBus;
  received: InvalidationMessage[];
  states: BusState[];
  logs: LogRecord[];
  metrics: MetricsRegistry;
}

describe('RedisBus (real redis-server)', function () {
  let redis: RedisServer;
  let channel: string;
  let buses: TestBus[] = [];
  let rawClients: { destroy(): void }[] = [];
  let channelSeq = 0;

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.kill();
  });
  beforeEach(() => {
    channel = `modhost-test-${process.pid}-${channelSeq++}`;
  });
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.bus.stop()));
    buses = [];
    for (const client of rawClients) client.destroy();
    rawClients = [];
    // A test that killed Redis leaves it running again for the next one.
    if (!redis.pid) await redis.restart();
  });

  function makeBus(
    instanceName: string,
    options: { channel?: string; url?: string; startWaitMs?: number; stallTimeoutMs?: number } = {},
  ): TestBus {
    const { logger, records } = createCapturingLogger();
    const metrics = createMetricsRegistry();
    const bus = new RedisBus({
      url: options.url ?? redis.url,
      channel: options.channel ?? channel,
      instanceName,
      logger,
      metrics,
      reconnectMaxDelayMs: 100,
      startWaitMs: options.startWaitMs,
      // Long enough that a loaded machine's pauses are not taken for a stalled Redis (which
      // would add state changes the tests do not expect); the stall tests pass their own.
      stallTimeoutMs: options.stallTimeoutMs ?? 2000,
    });
    const entry: TestBus = { bus, received: [], states: [], logs: records, metrics };
    bus.onMessage((m) => void entry.received.push(m));
    bus.onStateChange((s) => entry.states.push(s));
    buses.push(entry);
    return entry;
  }

  async function startBuses(...names: string[]): Promise<TestBus[]> {
    return startBusesWith({}, ...names);
  }

  async function startBusesWith(
    options: { stallTimeoutMs?: number },
    ...names: string[]
  ): Promise<TestBus[]> {
    const started = names.map((name) => makeBus(name, options));
    await Promise.all(started.map((b) => b.bus.start()));
    for (const b of started)
      expect(b.bus.state, `${b.bus.senderId} connected`).to.equal('connected');
    return started;
  }

  /** Counts raw messages on the channel, as Redis delivers them. */
  async function rawListener(): Promise<string[]> {
    const seen: string[] = [];
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    rawClients.push(client);
    await client.connect();
    await client.subscribe(channel, (message) => seen.push(message));
    return seen;
  }

  it('connects, says so in describe() and in the gauge', async () => {
    const [a] = await startBuses('a');
    expect(a!.states).to.deep.equal(['connected']);
    expect(a!.bus.describe()).to.match(
      new RegExp(
        `^redis redis://127\\.0\\.0\\.1:${redis.port} channel "${channel}" as a:[0-9a-f]{12}: connected$`,
      ),
    );
    expect(await a!.metrics.metrics()).to.contain('modhost_cluster_bus_connected 1');
    expect(a!.logs.some((r) => r.msg === 'invalidation bus connected')).to.equal(true);
  });

  it('delivers an invalidation to every other instance, never back to the sender', async () => {
    const [a, b, c] = await startBuses('a', 'b', 'c');
    a!.bus.publish({ cache: 'users.profile', keys: [['@alice:example.org']] });
    await waitFor('b and c to receive', () => b!.received.length > 0 && c!.received.length > 0);
    for (const other of [b!, c!]) {
      expect(other.received).to.deep.equal([
        { cache: 'users.profile', keys: [['@alice:example.org']] },
      ]);
    }
    // A sentinel from b proves a's own message had time to come back and was dropped.
    b!.bus.publish({ cache: 'sentinel', all: true });
    await waitFor('a to receive the sentinel', () => a!.received.length > 0);
    expect(a!.received).to.deep.equal([{ cache: 'sentinel', all: true }]);
  });

  it('tells two instances with the same name apart', async () => {
    const [one, two] = await startBuses('same', 'same');
    expect(one!.bus.senderId).to.not.equal(two!.bus.senderId);
    one!.bus.publish({ cache: 'm.f', all: true });
    await waitFor('the twin to receive', () => two!.received.length === 1);
  });

  it('sends everything invalidated in one tick as one message, merged per cache', async () => {
    const [a, b] = await startBuses('a', 'b');
    const raw = await rawListener();
    for (let i = 0; i < 100; i++) a!.bus.publish({ cache: 'm.f', keys: [[i]] });
    a!.bus.publish({ cache: 'm.f', keys: [[5], [6]] }); // duplicates collapse
    a!.bus.publish({ cache: 'm.g', keys: [['x']] });
    a!.bus.publish({ cache: 'm.g', all: true }); // subsumes the key before it
    a!.bus.publish({ cache: 'm.h', all: true });
    a!.bus.publish({ cache: 'm.h', keys: [['late']] }); // and after it
    await waitFor('b to receive the batch', () => b!.received.length >= 3);
    setImmediate(() => a!.bus.publish({ cache: 'sentinel', all: true }));
    await waitFor('the sentinel', () => b!.received.some((m) => m.cache === 'sentinel'));
    expect(raw).to.have.length(2);
    expect(b!.received.slice(0, 3)).to.deep.equal([
      { cache: 'm.f', keys: Array.from({ length: 100 }, (_, i) => [i]) },
      { cache: 'm.g', all: true },
      { cache: 'm.h', all: true },
    ]);
    expect(await a!.metrics.metrics()).to.contain(
      'modhost_cluster_invalidation_messages_sent_total 2',
    );
    expect(await b!.metrics.metrics()).to.contain(
      'modhost_cluster_invalidation_messages_received_total 2',
    );
  });

  it('preserves the type of every key part', async () => {
    const [a, b] = await startBuses('a', 'b');
    const keys: unknown[][] = [
      [1],
      ['1'],
      [null],
      ['null'],
      [true],
      ['true'],
      [false],
      [12345678901234567890n],
      ['12345678901234567890'],
      [undefined],
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      [-0],
      [0],
      [1.5],
      ['unicode ✓ "quoted" \\ {"$":"bigint"}'],
      [], // the empty key
      [[1, 'x', [true]]],
      ['@user:example.org', 42, false],
    ];
    a!.bus.publish({ cache: 'types.check', keys });
    await waitFor('b to receive', () => b!.received.length === 1);
    const got = b!.received[0]!.keys!;
    expect(got).to.have.length(keys.length);
    got.forEach((key, i) => {
      const sent = keys[i]!;
      expect(key, `key ${i}`).to.have.length(sent.length);
      key.forEach((part, j) => {
        if (Array.isArray(sent[j])) expect(part).to.deep.equal(sent[j]);
        else expect(Object.is(part, sent[j]), `key ${i} part ${j}: ${String(part)}`).to.equal(true);
      });
    });
    expect(typeof got[7]![0]).to.equal('bigint');
  });

  it('keeps deployments on different channels apart', async () => {
    const [a, b] = await startBuses('a', 'b');
    const other = makeBus('other', { channel: `${channel}-other` });
    await other.bus.start();
    a!.bus.publish({ cache: 'm.f', all: true });
    await waitFor('b to receive', () => b!.received.length === 1);
    other.bus.publish({ cache: 'm.other', all: true });
    setImmediate(() => a!.bus.publish({ cache: 'sentinel', all: true }));
    await waitFor('the sentinel', () => b!.received.some((m) => m.cache === 'sentinel'));
    expect(other.received).to.deep.equal([]);
    expect(b!.received.map((m) => m.cache)).to.deep.equal(['m.f', 'sentinel']);
  });

  it('refuses key parts that cannot travel, naming the cache', async () => {
    const [a] = await startBuses('a');
    expect(() => a!.bus.publish({ cache: 'm.f', keys: [['ok'], ['ok', { id: 1 }]] }))
      .to.throw(ModhostError, /cache m\.f: key 1 part 1 is an object.*strings, numbers/)
      .with.property('code', 'MODHOST_CACHE_KEY_INVALID');
    expect(() => a!.bus.publish({ cache: '', all: true })).to.throw(ModhostError, /cache name/);
    expect(() => a!.bus.publish({ cache: 'm.f' })).to.throw(ModhostError, /neither keys nor all/);
    expect(() => a!.bus.publish({ cache: 'm.f', keys: ['flat' as never] })).to.throw(
      ModhostError,
      /key 0 of cache m\.f is not an array/,
    );
  });

  it('ignores a malformed message with a warning', async () => {
    const [a] = await startBuses('a');
    const publisher = createClient({ url: redis.url });
    publisher.on('error', () => {});
    rawClients.push(publisher);
    await publisher.connect();
    await publisher.publish(channel, 'not json');
    await publisher.publish(
      channel,
      JSON.stringify({ v: 1, from: 'x', inv: [{ c: 'm', k: [[{ $: 'date' }]] }] }),
    );
    await waitFor('two warnings', () => a!.logs.filter((r) => r.levelName === 'warn').length === 2);
    expect(a!.received).to.deep.equal([]);
    expect(a!.bus.state).to.equal('connected');
  });

  it('goes degraded while Redis is down, and recovers when it is back', async function () {
    const [a, b, c] = await startBuses('a', 'b', 'c');
    await redis.kill();
    await waitFor('all three to notice', () =>
      [a, b, c].every((x) => x!.bus.state === 'disconnected'),
    );
    for (const x of [a!, b!, c!]) {
      expect(x.states).to.deep.equal(['connected', 'disconnected']);
      expect(await x.metrics.metrics()).to.contain('modhost_cluster_bus_connected 0');
      expect(x.logs.some((r) => r.levelName === 'warn' && r.msg.includes('degraded'))).to.equal(
        true,
      );
      expect(x.bus.describe()).to.contain('disconnected (degraded');
    }
    // Publishing while down neither throws nor blocks.
    a!.bus.publish({ cache: 'm.during-outage', keys: [['k']] });

    await redis.restart();
    await waitFor('all three to reconnect', () =>
      [a, b, c].every((x) => x!.bus.state === 'connected'),
    );
    for (const x of [a!, b!, c!]) {
      expect(x.states).to.deep.equal(['connected', 'disconnected', 'connected']);
      expect(x.logs.some((r) => r.msg.includes('reconnected'))).to.equal(true);
    }
    // And invalidations flow again.
    c!.bus.publish({ cache: 'm.after', keys: [[7]] });
    await waitFor('a and b to receive', () =>
      [a, b].every((x) => x!.received.some((m) => m.cache === 'm.after')),
    );
  });

  it('publish() resolves once Redis confirmed it, and rejects when Redis is frozen', async () => {
    const [a, b] = await startBusesWith({ stallTimeoutMs: 300 }, 'a', 'b');
    await a!.bus.publish({ cache: 'm.confirmed', keys: [[1]] });
    redis.pause();
    let refused: unknown;
    try {
      await a!.bus
        .publish({ cache: 'm.frozen', keys: [[2]] })
        .catch((err: unknown) => (refused = err));
      expect(refused).to.be.instanceOf(ModhostError);
      expect((refused as ModhostError).code).to.equal('MODHOST_INVALIDATION_NOT_PUBLISHED');
      expect((refused as Error).message).to.contain('cache m.frozen was applied on this instance');
      // Once the stall is known, a publish is refused at once.
      await waitFor('a to notice the freeze', () => a!.bus.state === 'disconnected');
      const again = await a!.bus.publish({ cache: 'm.later', all: true }).then(
        () => 'resolved',
        (err: Error) => err.message,
      );
      expect(again).to.contain('Redis stopped answering');
    } finally {
      redis.resume();
    }
    await waitFor('both to recover', () => [a, b].every((x) => x!.bus.state === 'connected'));
    // What could not be confirmed is cleared everywhere once Redis answers again.
    await waitFor('b to receive the clear-alls', () =>
      ['m.frozen', 'm.later'].every((c) => b!.received.some((m) => m.cache === c && m.all)),
    );
  });

  it('notices a frozen Redis (open sockets, no answers) and recovers when it thaws', async () => {
    const [a, b] = await startBusesWith({ stallTimeoutMs: 300 }, 'a', 'b');
    redis.pause();
    try {
      await waitFor('both to notice the freeze', () =>
        [a, b].every((x) => x!.bus.state === 'disconnected'),
      );
      expect(a!.logs.some((r) => r.msg === 'Redis stopped answering PING')).to.equal(true);
    } finally {
      redis.resume();
    }
    await waitFor('both to recover', () => [a, b].every((x) => x!.bus.state === 'connected'));
    expect(a!.states).to.deep.equal(['connected', 'disconnected', 'connected']);
    a!.bus.publish({ cache: 'm.thawed', keys: [[1]] });
    await waitFor('b to receive', () => b!.received.some((m) => m.cache === 'm.thawed'));
  });

  it('replays invalidations lost on a broken publisher connection as clear-all', async () => {
    const [a, b] = await startBuses('a', 'b');
    // Publishing exactly when a's publisher is down, without racing its reconnect.
    a!.bus.onStateChange((state) => {
      if (state === 'disconnected') a!.bus.publish({ cache: 'm.lost', keys: [['k1'], ['k2']] });
    });
    const admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    rawClients.push(admin);
    await admin.connect();
    // Kills every ordinary connection (the publishers) but not the subscribed ones.
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await waitFor(
      'a to go down and come back',
      () => a!.states.join() === 'connected,disconnected,connected',
    );
    await waitFor('b to receive the replayed clear', () =>
      b!.received.some((m) => m.cache === 'm.lost'),
    );
    expect(b!.received.filter((m) => m.cache === 'm.lost')).to.deep.equal([
      { cache: 'm.lost', all: true },
    ]);
    expect(a!.logs.some((r) => r.msg.includes('could not be sent'))).to.equal(true);
    // At least this message (under load a stall probe may also have found the link down and
    // dropped another batch of the same burst).
    const dropped = /modhost_cluster_invalidation_messages_dropped_total(?:\{[^}]*\})? (\d+)/.exec(
      await a!.metrics.metrics(),
    );
    expect(Number(dropped?.[1])).to.be.at.least(1);
  });

  it('stays degraded, saying why, while Redis refuses the channel, and connects once allowed', async () => {
    const admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    rawClients.push(admin);
    await admin.connect();
    // Redis 7 gives a new user no pub/sub channels ("resetchannels").
    await admin.sendCommand(['ACL', 'SETUSER', 'limited', 'reset', 'on', '>pw', '~*', '+@all']);
    const [b] = await startBuses('b');
    const limitedUrl = redis.url.replace('redis://', 'redis://limited:pw@');
    const limited = makeBus('limited', { url: limitedUrl, startWaitMs: 200 });
    try {
      await limited.bus.start();
      await waitFor('the refusal to be logged', () =>
        limited.logs.some((r) => r.levelName === 'error' && r.msg.includes('refused SUBSCRIBE')),
      );
      expect(limited.bus.state).to.equal('disconnected');
      limited.bus.publish({ cache: 'm.refused', keys: [['k']] });
      await waitFor('the refused PUBLISH to be logged', () =>
        limited.logs.some((r) => r.levelName === 'warn' && r.msg.includes('PUBLISH')),
      );
      await admin.sendCommand(['ACL', 'SETUSER', 'limited', 'allchannels']);
      await waitFor('the bus to connect', () => limited.bus.state === 'connected');
      await waitFor('the refused invalidation to arrive as a clear-all', () =>
        b!.received.some((m) => m.cache === 'm.refused' && m.all === true),
      );
    } finally {
      await admin.sendCommand(['ACL', 'DELUSER', 'limited']);
    }
  });

  it('starts degraded when Redis is unreachable, and connects when it comes', async () => {
    const port = await freePort();
    const late = makeBus('late', { url: `redis://127.0.0.1:${port}` });
    await late.bus.start();
    expect(late.bus.state).to.equal('disconnected');
    expect(
      late.logs.some((r) => r.levelName === 'warn' && r.msg.includes('unreachable at start')),
    ).to.equal(true);
    expect(await late.metrics.metrics()).to.contain('modhost_cluster_bus_connected 0');
    late.bus.publish({ cache: 'm.f', all: true }); // dropped, not thrown
    const lateRedis = await RedisServer.start(port);
    try {
      await waitFor('the late bus to connect', () => late.bus.state === 'connected');
      expect(late.states).to.deep.equal(['connected']);
    } finally {
      await late.bus.stop();
      await lateRedis.kill();
    }
  });

  it('stops promptly while Redis is down', async () => {
    const [a] = await startBuses('a');
    await redis.kill();
    await waitFor('a to notice', () => a!.bus.state === 'disconnected');
    a!.bus.publish({ cache: 'm.f', all: true });
    await a!.bus.stop();
    await a!.bus.stop(); // idempotent
    expect(a!.bus.state).to.equal('disconnected');
  });

  it('probes Redis for `modhost check` without starting, and describes itself unstarted', async () => {
    const { logger } = createCapturingLogger();
    const up = new RedisBus({ url: redis.url, channel: 'c', instanceName: 'a', logger });
    expect(up.describe()).to.equal(`redis ${redis.url} channel "c"`);
    const reachable = await up.probe();
    expect(reachable.reachable).to.equal(true);
    expect(reachable.detail).to.match(/^reachable \(connect \+ PING [\d.]+ ms\)$/);
    expect(up.state).to.equal('disconnected');

    const port = await freePort();
    const down = new RedisBus({
      url: `redis://user:secret@127.0.0.1:${port}`,
      channel: 'c',
      instanceName: 'a',
      logger,
    });
    expect(down.describe()).to.contain('user:***@').and.not.contain('secret');
    const unreachable = await down.probe();
    expect(unreachable.reachable).to.equal(false);
    expect(unreachable.detail).to.contain('ECONNREFUSED').and.contain('start degraded');
  });

  it('rejects a URL that is not a Redis URL', () => {
    const { logger } = createCapturingLogger();
    expect(
      () =>
        new RedisBus({
          url: 'http://user:secret@host:6379',
          channel: 'c',
          instanceName: 'a',
          logger,
        }),
    )
      .to.throw(
        ModhostError,
        /cluster\.redis_url "http:\/\/user:\*\*\*@host:6379\/?".*scheme is http/,
      )
      .with.property('code', 'MODHOST_CONFIG_INVALID');
    expect(
      () => new RedisBus({ url: 'localhost', channel: 'c', instanceName: 'a', logger }),
    ).to.throw(ModhostError, /not a URL/);
  });
});
