/**
 * Issue #11.5: a frozen Redis (SIGSTOP: sockets open, nothing answers) must never let an
 * instance serve a value whose invalidation was acknowledged. Three real `modhost serve`
 * processes on a real redis-server this test starts, freezes and thaws; readers hammer two
 * instances while a writer invalidates through the third, before, during and after the freeze.
 *
 * A read is stale when it was sent after an invalidation of its key was acknowledged (200) and
 * returns a value computed before that invalidation was sent. The count must be 0, with no
 * allowance for delivery: an acknowledgement means every live instance applied it.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LookupResult } from '../fixtures/cluster/counter.js';
import {
  counterModule,
  HostProcess,
  printOutputOnFailure,
  startHosts,
  tearDown,
} from '../cluster/host-process.js';
import { waitFor } from '../cluster/wait-for.js';
import { RedisServer, requireRedisServer } from '../helpers/redis-server.js';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];

interface Read {
  host: string;
  key: string;
  sentAt: number;
  computedAt: number;
}

interface Invalidation {
  key: string;
  sentAt: number;
  ackedAt?: number;
  status: number;
  error?: string;
}

describe('faults: Redis frozen (SIGSTOP) under reads and invalidations', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let dir: string;
  let hosts: HostProcess[] = [];

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'modhost-freeze-'));
    const channel = `modhost-freeze-${process.pid}`;
    hosts = await startHosts(['a', 'b', 'c'], {
      runBackgroundTasks: false,
      redisUrl: redis.url,
      channel,
      dir,
      cluster: 'stall_timeout: 500ms',
      modules: [counterModule],
    });
    await waitFor('all three buses to connect', async () =>
      (await Promise.all(hosts.map((h) => h.busConnected()))).every(Boolean),
    );
  });

  after(() => tearDown(hosts, redis, dir));
  afterEach(function () {
    printOutputOnFailure(this, hosts);
  });

  it('serves no value whose invalidation was acknowledged, on any instance', async () => {
    const [writer, ...readers] = hosts as [HostProcess, HostProcess, HostProcess];
    const reads: Read[] = [];
    const invalidations: Invalidation[] = [];
    let running = true;

    const readLoop = async (host: HostProcess, offset: number) => {
      for (let i = offset; running; i++) {
        const key = KEYS[i % KEYS.length]!;
        const sentAt = Date.now();
        const value = await host.get<LookupResult>(
          `/_synapse/client/counter/value?key=${key}&type=string`,
        );
        reads.push({ host: host.name, key, sentAt, computedAt: value.computedAt });
      }
    };
    const writeLoop = async () => {
      for (let i = 0; running; i++) {
        const key = KEYS[i % KEYS.length]!;
        const sentAt = Date.now();
        const res = await fetch(
          `${writer.url}/_synapse/client/counter/invalidate?key=${key}&type=string`,
          { method: 'POST' },
        );
        const body = (await res.json()) as { error?: string };
        invalidations.push({
          key,
          sentAt,
          status: res.status,
          ...(res.status === 200 ? { ackedAt: Date.now() } : { error: body.error }),
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const loops = [
      ...readers.flatMap((h) => [readLoop(h, 0), readLoop(h, 2)]),
      readLoop(writer, 1),
      writeLoop(),
    ];
    await waitFor('a few acknowledged invalidations', () =>
      invalidations.some((inv) => inv.status === 200),
    );
    const frozenAt = Date.now();
    redis.pause();
    let noticedMs: number[] = [];
    try {
      // Every instance notices through its own PINGs (metrics are served by the instance).
      await waitFor('every instance to notice the freeze', async () => {
        const states = await Promise.all(hosts.map((h) => h.busConnected()));
        if (states.every((s) => !s)) noticedMs = hosts.map(() => Date.now() - frozenAt);
        return states.every((s) => !s);
      });
      await waitFor('an invalidation to be refused while frozen', () =>
        invalidations.some((inv) => inv.sentAt > frozenAt && inv.status === 503),
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      redis.resume();
    }
    const thawedAt = Date.now();
    await waitFor('every instance to reconnect', async () =>
      (await Promise.all(hosts.map((h) => h.busConnected()))).every(Boolean),
    );
    // Enough acknowledged invalidations, each followed by reads, for a zero count to mean much.
    await waitFor(
      'twenty acknowledged invalidations after the thaw',
      () => invalidations.filter((inv) => inv.sentAt > thawedAt && inv.status === 200).length >= 20,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await Promise.all(loops);

    const acked = invalidations.filter((inv) => inv.ackedAt !== undefined);
    // An acknowledgement means every instance live at the publish applied the invalidation (or
    // dropped out of the membership, bypassing its caches): no delivery window is tolerated.
    const stale = reads.filter((read) =>
      acked.some(
        (inv) => inv.key === read.key && read.sentAt > inv.ackedAt! && read.computedAt < inv.sentAt,
      ),
    );
    const refused = invalidations.filter((inv) => inv.status !== 200);
    const duringFreeze = reads.filter((r) => r.sentAt > frozenAt && r.sentAt < thawedAt);
    console.log(
      `      reads ${reads.length} (${duringFreeze.length} while frozen), invalidations acknowledged ` +
        `${acked.length}, refused ${refused.length}, stale reads ${stale.length}; freeze noticed ` +
        `by all within ${Math.max(...noticedMs)} ms (metrics polled)`,
    );
    expect(stale, 'reads of values whose invalidation was acknowledged').to.deep.equal([]);
    // Refusals say what happened: applied here, not confirmed elsewhere.
    expect(refused.length).to.be.greaterThan(0);
    expect(refused.every((inv) => inv.status === 503)).to.equal(true);
    // Not confirmed by Redis, or published just before the freeze and not acknowledged.
    for (const inv of refused) {
      expect(inv.error).to.match(/did not confirm (it to the other instances|applying it)/);
    }
    // Instances kept answering while frozen (caches bypassed), and said why.
    expect(duringFreeze.length).to.be.greaterThan(0);
    for (const h of hosts) expect(h.log).to.contain('Redis stopped answering PING');
  });
});
