/**
 * Issue #11.5, the other side: an instance frozen with SIGSTOP must neither count as having
 * applied an invalidation nor block it forever, and once resumed it must not answer from a cache
 * it stopped being entitled to while frozen. Three real `modhost serve` processes on a real
 * redis-server: `a` invalidates, `b` is frozen, `c` stays up.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
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

const VALUE = '/_synapse/client/counter/value?key=k&type=string';
const INVALIDATE = '/_synapse/client/counter/invalidate?key=k&type=string';

describe('faults: an instance frozen (SIGSTOP) while another invalidates', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let dir: string;
  let hosts: HostProcess[] = [];
  let admin: ReturnType<typeof createClient> | undefined;
  const channel = `modhost-peer-freeze-${process.pid}`;
  const membersKey = `${channel}:members`;

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'modhost-peer-freeze-'));
    hosts = await startHosts(['a', 'b', 'c'], {
      runBackgroundTasks: false,
      redisUrl: redis.url,
      channel,
      dir,
      cluster: 'stall_timeout: 500ms',
      modules: [counterModule],
    });
    admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    await waitFor('all three to connect and register', async () => {
      const states = await Promise.all(hosts.map((h) => h.busConnected()));
      return states.every(Boolean) && (await admin!.zCard(membersKey)) === 3;
    });
  });

  after(async () => {
    admin?.destroy();
    await tearDown(hosts, redis, dir);
  });
  afterEach(function () {
    printOutputOnFailure(this, hosts);
  });

  async function redisNowMs(): Promise<number> {
    const [s, us] = (await admin!.sendCommand(['TIME'])) as [string, string];
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  it('does not count the frozen instance as acknowledged, and it serves no stale value on resume', async () => {
    const [a, b, c] = hosts as [HostProcess, HostProcess, HostProcess];
    const bId = (await admin!.zRange(membersKey, 0, -1)).find((id) => id.startsWith('b:'))!;
    // Cached everywhere: a second read returns the same computation.
    for (const h of [b, c]) {
      const first = await h.get<LookupResult>(VALUE);
      expect((await h.get<LookupResult>(VALUE)).computation).to.equal(first.computation);
    }
    const cachedOnB = await b.get<LookupResult>(VALUE);

    b.signal('SIGSTOP');
    let resumed = false;
    try {
      const sentAt = Date.now();
      const res = await fetch(`${a.url}${INVALIDATE}`, { method: 'POST' });
      const body = (await res.json()) as { error?: string };
      expect(res.status, body.error).to.equal(200);
      // Acknowledged without b: only because b's entry had expired in Redis (b bypasses its
      // caches past its own deadline, which falls before that expiry).
      const score = await admin!.zScore(membersKey, bId);
      expect(score === null || score <= (await redisNowMs()), 'b still a live member').to.equal(
        true,
      );
      // c applied it.
      expect((await c.get<LookupResult>(VALUE)).computedAt).to.be.at.least(sentAt);

      // A read sent to b while it is frozen waits in its socket; b handles it first on resume.
      const pending = b.get<LookupResult>(VALUE);
      await new Promise((resolve) => setTimeout(resolve, 100));
      b.signal('SIGCONT');
      resumed = true;
      const onResume = await pending;
      expect(onResume.computation, 'b answered from its old cache').to.be.greaterThan(
        cachedOnB.computation,
      );
      expect(onResume.computedAt).to.be.at.least(sentAt);
    } finally {
      if (!resumed) b.signal('SIGCONT');
    }

    // Back as a member, b acknowledges again: a's next invalidation waits for it.
    await waitFor('b to reconnect and register', async () => {
      const score = await admin!.zScore(membersKey, bId);
      return (await b.busConnected()) && score !== null && score > (await redisNowMs());
    });
    const before = await b.get<LookupResult>(VALUE);
    expect((await b.get<LookupResult>(VALUE)).computation).to.equal(before.computation);
    const sentAt = Date.now();
    const res = await fetch(`${a.url}${INVALIDATE}`, { method: 'POST' });
    expect(res.status).to.equal(200);
    expect((await b.get<LookupResult>(VALUE)).computedAt).to.be.at.least(sentAt);
    expect(b.log).to.match(/cluster membership not renewed in time|Redis stopped answering PING/);
  });
});
