/**
 * Who runs the background tasks. `instance.run_background_tasks: true | false` is a fixed
 * answer (StaticGate); `auto` elects one live instance through a lease in Redis (RedisLease).
 *
 * The lease is one key, `<channel>:lease`, holding `<sender id>#<fencing token>` with a PX
 * expiry of `lease_ttl`. Acquiring is a SET NX PX inside a script that also draws the token from
 * a counter (so every new holder gets a larger one); renewing is a compare-and-set script that
 * extends the expiry only while the key still holds our value. Safety does not rest on Redis
 * noticing anything: the holder keeps a local deadline of `ttl - margin` measured from when its
 * last successful renew was SENT (Redis starts the expiry later than that), and `holds()`
 * answers false from that instant on, whatever timers or replies are still queued. So a holder
 * that is frozen, partitioned or cut off stops before the key can expire for anyone else, and a
 * process resumed after SIGSTOP sees its deadline passed before it runs anything.
 *
 * A Redis that lost its data (restart without persistence, FLUSHALL) would let a new holder in
 * while the old one still trusts its deadline. The acquire script notices the missing epoch key
 * and writes a placeholder lease for one TTL first ("quarantine"), which outlasts every deadline
 * granted by the Redis that was lost.
 */
import { Counter, Gauge } from '../metrics/prom-client.js';
import { createClient } from 'redis';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';

import type { BackgroundGate, LeaseDescription } from './background-gate.js';

/** KEYS: lease, fence counter, epoch. ARGV: sender id, ttl ms. Returns the value set, or the holder. */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[3]) == 0 then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('SET', KEYS[3], ms)
  if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ms) end
  redis.call('SET', KEYS[1], 'quarantine', 'PX', ARGV[2])
  return {0, 'quarantine'}
end
local token = redis.call('INCR', KEYS[2])
local value = ARGV[1] .. '#' .. token
if redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2]) then return {1, value} end
return {0, redis.call('GET', KEYS[1]) or ''}
`;

/** KEYS: lease. ARGV: our value, ttl ms. 1 when extended (still ours), 0 otherwise. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS: lease. ARGV: our value. Deletes the key only while it is ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RedisLeaseOptions {
  url: string;
  /** Key prefix shared by the deployment (`cluster.channel`). */
  prefix: string;
  /** This process's id (the bus's sender id): instance name plus randomness. */
  holderId: string;
  ttlMs: number;
  logger: Logger;
  metrics?: MetricsRegistry;
  reconnectMaxDelayMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(errorText).join('; ');
  }
  return err instanceof Error ? err.message || err.name : String(err);
}

export class RedisLease implements BackgroundGate {
  readonly mode = 'auto';
  private readonly client: RedisClient;
  private readonly keys: [lease: string, fence: string, epoch: string];
  private readonly ttlMs: number;
  /** Stop this long before the TTL runs out: clock-rate drift, a slow stop, scheduling delays. */
  private readonly marginMs: number;
  private readonly logger: Logger;
  private readonly handlers = new Set<(holds: boolean) => void>();
  private value: string | undefined;
  /** performance.now() after which we no longer hold the lease. */
  private deadline = 0;
  private holding = false;
  private lastHolder: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private stopped = false;
  private readonly heldGauge: Gauge | undefined;
  private readonly changes: Counter<'change'> | undefined;

  constructor(options: RedisLeaseOptions) {
    this.ttlMs = options.ttlMs;
    this.marginMs = Math.max(50, Math.floor(options.ttlMs / 5));
    this.logger = options.logger;
    this.keys = [
      `${options.prefix}:lease`,
      `${options.prefix}:lease:fence`,
      `${options.prefix}:epoch`,
    ];
    this.holderId = options.holderId;
    const maxDelay = options.reconnectMaxDelayMs ?? 1000;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(1000, options.ttlMs),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, maxDelay),
      },
    });
    this.client.on('error', (err: unknown) =>
      this.logger.debug({ err: errorText(err) }, 'lease connection error'),
    );
    if (options.metrics) {
      const registers = [options.metrics];
      this.heldGauge = new Gauge({
        name: 'modhost_background_lease_held',
        help: '1 while this instance holds the background-task lease (runs background tasks)',
        registers,
      });
      this.heldGauge.set(0);
      this.changes = new Counter({
        name: 'modhost_background_lease_changes_total',
        help: 'Times this instance gained or lost the background-task lease',
        labelNames: ['change'],
        registers,
      });
    }
  }

  private readonly holderId: string;

  holds(): boolean {
    if (!this.holding) return false;
    if (performance.now() < this.deadline) return true;
    // Checked synchronously, so a timer that fires before the deadline timer (after this
    // process was frozen, say) never runs anything.
    this.lose('the lease deadline passed without a confirmed renew');
    return false;
  }

  onChange(handler: (holds: boolean) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  describe(): LeaseDescription {
    const holds = this.holds();
    return {
      mode: 'auto',
      holds,
      ...(holds ? { holder: this.holderId } : this.lastHolder ? { holder: this.lastHolder } : {}),
      ...(holds && this.value ? { token: Number(this.value.split('#').pop()) } : {}),
      ttlMs: this.ttlMs,
    };
  }

  async start(): Promise<void> {
    this.client.connect().catch(() => {});
    this.schedule(0);
  }

  /**
   * Reads who holds the lease now, without taking part (for `modhost inspect` on a host that
   * is not started); bounded by `timeoutMs`, never throws.
   */
  async probe(timeoutMs = 1000): Promise<void> {
    const client = this.client.duplicate({
      socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
    });
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        client.connect().then(() => client.get(this.keys[0])),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      this.lastHolder = typeof value === 'string' ? value.replace(/#\d+$/, '') : undefined;
    } catch {
      // Unreachable: the description says nobody is known to hold it.
    } finally {
      clearTimeout(timer);
      client.destroy();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt?.catch(() => {});
    const value = this.value;
    const held = this.holding;
    if (held) this.lose('the host is stopping', 'info');
    if (held && value && this.client.isReady) {
      // Hand over at once instead of making the others wait for the TTL.
      await Promise.race([
        this.client.eval(RELEASE, { keys: [this.keys[0]], arguments: [value] }).catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, 500).unref()),
      ]);
    }
    clearTimeout(this.deadlineTimer);
    this.client.destroy();
  }

  /** Renew a third of the TTL apart while holding; poll a tenth apart (fast takeover) otherwise. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.attempt = this.tick().finally(() => {
        this.attempt = undefined;
        const holding = this.holds();
        this.schedule(Math.max(20, Math.floor(this.ttlMs / (holding ? 3 : 10))));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.client.isReady) {
      this.holds(); // lets the deadline take effect even with no timer left to fire
      return;
    }
    const sentAt = performance.now();
    const ttl = String(this.ttlMs);
    // Never wait on a reply longer than the lease lasts: a frozen Redis must not stop the loop.
    const within = <T>(p: Promise<T>) =>
      Promise.race([
        p,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('Redis did not answer')), this.ttlMs).unref(),
        ),
      ]);
    try {
      if (this.holding && this.value) {
        const renewed = await within(
          this.client.eval(RENEW, { keys: [this.keys[0]], arguments: [this.value, ttl] }),
        );
        if (renewed === 1) this.extend(sentAt);
        else this.lose('another instance holds the lease now (or Redis lost it)');
        return;
      }
      const reply = (await within(
        this.client.eval(ACQUIRE, { keys: [...this.keys], arguments: [this.holderId, ttl] }),
      )) as [number, string];
      const [won, value] = reply;
      if (won === 1) {
        this.value = value;
        this.lastHolder = this.holderId;
        this.extend(sentAt);
      } else {
        this.lastHolder = value ? value.replace(/#\d+$/, '') : undefined;
        if (value === 'quarantine') {
          this.logger.debug(
            { ttl_ms: this.ttlMs },
            'Redis has no lease epoch (new or restarted): nobody takes the lease for one TTL',
          );
        }
      }
    } catch (err) {
      this.logger.debug({ err: errorText(err) }, 'lease command failed');
      this.holds();
    }
  }

  /** A renew (or acquire) sent at `sentAt` succeeded. */
  private extend(sentAt: number): void {
    const deadline = sentAt + this.ttlMs - this.marginMs;
    if (deadline <= performance.now()) {
      // The answer came too late to count (we were frozen or Redis was): not ours to use.
      this.lose('the renew was confirmed too late');
      return;
    }
    this.deadline = deadline;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.holds(), deadline - performance.now() + 1);
    this.deadlineTimer.unref();
    if (this.holding) return;
    this.holding = true;
    this.heldGauge?.set(1);
    this.changes?.inc({ change: 'gained' });
    this.logger.info(
      { lease: this.value, ttl_ms: this.ttlMs },
      'gained the background-task lease: this instance runs background tasks',
    );
    this.notify(true);
  }

  private lose(reason: string, level: 'warn' | 'info' = 'warn'): void {
    if (!this.holding) return;
    this.holding = false;
    this.deadline = 0;
    clearTimeout(this.deadlineTimer);
    this.heldGauge?.set(0);
    this.changes?.inc({ change: 'lost' });
    this.logger[level](
      { lease: this.value, reason },
      'lost the background-task lease: background tasks stop on this instance',
    );
    this.notify(false);
  }

  private notify(holds: boolean): void {
    for (const handler of this.handlers) {
      try {
        handler(holds);
      } catch (err) {
        this.logger.error({ err }, 'a background-tasks change handler failed');
      }
    }
  }
}
