/** Shared set-up for callback tests: a registry over real categories, logs captured in memory. */
import type { ModuleIdentity } from '../../src/api/services.js';
import { CallbackRegistry } from '../../src/callbacks/registry.js';
import { synapseCategories } from '../../src/categories/synapse/index.js';
import type { CategoryDefinition } from '../../src/categories/types.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/metrics/registry.js';

export interface Fixture {
  registry: CallbackRegistry;
  logs: LogRecord[];
  metrics: MetricsRegistry;
  /** Module identities in config order: mod(0) is "first", mod(1) "second", ... */
  mod(index: number, overrides?: Partial<ModuleIdentity>): ModuleIdentity;
}

const NAMES = ['first', 'second', 'third', 'fourth'];

export function setup(
  options: { categories?: readonly CategoryDefinition[]; callbackTimeout?: number } = {},
): Fixture {
  const { logger, records } = createCapturingLogger();
  const metrics = createMetricsRegistry();
  const registry = new CallbackRegistry({
    categories: options.categories ?? synapseCategories,
    logger,
    metrics,
    callbackTimeout: options.callbackTimeout,
  });
  const identities = new Map<number, ModuleIdentity>();
  return {
    registry,
    logs: records,
    metrics,
    mod(index, overrides) {
      if (overrides) return { name: NAMES[index]!, index, ...overrides };
      let identity = identities.get(index);
      if (identity === undefined)
        identities.set(index, (identity = { name: NAMES[index]!, index }));
      return identity;
    },
  };
}

/** An async callback that records its calls in `calls` under `label` and returns `result`. */
export function recorder(calls: string[], label: string, result?: unknown) {
  return async (..._args: unknown[]) => {
    calls.push(label);
    return result;
  };
}

export function failing(
  calls: string[],
  label: string,
  error: unknown = new Error(`${label} broke`),
) {
  return async (..._args: unknown[]) => {
    calls.push(label);
    throw error;
  };
}

/** Never settles: for timeouts. */
export function hanging(calls: string[], label: string) {
  return (..._args: unknown[]) => {
    calls.push(label);
    return new Promise<never>(() => {});
  };
}

export function throws(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

export function failureLogs(logs: LogRecord[]): LogRecord[] {
  return logs.filter((r) => r.msg?.includes('failed'));
}

export { rejectionOf as rejection } from '../helpers/rejection.js';
