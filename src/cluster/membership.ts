/**
 * Cluster membership for acknowledged invalidations: which instances must confirm that they
 * applied a batch before `invalidateCache` resolves.
 *
 * Every instance keeps an entry in the sorted set `<channel>:members` (member: its sender id,
 * score: when the entry expires, in Redis's own clock), renewed every fifth of the member TTL
 * (`cluster.stall_timeout`). It trusts its own entry only until a local deadline (a fifth of the
 * TTL short of it, counted from when it SENT its last successful renew), so an instance whose
 * entry may have expired for the others has already stopped using its cluster caches: a
 * publisher may then stop waiting for it.
 *
 * The publisher reads the live members just before publishing (`publishWithSnapshot`), so an
 * instance is either in the snapshot, or registered after that read (it subscribes before
 * registering and clears its caches when it starts using them, so it holds nothing older).
 *
 * Redis losing its data (restart without persistence, FLUSHALL) empties the set while instances
 * may still cache. The key `<channel>:members:since` records when the set was (re)started; for
 * one TTL after that, publishes also wait until the TTL has passed, by which time every instance
 * registered before the loss has either renewed (noticing it was re-added, so it clears its
 * caches) or passed its deadline.
 */

/** KEYS: members, since. ARGV: id, ttl ms. Returns {1 if the entry was new, live member ids}. */
export const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return {added, redis.call('ZRANGE', KEYS[1], 0, -1)}
`;

export interface MembershipKeys {
  members: string;
  since: string;
}

export function membershipKeys(channel: string): MembershipKeys {
  return { members: `${channel}:members`, since: `${channel}:members:since` };
}

/** The channel a publisher listens on for the acknowledgements of its batches. */
export function ackChannel(channel: string, publisherId: string): string {
  return `${channel}:ack:${publisherId}`;
}

/** An acknowledgement: "every batch of yours up to `seq` is applied here". */
export function encodeAck(seq: number, receiverId: string): string {
  return `${seq} ${receiverId}`;
}

export function decodeAck(raw: string): { seq: number; from: string } | undefined {
  const space = raw.indexOf(' ');
  if (space <= 0 || space === raw.length - 1) return undefined;
  const seq = Number(raw.slice(0, space));
  if (!Number.isSafeInteger(seq) || seq <= 0) return undefined;
  return { seq, from: raw.slice(space + 1) };
}

/** The heartbeat script's reply. */
export function parseHeartbeat(reply: unknown): { added: boolean; live: string[] } {
  const [added, live] = reply as [number, string[]];
  return { added: Number(added) === 1, live: live.map(String) };
}

/** The commands `publishWithSnapshot` needs from a node-redis client. */
export interface SnapshotClient {
  time(): Promise<unknown>;
  zRangeWithScores(key: string, start: number, stop: number): Promise<unknown>;
  get(key: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * Reads the live members, then publishes: four plain commands pipelined on one connection (a Lua
 * script doing the same delays every message by the script call, ~20 µs). Not atomic, and it
 * need not be: Redis runs them in this order, so a member in the snapshot subscribed before the
 * PUBLISH; a member that registered after the read clears its caches only after that, so after
 * the data behind the invalidation changed; an entry expired at TIME belongs to an instance
 * already past its own deadline. Resolves to the live ids and the ms of grace left after a
 * (re)start of the membership set (the heartbeat script records it; missing means just lost).
 */
export async function publishWithSnapshot(
  client: SnapshotClient,
  keys: MembershipKeys,
  ttlMs: number,
  channel: string,
  payload: string,
): Promise<{ live: string[]; graceMs: number }> {
  const [time, members, since] = await Promise.all([
    client.time(),
    client.zRangeWithScores(keys.members, 0, -1),
    client.get(keys.since),
    client.publish(channel, payload),
  ]);
  const [seconds, micros] = time as [string, string];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const live = (members as { value: string; score: number }[])
    .filter((m) => m.score > now)
    .map((m) => m.value);
  const started = since === null || since === undefined ? now : Number(since);
  return { live, graceMs: Math.max(0, started + ttlMs - now) };
}

/**
 * This instance's own membership: the local deadline up to which it may trust its entry. The
 * deadline is counted from the renew's send time and stops a fifth of the TTL short, so it falls
 * before Redis can expire the entry even if this machine's clock runs a little slow.
 */
export class OwnMembership {
  private deadline = 0;
  /** Whether a renew succeeded since the last loss of the entry (this instance counted as member). */
  private registered = false;

  constructor(readonly ttlMs: number) {}

  /** Whether this instance may trust its entry now. */
  valid(now = performance.now()): boolean {
    return now < this.deadline;
  }

  /**
   * Records a successful renew sent at `sentAt`. Returns true when the entry had been lost while
   * this instance still trusted it (Redis lost its data): its caches may then have missed an
   * invalidation, and must be cleared.
   */
  renewed(sentAt: number, added: boolean): boolean {
    const lost = added && this.registered && this.valid();
    this.deadline = Math.max(this.deadline, sentAt + this.ttlMs * 0.8);
    this.registered = true;
    return lost;
  }

  /** Leaving (stop) or given up: nothing is trusted until the next renew. */
  reset(): void {
    this.deadline = 0;
    this.registered = false;
  }
}
