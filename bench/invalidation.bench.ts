/**
 * Cross-instance invalidation latency over a loopback redis-server this script starts itself.
 *
 * Baseline: the Redis PING round trip from node-redis, measured in the same run. Subject: the
 * time from `publish()` on one RedisBus to the message reaching `onMessage` on another instance,
 * which runs in its own process as real instances do (it stamps arrival with the machine-wide
 * monotonic clock and reports over IPC, outside the measured interval). The same figure with both
 * buses in one process, where each delivery also queues behind the sender's PUBLISH reply on the
 * one event loop, is printed for information.
 * Also printed: the time until `publish()` resolves, that is until the receiving instance
 * acknowledged that it applied the batch (what `api.invalidateCache` waits for).
 * Budgets (DESIGN.md): delivery p50 ≤ 2× PING p50; delivery p99 ≤ 5 ms; 1000 invalidations
 * issued at once all delivered ≤ 50 ms (median of repeated bursts; the worst is shown too).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/** A node-redis client timing PING round trips, interleaved with the deliveries it is compared to. */
async function pinger(url: string): Promise<{ time(): Promise<number>; close(): void }> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return {
    async time() {
      const start = nowMs();
      await client.ping();
      return nowMs() - start;
    },
    close: () => client.destroy(),
  };
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

/** Child mode: a receiving instance that reports each message's arrival time and key count. */
async function runReceiver(url: string): Promise<void> {
  const bus = new RedisBus({
    url,
    channel: 'bench-invalidation',
    instanceName: 'remote-receiver',
    logger: createLogger({ level: 'warn' }),
  });
  bus.onMessage((message: InvalidationMessage) => {
    const at = nowMs();
    process.send!({ at, keys: message.keys?.length ?? 0 });
  });
  await bus.start();
  process.send!({ ready: bus.state === 'connected' });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) void bus.stop().then(() => process.exit(0));
  });
}

/** The receiving instance in its own process; `expect(n)` resolves to the arrival of the n-th key. */
class RemoteArrivals {
  private expected = 0;
  private seen = 0;
  private done: ((at: number) => void) | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { at?: number; keys?: number }) => {
      if (m.at === undefined) return;
      this.seen += m.keys ?? 0;
      if (this.done && this.seen >= this.expected) {
        const done = this.done;
        this.done = undefined;
        done(m.at);
      }
    });
  }

  static async start(url: string): Promise<RemoteArrivals> {
    const child = fork(fileURLToPath(import.meta.url), ['receiver', url], { stdio: 'inherit' });
    const ready = await new Promise<boolean>((resolve, reject) => {
      child.once('message', (m: { ready?: boolean }) => resolve(m.ready === true));
      child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
    });
    if (!ready) throw new Error('the receiving bus did not connect to the local redis-server');
    return new RemoteArrivals(child);
  }

  expect(count: number): Promise<number> {
    this.seen = 0;
    this.expected = count;
    return new Promise((resolve) => (this.done = resolve));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ stop: true });
    });
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

    // PINGs alternate with deliveries, so both see the same conditions on this shared machine.
    const pingClient = await pinger(redis.url);
    const pings: number[] = [];
    // For information: PINGs back to back, with nothing else on the loop, come out faster still.
    const backToBack: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t = await pingClient.time();
      if (i >= WARMUP) backToBack.push(t);
    }

    // Same process (information): both buses share one event loop.
    const local: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const arrived = arrivals.expect(1);
      const start = nowMs();
      sender.publish({ cache: 'bench.user', keys: [[`@user${i}:example.org`, i]] });
      await arrived;
      if (i >= WARMUP) local.push(nowMs() - start);
    }
    const sameProcess = summary(local);

    // Another process (budgeted): the receiving instance stamps arrival itself.
    const remote = await RemoteArrivals.start(redis.url);
    const delivery: number[] = [];
    const acknowledged: number[] = [];
    const bursts: number[] = [];
    const burstsAcked: number[] = [];
    try {
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const pingTime = await pingClient.time();
        const arrived = remote.expect(1);
        const start = nowMs();
        const acked = sender.publish({ cache: 'bench.user', keys: [[`@user${i}:example.org`, i]] });
        const at = await arrived;
        await acked;
        const ackedAt = nowMs();
        if (i >= WARMUP) {
          pings.push(pingTime);
          delivery.push(at - start);
          acknowledged.push(ackedAt - start);
        }
      }
      for (let round = 0; round < BURSTS; round++) {
        const arrived = remote.expect(BURST_SIZE);
        const start = nowMs();
        const acks: Promise<void>[] = [];
        for (let i = 0; i < BURST_SIZE; i++) {
          acks.push(
            sender.publish({ cache: 'bench.user', keys: [[`@user${i}:example.org`, round]] }),
          );
        }
        bursts.push((await arrived) - start);
        await Promise.all(acks);
        burstsAcked.push(nowMs() - start);
      }
    } finally {
      pingClient.close();
      await remote.stop();
    }
    const ping = summary(pings);
    const pingAlone = summary(backToBack);
    const single = summary(delivery);
    const burst = summary(bursts);
    const ackedSummary = summary(acknowledged);
    const burstAcked = summary(burstsAcked);

    const ratio = single.p50 / ping.p50;
    console.log(
      `Redis PING round trip (baseline, interleaved with deliveries):  p50 ${ms(ping.p50)}  p99 ${ms(ping.p99)}`,
    );
    console.log(
      `delivery, receiver in one process with the sender (information): p50 ${ms(sameProcess.p50)}  p99 ${ms(sameProcess.p99)}`,
    );
    console.log(
      `invalidation delivery to another process: p50 ${ms(single.p50)}  p99 ${ms(single.p99)}  (${SAMPLES} samples)`,
    );
    console.log(
      `delivery p50 / PING p50:           ${ratio.toFixed(2)}×  budget ≤ 2.00×  ${verdict(ratio <= 2)}`,
    );
    console.log(
      `(information) PING back to back:   p50 ${ms(pingAlone.p50)}; delivery p50 / that: ${(single.p50 / pingAlone.p50).toFixed(2)}×`,
    );
    console.log(
      `delivery p99:                      ${ms(single.p99)}  budget ≤ 5 ms  ${verdict(single.p99 <= 5)}`,
    );
    console.log(
      `(information) publish() resolved, acknowledged by the other process: p50 ` +
        `${ms(ackedSummary.p50)}  p99 ${ms(ackedSummary.p99)}; p50 / PING p50: ` +
        `${(ackedSummary.p50 / ping.p50).toFixed(2)}×`,
    );
    console.log(
      `(information) ${BURST_SIZE} invalidations at once, all acknowledged: median ` +
        `${ms(burstAcked.p50)} (worst of ${BURSTS}: ${ms(burstAcked.max)})`,
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

const entry = process.argv[2] === 'receiver' ? runReceiver(process.argv[3]!) : main();
entry.catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
