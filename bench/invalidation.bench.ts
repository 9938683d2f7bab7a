/**
 * Cross-instance invalidation latency over a loopback redis-server this script starts itself.
 *
 * Baseline: the Redis PING round trip from node-redis, measured in the same run. Subject: the
 * time from `publish()` on one RedisBus to the message reaching `onMessage` on another.
 * Budgets (DESIGN.md): delivery p50 ≤ 2× PING p50; delivery p99 ≤ 5 ms; 1000 invalidations
 * issued at once all delivered ≤ 50 ms (median of repeated bursts; the worst is shown too).
 */
import { createClient } from 'redis';
import type { InvalidationMessage } from '../src/cluster/invalidation-bus.js';
import { RedisBus } from '../src/cluster/redis-bus.js';
import { createLogger } from '../src/logging/logger.js';
import { RedisServer, redisServerInstalled } from '../test/helpers/redis-server.js';

const SAMPLES = 2000;
const WARMUP = 200;
const BURST_SIZE = 1000;
const BURSTS = 30;

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function summary(samples: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

async function pingRoundTrips(url: string): Promise<number[]> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const start = nowMs();
    await client.ping();
    if (i >= WARMUP) samples.push(nowMs() - start);
  }
  client.destroy();
  return samples;
}

/** Resolves when `count` keys of the current round have arrived at the receiving bus. */
class Arrivals {
  private expected = 0;
  private seen = 0;
  private done: (() => void) | undefined;

  constructor(bus: RedisBus) {
    bus.onMessage((message: InvalidationMessage) => {
      this.seen += message.keys?.length ?? 0;
      if (this.done && this.seen >= this.expected) {
        const done = this.done;
        this.done = undefined;
        done();
      }
    });
  }

  expect(count: number): Promise<void> {
    this.seen = 0;
    this.expected = count;
    return new Promise((resolve) => (this.done = resolve));
  }
}

async function main(): Promise<void> {
  if (!redisServerInstalled()) {
    console.log('SKIPPED: redis-server is not installed (apt-get install redis-server)');
    return;
  }
  const redis = await RedisServer.start();
  const logger = createLogger({ level: 'warn' });
  const buses = ['sender', 'receiver'].map(
    (instanceName) =>
      new RedisBus({ url: redis.url, channel: 'bench-invalidation', instanceName, logger }),
  );
  const [sender, receiver] = buses as [RedisBus, RedisBus];
  try {
    await Promise.all(buses.map((b) => b.start()));
    if (sender.state !== 'connected' || receiver.state !== 'connected') {
      throw new Error('the buses did not connect to the local redis-server');
    }
    const arrivals = new Arrivals(receiver);

    const ping = summary(await pingRoundTrips(redis.url));

    const delivery: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const arrived = arrivals.expect(1);
      const start = nowMs();
      sender.publish({ cache: 'bench.user', keys: [[`@user${i}:example.org`, i]] });
      await arrived;
      if (i >= WARMUP) delivery.push(nowMs() - start);
    }
    const single = summary(delivery);

    const bursts: number[] = [];
    for (let round = 0; round < BURSTS; round++) {
      const arrived = arrivals.expect(BURST_SIZE);
      const start = nowMs();
      for (let i = 0; i < BURST_SIZE; i++) {
        sender.publish({ cache: 'bench.user', keys: [[`@user${i}:example.org`, round]] });
      }
      await arrived;
      bursts.push(nowMs() - start);
    }
    const burst = summary(bursts);

    const ratio = single.p50 / ping.p50;
    console.log(`Redis PING round trip (baseline):  p50 ${ms(ping.p50)}  p99 ${ms(ping.p99)}`);
    console.log(
      `invalidation delivery:             p50 ${ms(single.p50)}  p99 ${ms(single.p99)}  (${SAMPLES} samples)`,
    );
    console.log(
      `delivery p50 / PING p50:           ${ratio.toFixed(2)}×  budget ≤ 2.00×  ${verdict(ratio <= 2)}`,
    );
    console.log(
      `delivery p99:                      ${ms(single.p99)}  budget ≤ 5 ms  ${verdict(single.p99 <= 5)}`,
    );
    console.log(
      `${BURST_SIZE} invalidations at once, all delivered: median ${ms(burst.p50)} ` +
        `(worst of ${BURSTS}: ${ms(burst.max)})  budget ≤ 50 ms  ${verdict(burst.p50 <= 50)}`,
    );
  } finally {
    await Promise.all(buses.map((b) => b.stop()));
    await redis.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
