/**
 * RedisLease against a real redis-server: one holder at a time, sampled every few ms in one
 * process (so both answers come from one clock), through a release, a FLUSHALL (Redis losing
 * its data) and a frozen Redis.
 */
import { expect } from 'chai';
import { createClient } from 'redis';
import { RedisLease } from '../../src/cluster/lease.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from './wait-for.js';

const TTL = 600;

describe('RedisLease (real redis-server)', function () {
  this.timeout(30_000);
  const server = useRedisServer();
  let leases: RedisLease[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let both = 0;
  let seq = 0;

  afterEach(async () => {
    clearInterval(sampler);
    server().resume();
    await Promise.all(leases.map((l) => l.stop()));
    leases = [];
  });

  async function pair(): Promise<[RedisLease, RedisLease]> {
    const prefix = `lease-test-${process.pid}-${seq++}`;
    const make = (name: string) =>
      new RedisLease({
        url: server().url,
        prefix,
        holderId: `${name}:x`,
        ttlMs: TTL,
        logger: createCapturingLogger().logger,
        reconnectMaxDelayMs: 100,
      });
    const a = make('a');
    const b = make('b');
    leases.push(a, b);
    await Promise.all([a.start(), b.start()]);
    both = 0;
    sampler = setInterval(() => {
      if (a.holds() && b.holds()) both++;
    }, 2);
    await waitFor('one of them to hold the lease', () => a.holds() || b.holds());
    return a.holds() ? [a, b] : [b, a];
  }

  it('one holder; a release hands over at once; changes are announced', async () => {
    const [holder, other] = await pair();
    const seen: boolean[] = [];
    other.onChange((holds) => seen.push(holds));
    expect(holder.describe()).to.include({ mode: 'auto', holds: true });
    expect(holder.describe().token).to.be.a('number');
    await holder.stop();
    await waitFor('the other to take over', () => other.holds());
    expect(seen).to.deep.equal([true]);
    expect(other.describe().token).to.be.greaterThan(0);
    expect(both).to.equal(0);
  });

  it('Redis losing its data: the holder stops, nobody holds for a TTL, then one does', async () => {
    const [holder, other] = await pair();
    const admin = createClient({ url: server().url });
    admin.on('error', () => {});
    await admin.connect();
    await admin.flushAll();
    admin.destroy();
    await waitFor('the holder to notice', () => !holder.holds());
    await waitFor('someone to hold it again', () => holder.holds() || other.holds());
    expect(both).to.equal(0);
  });

  it('a frozen Redis: the holder stops before its lease could expire, and it resumes after', async () => {
    const [holder, other] = await pair();
    server().pause();
    try {
      await waitFor('the holder to give up', () => !holder.holds());
      expect(other.holds()).to.equal(false);
    } finally {
      server().resume();
    }
    await waitFor('someone to hold it again', () => holder.holds() || other.holds());
    expect(both).to.equal(0);
  });
});
