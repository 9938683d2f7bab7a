/**
 * Acknowledged invalidations (issue #11.5): `publish()` resolves only once every live member of
 * the deployment applied the batch, or provably dropped out. Real redis-server, buses in this
 * process; test/faults/peer-freeze.test.ts does the same with real processes and SIGSTOP.
 */
import { expect } from 'chai';
import { createClient } from 'redis';
import type { BusState } from '../../src/cluster/invalidation-bus.js';
import { membershipKeys } from '../../src/cluster/membership.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from './wait-for.js';

const STALL_MS = 300;

interface Peer {
  bus: RedisBus;
  /** Keys applied so far, in order. */
  applied: unknown[][];
  states: BusState[];
  logs: LogRecord[];
}

describe('acknowledged invalidations (real redis-server)', function () {
  const server = useRedisServer();
  let channel: string;
  let peers: Peer[] = [];
  let raws: { destroy(): void }[] = [];
  let seq = 0;

  beforeEach(() => {
    channel = `modhost-ack-${process.pid}-${seq++}`;
  });
  afterEach(async () => {
    await Promise.all(peers.map((p) => p.bus.stop()));
    peers = [];
    for (const raw of raws) raw.destroy();
    raws = [];
  });

  /** A started bus; `applyLater` makes its handler apply in a later turn (as a worker does). */
  async function peer(name: string, applyLater = false): Promise<Peer> {
    const { logger, records } = createCapturingLogger();
    const bus = new RedisBus({
      url: server().url,
      channel,
      instanceName: name,
      logger,
      reconnectMaxDelayMs: 100,
      stallTimeoutMs: STALL_MS,
    });
    const p: Peer = { bus, applied: [], states: [], logs: records };
    bus.onMessage((m) => {
      const apply = () => void p.applied.push(...(m.keys ?? [['all']]));
      if (!applyLater) return apply();
      return new Promise<void>((resolve) =>
        setImmediate(() => setImmediate(() => resolve(apply()))),
      );
    });
    bus.onStateChange((s) => p.states.push(s));
    peers.push(p);
    await bus.start();
    expect(bus.state, `${name} connected`).to.equal('connected');
    return p;
  }

  async function raw() {
    const client = createClient({ url: server().url });
    client.on('error', () => {});
    raws.push(client);
    await client.connect();
    return client;
  }

  async function redisNowMs(client: {
    sendCommand(args: string[]): Promise<unknown>;
  }): Promise<number> {
    const [s, us] = (await client.sendCommand(['TIME'])) as [string, string];
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  it('registers each instance as a member while connected, and removes it at stop', async () => {
    const [a, b] = [await peer('a'), await peer('b')];
    const admin = await raw();
    const members = async () => (await admin.zRange(membershipKeys(channel).members, 0, -1)).sort();
    expect(await members()).to.deep.equal([a.bus.senderId, b.bus.senderId].sort());
    await b.bus.stop();
    expect(await members()).to.deep.equal([a.bus.senderId]);
  });

  it('resolves only after every other instance applied the batch', async () => {
    const a = await peer('a');
    const b = await peer('b');
    const c = await peer('c', true); // applies in a later turn of the event loop
    const seenAtResolve: number[][] = [];
    for (let i = 1; i <= 20; i++) {
      await a.bus.publish({ cache: 'm.f', keys: [[i]] });
      seenAtResolve.push([b.applied.length, c.applied.length]);
    }
    expect(seenAtResolve).to.deep.equal(Array.from({ length: 20 }, (_, i) => [i + 1, i + 1]));
    // Many batches at once: every one resolves, each after both applied it.
    const burst = Array.from({ length: 50 }, (_, i) =>
      a.bus
        .publish({ cache: 'm.g', keys: [[`k${i}`]] })
        .then(() => [b.applied.length, c.applied.length]),
    );
    for (const counts of await Promise.all(burst)) {
      expect(counts).to.deep.equal([70, 70]);
    }
  });

  it('rejects, naming the instance, when a live member never acknowledges', async () => {
    const a = await peer('a');
    const b = await peer('b');
    // A member that subscribes and renews its entry but never acknowledges (a stuck process).
    const silent = await raw();
    await silent.subscribe(channel, () => {});
    const admin = await raw();
    await admin.zAdd(membershipKeys(channel).members, {
      score: (await redisNowMs(admin)) + 60_000,
      value: 'silent:0123',
    });
    const err = await a.bus.publish({ cache: 'm.stuck', keys: [['k']] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ModhostError);
    expect((err as ModhostError).code).to.equal('MODHOST_INVALIDATION_NOT_ACKNOWLEDGED');
    expect((err as Error).message)
      .to.contain('cache m.stuck was applied on this instance and published')
      .and.contain('instance silent:0123 did not confirm applying it within 600 ms')
      .and.not.contain(b.bus.senderId);
    expect(b.applied).to.deep.equal([['k']]);
  });

  it('stops waiting for a member whose entry expired (it stopped using its caches)', async () => {
    const a = await peer('a');
    const admin = await raw();
    // Registered for a moment, then silent: as a process frozen right after its last renew.
    await admin.zAdd(membershipKeys(channel).members, {
      score: (await redisNowMs(admin)) + 150,
      value: 'frozen:4567',
    });
    await a.bus.publish({ cache: 'm.f', keys: [[1]] });
    const score = await admin.zScore(membershipKeys(channel).members, 'frozen:4567');
    // Resolved only once the entry had expired (and was pruned) in Redis.
    expect(score === null || score <= (await redisNowMs(admin))).to.equal(true);
  });

  it('is not connected while its own membership may have expired for the others', async () => {
    const b = await peer('b');
    // This event loop blocked past the membership deadline, as a frozen process resumed:
    // the check before a request sees it synchronously, before any timer has run.
    const until = performance.now() + STALL_MS;
    while (performance.now() < until) {
      // blocked on purpose
    }
    b.bus.verify();
    expect(b.bus.state).to.equal('disconnected');
    expect(b.logs.some((r) => r.msg.startsWith('cluster membership not renewed in time'))).to.equal(
      true,
    );
    await waitFor('b to renew and connect again', () => b.bus.state === 'connected');
    expect(b.states).to.deep.equal(['connected', 'disconnected', 'connected']);
  });

  it('after Redis lost its data, clears caches and still waits for every instance', async () => {
    const a = await peer('a');
    const b = await peer('b');
    const admin = await raw();
    await admin.sendCommand(['FLUSHALL']);
    // Published while the membership is being rebuilt: resolves once b applied it and the
    // grace after the loss has passed (or rejects, never resolving without b).
    await a.bus.publish({ cache: 'm.after-loss', keys: [['x']] });
    expect(b.applied).to.deep.equal([['x']]);
    await waitFor('both to notice the loss', () =>
      [a, b].every((p) => p.logs.some((r) => r.msg.startsWith('Redis lost this instance'))),
    );
    for (const p of [a, b]) {
      expect(p.states).to.deep.equal(['connected', 'disconnected', 'connected']);
    }
  });
});
