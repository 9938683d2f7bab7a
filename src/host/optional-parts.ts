/**
 * The parts of the runtime that only some configurations use, imported only when the config
 * asks for them: importing `redis` alone costs more than the rest of modhost, and a host without
 * `cluster:` never needs it. Everything configuration-dependent that is heavy to import is
 * loaded here, once, before the runtime is built (so the runtime itself stays synchronous).
 */
import type { HostConfig } from '../config/types.js';
import type { RedisBus } from '../cluster/redis-bus.js';
import type { RedisLease } from '../cluster/lease.js';
import type { RedisTaskStore } from '../scheduler/redis-task-store.js';

/** What `cluster.redis_url` needs: the invalidation bus, the lease, the task store. */
export interface ClusterParts {
  RedisBus: typeof RedisBus;
  RedisLease: typeof RedisLease;
  RedisTaskStore: typeof RedisTaskStore;
}

export interface OptionalParts {
  /** Present when `cluster:` is configured. */
  cluster?: ClusterParts;
}

export async function loadOptionalParts(config: HostConfig): Promise<OptionalParts> {
  const parts: OptionalParts = {};
  if (config.cluster) {
    const [bus, lease, store] = await Promise.all([
      import('../cluster/redis-bus.js'),
      import('../cluster/lease.js'),
      import('../scheduler/redis-task-store.js'),
    ]);
    parts.cluster = {
      RedisBus: bus.RedisBus,
      RedisLease: lease.RedisLease,
      RedisTaskStore: store.RedisTaskStore,
    };
  }
  return parts;
}
