/**
 * The scheduled tasks' state in Redis (see task-store.ts for the scheme); imported only when a
 * configuration has `cluster:`.
 */
import { createClient } from 'redis';
import { type ClaimResult, type RunOutcome, type TaskStore, toState } from './task-store.js';

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
