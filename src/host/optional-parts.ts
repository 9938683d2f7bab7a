/**
 * The parts of the runtime that only some configurations use, imported only when the config
 * asks for them: importing `redis` alone costs more than the rest of modhost, and a host without
 * `cluster:` never needs it. Everything configuration-dependent that is heavy to import is
 * loaded here, once, before the runtime is built (so the runtime itself stays synchronous).
 */
import type { HostConfig } from '../config/types.js';
import type { RedisBus } from '../cluster/redis-bus.js';

export interface OptionalParts {
  /** The Redis invalidation bus, when `cluster.redis_url` is set. */
  RedisBus?: typeof RedisBus;
}

export async function loadOptionalParts(config: HostConfig): Promise<OptionalParts> {
  const parts: OptionalParts = {};
  if (config.cluster) parts.RedisBus = (await import('../cluster/redis-bus.js')).RedisBus;
  return parts;
}
