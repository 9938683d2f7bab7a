/** Test doubles and helpers for the cache tests: deferreds, a controllable bus, a registry. */
import { readCached } from '../../decorators/metadata.js';
import type { ModuleIdentity } from '../../src/api/services.js';
import { FakeClock } from '../../src/clock/fake-clock.js';
import type {
  BusState,
  InvalidationBus,
  InvalidationMessage,
} from '../../src/cluster/invalidation-bus.js';
import type { CachesConfig } from '../../src/config/types.js';
import { CacheRegistry } from '../../src/cache/registry.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/metrics/registry.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's handlers run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** An InvalidationBus whose state and incoming messages the test drives. */
export class FakeBus implements InvalidationBus {
  readonly kind = 'redis' as const;
  state: BusState;
  readonly published: InvalidationMessage[] = [];
  private messageHandlers: Array<(m: InvalidationMessage) => void> = [];
  private stateHandlers: Array<(s: BusState) => void> = [];

  constructor(state: BusState = 'connected') {
    this.state = state;
  }
  publish(message: InvalidationMessage): void {
    this.published.push(message);
  }
  onMessage(handler: (m: InvalidationMessage) => void): void {
    this.messageHandlers.push(handler);
  }
  onStateChange(handler: (s: BusState) => void): void {
    this.stateHandlers.push(handler);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  describe(): string {
    return 'fake bus (tests)';
  }
  /** A message as if from another instance. */
  deliver(message: InvalidationMessage): void {
    for (const h of this.messageHandlers) h(message);
  }
  setState(state: BusState): void {
    this.state = state;
    for (const h of this.stateHandlers) h(state);
  }
}

export interface TestRegistry {
  registry: CacheRegistry;
  clock: FakeClock;
  bus: FakeBus;
  logs: LogRecord[];
  metrics: MetricsRegistry;
  /** Builds `cls` with `args`, wires its @Cached members as module `moduleName`. */
  wire<T extends object>(instance: T, moduleName?: string): T;
}

export const owner = (name = 'mod', index = 0): ModuleIdentity => ({ name, index });

export function makeRegistry(
  options: { caches?: Partial<CachesConfig>; bus?: FakeBus } = {},
): TestRegistry {
  const clock = new FakeClock();
  const bus = options.bus ?? new FakeBus();
  const { logger, records } = createCapturingLogger('debug');
  const metrics = createMetricsRegistry();
  const registry = new CacheRegistry({
    caches: { global_factor: 1, per_cache_factors: {}, ...options.caches },
    clock,
    logger,
    metrics,
    bus,
  });
  return {
    registry,
    clock,
    bus,
    logs: records,
    metrics,
    wire(instance, moduleName = 'mod') {
      registry.wireInstance(owner(moduleName), instance, readCached(instance.constructor));
      return instance;
    },
  };
}
