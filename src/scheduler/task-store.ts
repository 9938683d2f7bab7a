/**
 * Where scheduled tasks keep their state: the slot (scheduled time) of the last run, who runs
 * one now, and how the last run went. With Redis it is one hash per task, changed only by
 * scripts that read Redis's own clock (TIME), so instances never compare their clocks:
 *
 * - claim: compare-and-set on `last_slot` (the caller names the last slot it saw; whoever moves
 *   it first wins the period, the others re-read) plus a run lock that expires after
 *   `lockMs` unless renewed, so a dead runner blocks the task for at most one lock TTL;
 * - renew: extends the lock only while it still holds our token;
 * - finish: records the outcome and frees the lock, only with our token.
 *
 * A Redis that lost its data (restart without persistence) forgets both the locks and the last
 * slots; the first claim after that sees the tasks epoch missing and keeps every task quiet for
 * one lock TTL, by when every run granted by the old Redis has passed its local deadline.
 * Without Redis the same interface lives in memory (one instance).
 */
import { createClient } from 'redis';
import type { Clock } from '../clock/clock.js';

export interface TaskState {
  /** Scheduled time (store clock, epoch ms) of the last claimed run. */
  lastSlot?: number;
  /** Who runs it now, while locked. */
  runner?: string;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  lastDurationMs?: number;
  lastResult?: 'ok' | 'error' | 'timeout' | 'aborted';
  lastError?: string;
  runs: number;
  failures: number;
}

export type ClaimResult =
  | { claimed: true; token: string; now: number }
  | {
      claimed: false;
      /** moved: another instance claimed first; running: locked; early: slot not reached; quiet: fresh Redis; unavailable: no answer. */
      reason: 'moved' | 'running' | 'early' | 'quiet' | 'unavailable';
      now?: number;
      /** For early/quiet/running: when to try again (store clock). */
      retryAt?: number;
    };

export interface RunOutcome {
  result: 'ok' | 'error' | 'timeout' | 'aborted';
  durationMs: number;
  error?: string;
}

export interface TaskStore {
  readonly kind: 'redis' | 'memory';
  /** Lock lifetime without a renew, ms (for the runner's local deadline). */
  readonly lockMs: number;
  peek(id: string): Promise<{ now: number; state: TaskState }>;
  claim(
    id: string,
    expectedLast: number | undefined,
    slot: number,
    runner: string,
  ): Promise<ClaimResult>;
  renew(id: string, token: string): Promise<boolean>;
  finish(id: string, token: string, outcome: RunOutcome): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function toState(fields: Record<string, string>): TaskState {
  const num = (k: string) => (fields[k] === undefined ? undefined : Number(fields[k]));
  const locked = Number(fields.lock_until ?? 0) > 0;
  return {
    lastSlot: num('last_slot'),
    ...(locked && fields.runner ? { runner: fields.runner } : {}),
    lastStartedAt: num('started_at'),
    lastFinishedAt: num('finished_at'),
    lastDurationMs: num('duration_ms'),
    lastResult: fields.result as TaskState['lastResult'],
    lastError: fields.error,
    runs: Number(fields.runs ?? 0),
    failures: Number(fields.failures ?? 0),
  };
}

/** One instance, no Redis: the same rules in memory, on the host's (fakeable) clock. */
export class MemoryTaskStore implements TaskStore {
  readonly kind = 'memory';
  readonly lockMs = Number.POSITIVE_INFINITY;
  private readonly tasks = new Map<string, Record<string, string>>();
  private nextToken = 1;

  constructor(private readonly clock: Clock) {}

  private fields(id: string): Record<string, string> {
    let f = this.tasks.get(id);
    if (!f) this.tasks.set(id, (f = {}));
    return f;
  }

  async peek(id: string) {
    return { now: this.clock.now(), state: toState(this.fields(id)) };
  }

  async claim(id: string, expectedLast: number | undefined, slot: number, runner: string) {
    const f = this.fields(id);
    const now = this.clock.now();
    if ((f.last_slot === undefined ? undefined : Number(f.last_slot)) !== expectedLast) {
      return { claimed: false as const, reason: 'moved' as const, now };
    }
    if (f.lock_token) return { claimed: false as const, reason: 'running' as const, now };
    if (slot > now)
      return { claimed: false as const, reason: 'early' as const, now, retryAt: slot };
    const token = String(this.nextToken++);
    Object.assign(f, {
      last_slot: String(slot),
      lock_token: token,
      lock_until: '1',
      runner,
      started_at: String(now),
    });
    return { claimed: true as const, token, now };
  }

  async renew(id: string, token: string) {
    return this.fields(id).lock_token === token;
  }

  async finish(id: string, token: string, outcome: RunOutcome) {
    const f = this.fields(id);
    if (f.lock_token !== token) return;
    delete f.lock_token;
    delete f.lock_until;
    f.finished_at = String(this.clock.now());
    f.duration_ms = String(Math.round(outcome.durationMs));
    f.result = outcome.result;
    if (outcome.error !== undefined) f.error = outcome.error;
    else delete f.error;
    f.runs = String(Number(f.runs ?? 0) + 1);
    if (outcome.result !== 'ok') f.failures = String(Number(f.failures ?? 0) + 1);
  }

  async start() {}
  async stop() {}
}

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: task hash, tasks epoch, tasks quiet. ARGV: expected last slot ('' none), slot, lock ms, runner. */
const CLAIM = `${NOW}
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], now)
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
  return {0, 'quiet', now, now + tonumber(ARGV[3])}
end
local quiet = redis.call('PTTL', KEYS[3])
if quiet > 0 then return {0, 'quiet', now, now + quiet} end
local last = redis.call('HGET', KEYS[1], 'last_slot') or ''
if last ~= ARGV[1] then return {0, 'moved', now, 0} end
local lock = tonumber(redis.call('HGET', KEYS[1], 'lock_until') or '0')
if lock > now then return {0, 'running', now, lock} end
if tonumber(ARGV[2]) > now then return {0, 'early', now, tonumber(ARGV[2])} end
local token = redis.call('HINCRBY', KEYS[1], 'token', 1)
redis.call('HSET', KEYS[1], 'last_slot', ARGV[2], 'lock_until', now + tonumber(ARGV[3]),
  'lock_token', token, 'runner', ARGV[4], 'started_at', now)
return {1, tostring(token), now, 0}`;

/** KEYS: task hash. ARGV: token, lock ms. */
const RENEW = `${NOW}
if redis.call('HGET', KEYS[1], 'lock_token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'lock_until', now + tonumber(ARGV[2]))
  return 1
end
return 0`;

/** KEYS: task hash. ARGV: token, result, duration ms, error ('' none). */
const FINISH = `${NOW}
if redis.call('HGET', KEYS[1], 'lock_token') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'lock_token', 'lock_until', 'runner')
redis.call('HSET', KEYS[1], 'finished_at', now, 'duration_ms', ARGV[3], 'result', ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[4]) else redis.call('HDEL', KEYS[1], 'error') end
redis.call('HINCRBY', KEYS[1], 'runs', 1)
if ARGV[2] ~= 'ok' then redis.call('HINCRBY', KEYS[1], 'failures', 1) end
return 1`;

const PEEK = `${NOW}
return {now, redis.call('HGETALL', KEYS[1])}`;

type RedisClient = ReturnType<typeof createClient>;

export class RedisTaskStore implements TaskStore {
  readonly kind = 'redis';
  private readonly client: RedisClient;

  constructor(
    url: string,
    private readonly prefix: string,
    readonly lockMs: number,
    onError: (err: unknown) => void,
  ) {
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    });
    this.client.on('error', onError);
  }

  private key(id: string): string {
    return `${this.prefix}:task:${id}`;
  }

  /** Never waits longer than a lock lasts: a frozen Redis must not hang a task's loop. */
  private async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.client.eval(script, { keys, arguments: args }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('Redis did not answer')), this.lockMs);
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async peek(id: string) {
    const [now, flat] = (await this.run(PEEK, [this.key(id)], [])) as [number, string[]];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { now, state: toState(fields) };
  }

  async claim(
    id: string,
    expectedLast: number | undefined,
    slot: number,
    runner: string,
  ): Promise<ClaimResult> {
    let reply: [number, string, number, number];
    try {
      reply = (await this.run(
        CLAIM,
        [this.key(id), `${this.prefix}:tasks:epoch`, `${this.prefix}:tasks:quiet`],
        [
          expectedLast === undefined ? '' : String(expectedLast),
          String(slot),
          String(this.lockMs),
          runner,
        ],
      )) as typeof reply;
    } catch {
      return { claimed: false, reason: 'unavailable' };
    }
    const [won, what, now, retryAt] = reply;
    if (won === 1) return { claimed: true, token: what, now };
    return {
      claimed: false,
      reason: what as 'moved' | 'running' | 'early' | 'quiet',
      now,
      ...(retryAt ? { retryAt } : {}),
    };
  }

  async renew(id: string, token: string): Promise<boolean> {
    return (await this.run(RENEW, [this.key(id)], [token, String(this.lockMs)])) === 1;
  }

  async finish(id: string, token: string, outcome: RunOutcome): Promise<void> {
    await this.run(
      FINISH,
      [this.key(id)],
      [
        token,
        outcome.result,
        String(Math.round(outcome.durationMs)),
        (outcome.error ?? '').slice(0, 500),
      ],
    );
  }

  private connecting = false;

  async start(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    // Waits a little for the first connection (so the first reads find it), never longer.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.connect().catch(() => {}),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.client.destroy();
  }
}
