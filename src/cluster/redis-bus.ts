/**
 * Cache invalidations between instances over Redis pub/sub (node-redis). Two connections: a
 * subscriber (a subscribed connection can do nothing else) and a publisher.
 *
 * Pub/sub drops whatever is sent while a connection is down, so the bus is only `connected`
 * while both connections are up and the subscription is live; the cache registry stores nothing
 * while it is not and clears its caches when it comes back. Invalidations this instance could
 * not send are remembered per cache and sent as "clear the whole cache" once the publisher is
 * back, so other instances never keep a value this one invalidated. Redis errors are logged and
 * retried forever (backoff capped at `reconnectMaxDelayMs`); they never reach the host.
 *
 * `publish()` resolves once every instance that was a live member when the batch was published
 * has applied it (acknowledged, see membership.ts and ack-tracker.ts) or has dropped out of the
 * membership. It rejects with INVALIDATION_NOT_PUBLISHED when Redis does not confirm the publish
 * within `stallTimeoutMs`, and with INVALIDATION_NOT_ACKNOWLEDGED, naming the instances, when
 * they have not confirmed within twice that. The bus only counts as connected (caches used) while
 * its own membership is current, so the others may stop waiting for it once its entry expired.
 * A frozen Redis
 * (SIGSTOP, partition: sockets open, nothing answers) is noticed by PINGing both connections
 * every `stallTimeoutMs / 5`: no answer to anything sent within `stallTimeoutMs` marks the bus
 * disconnected, so caches are bypassed before any invalidation could have been acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { Counter, Gauge } from '../metrics/prom-client.js';
import { createClient } from 'redis';
import type { BusState, InvalidationBus, InvalidationMessage } from './invalidation-bus.js';
import { decodeBatch, InvalidationBatch } from './invalidation-batch.js';
import { AckTracker } from './ack-tracker.js';
import {
  ackChannel,
  decodeAck,
  encodeAck,
  HEARTBEAT_SCRIPT,
  membershipKeys,
  OwnMembership,
  parseHeartbeat,
  publishWithSnapshot,
} from './membership.js';
import { checkRedisUrl, redactRedisUrl } from './redis-url.js';
import { redisUrlInvalid } from '../errors/cluster-messages.js';
import {
  invalidationNotAcknowledged,
  invalidationNotPublished,
} from '../errors/failover-messages.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** The pub/sub channel every instance of the deployment shares. */
  channel: string;
  instanceName: string;
  logger: Logger;
  metrics?: MetricsRegistry;
  /** Cap of the reconnect backoff, ms (default 1000). */
  reconnectMaxDelayMs?: number;
  /** Time allowed to open a TCP connection, ms (default 2000). */
  connectTimeoutMs?: number;
  /** How long `start()` waits for a first connection before going on degraded, ms (default 2000). */
  startWaitMs?: number;
  /**
   * `cluster.stall_timeout`: a connection with nothing answered for this long marks the bus
   * disconnected; also the time a PUBLISH may take before `publish()` rejects, and the TTL of
   * this instance's membership entry, ms (default 500). Acknowledgements may take twice as long.
   */
  stallTimeoutMs?: number;
}

/** One waiting `publish()` call: settled by the PUBLISH that carried its message. */
interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** A PUBLISH sent and not yet confirmed. */
interface PendingSend {
  caches: string[];
  waiters: Waiter[];
  timer: NodeJS.Timeout;
}

type RedisClient = ReturnType<typeof createClient>;
type Role = 'publisher' | 'subscriber';

interface BusMetrics {
  connected: Gauge;
  sent: Counter;
  received: Counter;
  dropped: Counter;
}

function createBusMetrics(registry: MetricsRegistry): BusMetrics {
  const registers = [registry];
  return {
    connected: new Gauge({
      name: 'modhost_cluster_bus_connected',
      help: '1 while the Redis invalidation bus is connected; 0 while degraded (cluster caches bypassed)',
      registers,
    }),
    sent: new Counter({
      name: 'modhost_cluster_invalidation_messages_sent_total',
      help: 'Batched invalidation messages published to Redis',
      registers,
    }),
    received: new Counter({
      name: 'modhost_cluster_invalidation_messages_received_total',
      help: 'Invalidation messages received from other instances',
      registers,
    }),
    dropped: new Counter({
      name: 'modhost_cluster_invalidation_messages_dropped_total',
      help: 'Invalidation messages not sent because Redis was unreachable (replayed as clear-all)',
      registers,
    }),
  };
}

function errorMessage(err: unknown): string {
  // Connecting to "localhost" tries ::1 and 127.0.0.1 and fails with an AggregateError.
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(errorMessage).join('; ');
  }
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

export class RedisBus implements InvalidationBus {
  readonly kind = 'redis';
  /** Unique per process: instance name plus randomness, so a restarted instance is new too. */
  readonly senderId: string;
  private readonly options: Required<Omit<RedisBusOptions, 'metrics'>>;
  private readonly logger: Logger;
  private readonly metrics: BusMetrics | undefined;
  private readonly safeUrl: string;
  private currentState: BusState = 'disconnected';
  private publisher: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  private subscribed = false;
  private subscribing = false;
  private started = false;
  private stopped = false;
  /** Set once the bus has been connected: later gaps are reconnects, not the first connect. */
  private everConnected = false;
  private batch = new InvalidationBatch();
  private flushScheduled = false;
  /** Caches whose invalidations could not be sent; each becomes a clear-all on reconnect. */
  private readonly unsent = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly messageHandlers: ((message: InvalidationMessage) => void | Promise<unknown>)[] =
    [];
  private readonly stateHandlers: ((state: BusState) => void)[] = [];
  /** Settles `start()`'s wait: on the first connect or the first failure. */
  private firstOutcome: (() => void) | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /** `publish()` calls whose message is in the batch being built. */
  private waiters: Waiter[] = [];
  private readonly pendingSends = new Set<PendingSend>();
  /** Whether each connection has a PING in flight. */
  private readonly pinging: Record<Role, boolean> = { publisher: false, subscriber: false };
  /**
   * When (performance.now()) each connection last proved alive: the send time of its latest
   * answered PING, or when it became ready. Send time, not answer time, so a late answer never
   * makes a connection look fresher than it was.
   */
  private readonly aliveAt: Record<Role, number> = { publisher: 0, subscriber: 0 };
  /** A connection that is open but whose PING went unanswered too long (frozen Redis, partition). */
  private readonly stalled: Record<Role, boolean> = { publisher: false, subscriber: false };
  private readonly keys: ReturnType<typeof membershipKeys>;
  /** Where the other instances acknowledge this one's batches. */
  private readonly ackChannel: string;
  /** Number of the last batch published (acknowledgements are cumulative per sender). */
  private seq = 0;
  private readonly acks: AckTracker;
  private readonly own: OwnMembership;
  private renewing = false;
  /** Acknowledgements to send at the end of this tick: publisher id → highest seq applied. */
  private readonly acksOut = new Map<string, number>();
  private acksScheduled = false;
  /** Per sender, the batches still being applied elsewhere (a worker): later acks wait for them. */
  private readonly applying = new Map<string, Promise<void>>();

  constructor(options: RedisBusOptions) {
    this.options = {
      url: options.url,
      channel: options.channel,
      instanceName: options.instanceName,
      logger: options.logger,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 1000,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      startWaitMs: options.startWaitMs ?? 2000,
      stallTimeoutMs: options.stallTimeoutMs ?? 500,
    };
    checkRedisUrl(options.url);
    this.logger = options.logger;
    this.safeUrl = redactRedisUrl(options.url);
    this.senderId = `${options.instanceName}:${randomBytes(6).toString('hex')}`;
    this.metrics = options.metrics ? createBusMetrics(options.metrics) : undefined;
    this.metrics?.connected.set(0);
    this.keys = membershipKeys(options.channel);
    this.ackChannel = ackChannel(options.channel, this.senderId);
    this.own = new OwnMembership(this.options.stallTimeoutMs);
    this.acks = new AckTracker(this.senderId, (caches, peers) =>
      invalidationNotAcknowledged(caches, peers, this.publishTimeoutMs),
    );
  }

  /** How long a batch may wait for its acknowledgements: twice the stall timeout, so a member
   * that froze right after the publish has its entry expire (one stall timeout) and be seen
   * gone (a heartbeat later) before this runs out. */
  private get publishTimeoutMs(): number {
    return 2 * this.options.stallTimeoutMs;
  }

  get state(): BusState {
    return this.currentState;
  }

  describe(): string {
    const where = `redis ${this.safeUrl} channel "${this.options.channel}"`;
    if (!this.started) return where;
    const health =
      this.currentState === 'connected'
        ? 'connected'
        : this.stopped
          ? 'stopped'
          : 'disconnected (degraded: cluster caches bypassed until it reconnects)';
    return `${where} as ${this.senderId}: ${health}`;
  }

  /**
   * Whether Redis answers right now, without starting the bus: a separate short-lived
   * connection and one PING (for `modhost check`). Never throws.
   */
  async probe(timeoutMs = 2000): Promise<{ reachable: boolean; detail: string }> {
    let client: RedisClient;
    try {
      client = createClient({
        url: this.options.url,
        socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
      });
    } catch (err) {
      return { reachable: false, detail: `unusable URL: ${errorMessage(err)}` };
    }
    let lastError: unknown;
    client.on('error', (err: unknown) => (lastError = err));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const started = performance.now();
      await Promise.race([client.connect().then(() => client.ping()), deadline]);
      const ms = performance.now() - started;
      return { reachable: true, detail: `reachable (connect + PING ${ms.toFixed(1)} ms)` };
    } catch (err) {
      return {
        reachable: false,
        detail: `unreachable: ${errorMessage(lastError ?? err)} (instances start degraded until it answers)`,
      };
    } finally {
      clearTimeout(timer);
      client.destroy();
    }
  }

  onMessage(handler: (message: InvalidationMessage) => void | Promise<unknown>): void {
    this.messageHandlers.push(handler);
  }

  onStateChange(handler: (state: BusState) => void): void {
    this.stateHandlers.push(handler);
  }

  /** Connects both clients; resolves once connected, or degraded after a first failure. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.publisher = this.createRedisClient('publisher');
    this.subscriber = this.createRedisClient('subscriber');
    const settled = new Promise<void>((resolve) => (this.firstOutcome = resolve));
    this.healthTimer = setInterval(() => {
      this.checkHealth('publisher');
      this.checkHealth('subscriber');
      this.verify();
      this.renewMembership();
    }, this.healthTickMs);
    this.healthTimer.unref();
    for (const client of [this.publisher, this.subscriber]) {
      // connect() settles only once connected (it retries inside); closing rejects it.
      client.connect().catch(() => {});
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.startWaitMs))),
    ]);
    clearTimeout(timer);
    this.firstOutcome = undefined;
    if (this.currentState === 'disconnected') {
      this.logger.warn(
        { redis: this.safeUrl },
        'Redis unreachable at start: running degraded (cluster caches compute on every call ' +
          'and store nothing) until it connects; retrying in the background',
      );
    }
  }

  /** How often connections are PINGed: a fifth of the stall timeout (at least 10 ms). */
  private get healthTickMs(): number {
    return Math.max(10, Math.floor(this.options.stallTimeoutMs / 5));
  }

  /**
   * Batches `message` into this tick's PUBLISH. Throws at once for a bad key; the promise
   * resolves when Redis confirmed the PUBLISH and rejects (INVALIDATION_NOT_PUBLISHED) when it
   * could not be confirmed within the stall timeout. The promise is pre-handled: callers that
   * do not await it see no unhandled rejection.
   */
  publish(message: InvalidationMessage): Promise<void> {
    // Validates and encodes now, so a bad key is an error at the caller.
    this.batch.add(message);
    if (this.stopped) {
      this.batch.drain(this.senderId);
      this.logger.debug({ cache: message.cache }, 'invalidation not sent: the bus is stopped');
      return this.handled(
        Promise.reject(
          invalidationNotPublished(
            [message.cache],
            'the bus is stopped',
            this.options.stallTimeoutMs,
          ),
        ),
      );
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return this.handled(done);
  }

  private handled(promise: Promise<void>): Promise<void> {
    promise.catch(() => {});
    return promise;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.healthTimer);
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.flush();
    await this.withinTime(Promise.allSettled([...this.inFlight]), 1000);
    this.failPendingSends('the bus stopped');
    this.acks.failAll((caches, peers) =>
      invalidationNotAcknowledged(caches, peers, this.publishTimeoutMs),
    );
    // Leaving at once spares the others waiting for this entry to expire.
    if (this.publisher?.isReady && !this.stalled.publisher) {
      await this.withinTime(this.publisher.zRem(this.keys.members, this.senderId), 500);
    }
    this.own.reset();
    await Promise.all([this.closeClient(this.publisher), this.closeClient(this.subscriber)]);
    this.setState('disconnected');
  }

  private createRedisClient(role: Role): RedisClient {
    const maxDelay = this.options.reconnectMaxDelayMs;
    let client: RedisClient;
    try {
      client = createClient({
        url: this.options.url,
        // Commands fail at once while disconnected instead of queueing for a later replay.
        disableOfflineQueue: true,
        socket: {
          connectTimeout: this.options.connectTimeoutMs,
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, maxDelay),
        },
      });
    } catch (err) {
      throw redisUrlInvalid(this.safeUrl, errorMessage(err));
    }
    // Without an 'error' listener node-redis errors would crash the process.
    client.on('error', (err: unknown) => this.onClientError(role, err));
    client.on('ready', () =>
      role === 'subscriber' ? this.onSubscriberReady() : this.onPublisherReady(),
    );
    client.on('reconnecting', () => this.refreshState());
    client.on('end', () => this.refreshState());
    return client;
  }

  private onClientError(role: Role, err: unknown): void {
    if (this.stopped) return;
    // Every failed retry emits one; the state change already says the important part.
    this.logger.debug({ role, err: errorMessage(err) }, 'Redis connection error');
    this.refreshState();
    this.firstOutcome?.();
  }

  private onSubscriberReady(): void {
    if (this.stopped) return;
    this.stalled.subscriber = false;
    this.aliveAt.subscriber = performance.now();
    if (this.subscribed) {
      // node-redis resubscribed before emitting 'ready'.
      this.refreshState();
      return;
    }
    if (this.subscribing || !this.subscriber) return;
    this.subscribing = true;
    const subscriber = this.subscriber;
    Promise.all([
      subscriber.subscribe(this.options.channel, (raw: string) => this.receive(raw)),
      subscriber.subscribe(this.ackChannel, (raw: string) => this.receiveAck(raw)),
    ])
      .then(() => {
        this.subscribed = true;
        this.refreshState();
      })
      .catch((err: unknown) => {
        if (!this.subscriber?.isReady) {
          // The connection dropped mid-way; the next 'ready' tries again.
          this.logger.debug({ err: errorMessage(err) }, 'subscribing was interrupted');
          return;
        }
        // Redis refused (an ACL without SUBSCRIBE, say): the bus stays degraded until it agrees.
        this.logger.error(
          { err: errorMessage(err), channel: this.options.channel },
          'Redis refused SUBSCRIBE: the bus stays degraded (caches bypassed); retrying',
        );
        this.retryLater('subscribe', () => this.onSubscriberReady());
      })
      .finally(() => (this.subscribing = false));
  }

  private onPublisherReady(): void {
    if (this.stopped) return;
    this.stalled.publisher = false;
    this.aliveAt.publisher = performance.now();
    this.replayUnsent();
    this.refreshState();
  }

  /** Sends a clear-all for every cache whose invalidations were lost while disconnected. */
  private replayUnsent(): void {
    if (this.unsent.size === 0) return;
    const caches = [...this.unsent];
    this.unsent.clear();
    for (const cache of caches) this.batch.add({ cache, all: true });
    this.logger.info(
      { caches },
      'Redis is back: clearing on other instances the caches whose invalidations could not be sent',
    );
    this.flush();
  }

  /**
   * A dead peer that sends no RST (frozen Redis, network partition) leaves a socket that looks
   * open while pub/sub messages are lost; PINGs nobody answers are how we notice it. Stalled
   * once nothing sent in the last `stallTimeoutMs - tick` was answered, so the flag is up within
   * `stallTimeoutMs` of the last answer. The same check runs first after this process itself
   * was frozen (timers fire before sockets are read), so it never trusts stale caches on resume.
   */
  private checkHealth(role: Role): void {
    const client = role === 'publisher' ? this.publisher : this.subscriber;
    if (this.stopped || !client?.isReady) return;
    const now = performance.now();
    const silentFor = now - this.aliveAt[role];
    if (!this.stalled[role] && silentFor > this.options.stallTimeoutMs - this.healthTickMs) {
      this.stalled[role] = true;
      this.logger.warn(
        { role, silent_ms: Math.round(silentFor), stall_timeout_ms: this.options.stallTimeoutMs },
        'Redis stopped answering PING',
      );
      if (role === 'publisher') this.failPendingSends('Redis stopped answering');
      this.refreshState();
    }
    if (this.pinging[role]) return;
    this.pinging[role] = true;
    client.ping().then(
      () => {
        this.pinging[role] = false;
        this.aliveAt[role] = Math.max(this.aliveAt[role], now);
        if (!this.stalled[role]) return;
        this.stalled[role] = false;
        this.logger.info({ role }, 'Redis answers PING again');
        if (role === 'publisher') this.replayUnsent();
        this.refreshState();
      },
      () => {
        // The connection failed: its own events move the state.
        this.pinging[role] = false;
      },
    );
  }

  /** Both connections up and answering, and subscribed: pub/sub delivers to this instance. */
  private transportLive(): boolean {
    return (
      this.subscribed &&
      Boolean(this.subscriber?.isReady) &&
      Boolean(this.publisher?.isReady) &&
      !this.stalled.publisher &&
      !this.stalled.subscriber
    );
  }

  private refreshState(): void {
    if (this.stopped) return;
    const transport = this.transportLive();
    // Caches are used only while the others also wait for this instance's acknowledgements.
    this.setState(transport && this.own.valid() ? 'connected' : 'disconnected');
    if (transport && !this.own.valid()) this.renewMembership();
  }

  /**
   * Leaves the connected state synchronously once this instance's membership may have expired
   * for the others (they no longer wait for its acknowledgements). Runs on every health tick and
   * before every request, because a process resumed from SIGSTOP handles the requests queued on
   * its sockets before its timers fire.
   */
  verify(): void {
    if (this.currentState !== 'connected' || this.own.valid()) return;
    this.logger.warn(
      { stall_timeout_ms: this.options.stallTimeoutMs },
      'cluster membership not renewed in time (this process or Redis stalled): the other ' +
        'instances stop waiting for it, so its cluster caches are bypassed until it renews',
    );
    this.refreshState();
  }

  /** Renews this instance's membership entry, while pub/sub reaches it (see membership.ts). */
  private renewMembership(): void {
    const publisher = this.publisher;
    if (this.stopped || this.renewing || !publisher || !this.transportLive()) return;
    this.renewing = true;
    const sentAt = performance.now();
    publisher
      .eval(HEARTBEAT_SCRIPT, {
        keys: [this.keys.members, this.keys.since],
        arguments: [this.senderId, String(this.own.ttlMs)],
      })
      .then(
        (reply: unknown) => {
          this.renewing = false;
          if (this.stopped) return;
          const { added, live } = parseHeartbeat(reply);
          const lost = this.own.renewed(sentAt, added);
          this.acks.live(live);
          if (lost) {
            this.logger.warn(
              "Redis lost this instance's cluster membership (restart without persistence, " +
                'FLUSHALL): cluster caches cleared, as invalidations may have skipped it',
            );
            // Through disconnected and back: the cache registry clears on each change.
            this.setState('disconnected');
          }
          this.refreshState();
        },
        (err: unknown) => {
          this.renewing = false;
          this.logger.debug({ err: errorMessage(err) }, 'cluster membership renew failed');
        },
      );
  }

  private setState(next: BusState): void {
    if (next === this.currentState) return;
    this.currentState = next;
    this.metrics?.connected.set(next === 'connected' ? 1 : 0);
    if (this.stopped) {
      this.logger.debug('invalidation bus stopped');
    } else if (next === 'connected') {
      this.logger.info(
        { redis: this.safeUrl, channel: this.options.channel },
        this.everConnected
          ? 'invalidation bus reconnected: cluster caches cleared, caching again'
          : 'invalidation bus connected',
      );
      this.everConnected = true;
      this.firstOutcome?.();
    } else {
      this.logger.warn(
        { redis: this.safeUrl },
        'invalidation bus disconnected from Redis: degraded, cluster caches bypassed (every call ' +
          'computes) until it reconnects',
      );
    }
    for (const handler of this.stateHandlers) {
      try {
        handler(next);
      } catch (err) {
        this.logger.error({ err }, 'an invalidation bus state handler failed');
      }
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One message for everything invalidated in this tick (synchronously or in its microtasks),
    // sent before the event loop turns: waiting for setImmediate cost a whole loop turn of latency.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batch.size === 0) return;
    const caches = this.batch.caches();
    const seq = ++this.seq;
    const payload = this.batch.drain(this.senderId, seq);
    const waiters = this.waiters;
    this.waiters = [];
    const publisher = this.publisher;
    if (!publisher?.isReady || this.stalled.publisher) {
      const reason = publisher?.isReady ? 'Redis stopped answering' : 'Redis is not connected';
      this.markUnsent(caches, reason);
      this.rejectAll(waiters, caches, reason);
      return;
    }
    const pending: PendingSend = {
      caches,
      waiters,
      timer: setTimeout(
        () => this.failSend(pending, `no answer within ${this.options.stallTimeoutMs} ms`),
        this.options.stallTimeoutMs,
      ),
    };
    pending.timer.unref();
    this.pendingSends.add(pending);
    const started = performance.now();
    // The snapshot of live members is read right before the PUBLISH, in one round trip.
    const sending = publishWithSnapshot(
      publisher,
      this.keys,
      this.own.ttlMs,
      this.options.channel,
      payload,
    ).then(
      ({ graceMs, live }) => {
        this.metrics?.sent.inc();
        if (!this.pendingSends.delete(pending)) return; // already failed (timed out)
        clearTimeout(pending.timer);
        if (waiters.length === 0) return; // a replay nobody awaits
        const left = this.publishTimeoutMs - (performance.now() - started);
        this.acks.expect(seq, caches, live, graceMs, waiters, left);
      },
      (err: unknown) => this.failSend(pending, errorMessage(err)),
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** A PUBLISH that failed or was not confirmed in time: its caches become clear-alls. */
  private failSend(pending: PendingSend, reason: string): void {
    if (!this.pendingSends.delete(pending)) return;
    clearTimeout(pending.timer);
    this.markUnsent(pending.caches, reason);
    this.rejectAll(pending.waiters, pending.caches, reason);
  }

  private failPendingSends(reason: string): void {
    for (const pending of [...this.pendingSends]) this.failSend(pending, reason);
  }

  private rejectAll(waiters: Waiter[], caches: string[], reason: string): void {
    if (waiters.length === 0) return;
    const err = invalidationNotPublished(caches, reason, this.options.stallTimeoutMs);
    for (const waiter of waiters) waiter.reject(err);
  }

  private markUnsent(caches: string[], reason: string): void {
    this.metrics?.dropped.inc();
    if (this.stopped) {
      this.logger.debug({ caches, reason }, 'invalidations not sent at stop');
      return;
    }
    this.logger.debug(
      { caches, reason },
      'invalidations not sent; each cache is cleared everywhere on reconnect',
    );
    for (const cache of caches) this.unsent.add(cache);
    if (this.publisher?.isReady) {
      // The connection is up, so no 'ready' will come to replay them: either it came back
      // already, or Redis refused the PUBLISH itself. Retry, but not in a tight loop.
      this.logger.warn({ caches, reason }, 'PUBLISH of invalidations failed; retrying');
      this.retryLater('replay', () => this.replayUnsent());
    }
  }

  /** Runs `fn` after the reconnect backoff cap, once per `key` however often it is asked. */
  private retryLater(key: 'subscribe' | 'replay', fn: () => void): void {
    if (this.retryTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(key);
      if (!this.stopped) fn();
    }, this.options.reconnectMaxDelayMs);
    timer.unref();
    this.retryTimers.set(key, timer);
  }

  private receive(raw: string): void {
    let decoded;
    try {
      decoded = decodeBatch(raw);
    } catch (err) {
      this.logger.warn(
        { channel: this.options.channel, err: errorMessage(err), message: raw.slice(0, 200) },
        'ignoring a malformed invalidation message (is another program publishing on this channel?)',
      );
      return;
    }
    if (decoded.from === this.senderId) return;
    this.metrics?.received.inc();
    let elsewhere: Promise<unknown>[] | undefined;
    for (const message of decoded.messages) {
      for (const handler of this.messageHandlers) {
        try {
          const applying = handler(message);
          if (applying instanceof Promise) (elsewhere ??= []).push(applying);
        } catch (err) {
          this.logger.error({ err, cache: message.cache }, 'an invalidation handler failed');
        }
      }
    }
    const { from, seq } = decoded;
    if (seq === undefined) return;
    // Acknowledged once applied everywhere it goes (an isolated module's worker included); a
    // handler that failed counts as applied: retrying would fail the same way. Acks are
    // cumulative, so one for this batch also waits for the sender's earlier batches still applying.
    const earlier = this.applying.get(from);
    if (elsewhere === undefined && earlier === undefined) {
      this.queueAck(from, seq);
      return;
    }
    const done: Promise<void> = Promise.allSettled([earlier, ...(elsewhere ?? [])]).then(() => {
      if (this.applying.get(from) === done) this.applying.delete(from);
      this.queueAck(from, seq);
    });
    this.applying.set(from, done);
  }

  /** Acknowledges at the end of this tick: one message per publisher, however many batches. */
  private queueAck(to: string, seq: number): void {
    if ((this.acksOut.get(to) ?? 0) < seq) this.acksOut.set(to, seq);
    if (this.acksScheduled) return;
    this.acksScheduled = true;
    queueMicrotask(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.acksScheduled = false;
    const publisher = this.publisher;
    const out = [...this.acksOut];
    this.acksOut.clear();
    // Unsent, the publisher stops waiting once this instance's entry expires (or times out).
    if (this.stopped || !publisher?.isReady) return;
    for (const [to, seq] of out) {
      publisher
        .publish(ackChannel(this.options.channel, to), encodeAck(seq, this.senderId))
        .catch((err: unknown) =>
          this.logger.debug({ err: errorMessage(err), to }, 'acknowledgement not sent'),
        );
    }
  }

  private receiveAck(raw: string): void {
    const ack = decodeAck(raw);
    if (ack === undefined) {
      this.logger.warn(
        { channel: this.ackChannel, message: raw.slice(0, 200) },
        'ignoring a malformed acknowledgement',
      );
      return;
    }
    this.acks.ack(ack.from, ack.seq);
  }

  private async closeClient(client: RedisClient | undefined): Promise<void> {
    if (!client) return;
    try {
      if (client.isOpen) await this.withinTime(client.close(), 500);
    } catch {
      // Already closed, or never connected: destroy below is enough.
    }
    client.destroy();
  }

  private async withinTime(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      promise.catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }
}
