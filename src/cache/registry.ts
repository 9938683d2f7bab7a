/**
 * The host's caches: turns @Cached members into cached functions, keeps every cache registered
 * for cluster invalidation by `<module>.<name>`, and links them to the invalidation bus.
 *
 * While the bus is disconnected, pub/sub may drop invalidations, so registered caches store
 * nothing (every call computes) and are cleared again when the bus (re)connects.
 */
import type { CachedMetadata } from '../../decorators/metadata.js';
import type { CacheRegistrar, ModuleIdentity } from '../api/services.js';
import type { Clock } from '../clock/clock.js';
import type {
  BusState,
  InvalidationBus,
  InvalidationMessage,
} from '../cluster/invalidation-bus.js';
import type { CachesConfig } from '../config/types.js';
import {
  memberNotMethod,
  nameTaken,
  notCachedFunction,
  unmatchedOriginal,
  unregisteredFunction,
} from '../errors/cache-messages.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { CacheCore, type CacheStats } from './cache-core.js';
import { reportCacheMetrics } from './cache-metrics.js';
import { buildCachedFunction, type CachedFunction, coreOf } from './cached-function.js';
import { checkKeyLength, checkKeyParts, keyPartsOf } from './key-parts.js';
import { resolveOptions, scaledMaxEntries } from './options.js';

export interface CacheRegistryOptions {
  caches: CachesConfig;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  bus: InvalidationBus;
}

export interface CacheRegistration {
  name: string;
  module: string;
  fn: CachedFunction;
  core: CacheCore;
}

export interface CacheDescription {
  name: string;
  maxEntries: number;
  tree: boolean;
  ttl?: number;
}

const AMBIGUOUS = Symbol('ambiguous');

export class CacheRegistry implements CacheRegistrar {
  private readonly byName = new Map<string, CacheRegistration>();
  private readonly byCore = new Map<CacheCore, CacheRegistration>();
  /** Prototype methods of wired members → their registration (for register/invalidate by original). */
  private readonly wiredOriginals = new WeakMap<Function, CacheRegistration | typeof AMBIGUOUS>();
  /** Plain methods passed to register() before wiring, per module, until wireInstance matches them. */
  private readonly awaitingWiring = new Map<string, Set<Function>>();
  private readonly bus: InvalidationBus;
  private readonly logger: Logger;
  private connected: boolean;
  private readonly stopMetrics: () => void;

  constructor(private readonly options: CacheRegistryOptions) {
    this.bus = options.bus;
    this.logger = options.logger;
    this.connected = options.bus.state === 'connected';
    this.bus.onMessage((message) => this.receive(message));
    this.bus.onStateChange((state) => this.busStateChanged(state));
    this.stopMetrics = reportCacheMetrics(options.metrics, () => this.byCore.keys());
  }

  /** Every cache's counters now, by name (an isolated module's worker sends them to the host). */
  stats(): { name: string; stats: CacheStats }[] {
    return [...this.byCore.keys()].map((core) => ({ name: core.name, stats: core.stats() }));
  }

  wireInstance(owner: ModuleIdentity, instance: object, members: readonly CachedMetadata[]): void {
    for (const { member, options } of members) {
      const memberName = typeof member === 'symbol' ? (member.description ?? 'symbol') : member;
      const name = `${owner.name}.${options.name ?? memberName}`;
      const original = (instance as Record<string | symbol, unknown>)[member];
      if (typeof original !== 'function') {
        throw memberNotMethod(name, memberName, original);
      }
      const core = this.createCore(
        name,
        options,
        ...declaredParameters(instance, member, original),
      );
      const fn = buildCachedFunction(core, original, instance);
      Object.defineProperty(instance, member, {
        value: fn,
        writable: true,
        configurable: true,
        enumerable: false,
      });
      this.add(owner, name, fn, core);
      const known = this.wiredOriginals.get(original);
      this.wiredOriginals.set(original, known === undefined ? this.byCore.get(core)! : AMBIGUOUS);
      this.awaitingWiring.get(owner.name)?.delete(original);
    }
    const unmatched = this.awaitingWiring.get(owner.name);
    this.awaitingWiring.delete(owner.name);
    const first = unmatched?.values().next().value;
    if (first !== undefined) throw unmatchedOriginal(owner.name, first.name);
  }

  register(owner: ModuleIdentity, fn: unknown): void {
    const core = coreOf(fn);
    if (core !== undefined) {
      if (this.byCore.has(core)) return; // wired members are registered already
      const name = `${owner.name}.${core.settings.name}`;
      core.resize(scaledMaxEntries(core.settings.maxEntries, this.factorFor(name)));
      this.add(owner, name, fn as CachedFunction, core);
      return;
    }
    if (typeof fn === 'function') {
      // Synapse modules register `self.method` in __init__, before the host wires the members.
      if (this.wiredOriginals.has(fn)) return;
      let waiting = this.awaitingWiring.get(owner.name);
      if (waiting === undefined) this.awaitingWiring.set(owner.name, (waiting = new Set()));
      waiting.add(fn);
      return;
    }
    throw notCachedFunction(`module ${owner.name}: api.registerCachedFunction(fn)`, fn);
  }

  /**
   * Invalidates here at once, then resolves once the other instances were sent the
   * invalidation (Redis confirmed the PUBLISH); rejects (the local entry is gone all the same)
   * when that cannot be confirmed within `cluster.stall_timeout`.
   */
  async invalidate(fn: unknown, key: readonly unknown[] | unknown): Promise<void> {
    const reg = this.registrationOf(fn, 'api.invalidateCache(fn, key)');
    const depth = reg.core.keyParts;
    const parts = keyPartsOf(reg.name, depth ?? (Array.isArray(key) ? key.length : 1), key);
    if (depth !== undefined) checkKeyLength(reg.name, parts, depth, reg.core.tree);
    checkKeyParts(reg.name, parts, parts.length, 'api.invalidateCache');
    if (depth !== undefined) reg.core.invalidateParts(parts);
    await this.bus.publish({ cache: reg.name, keys: [[...parts]] });
  }

  async invalidateAll(fn: unknown): Promise<void> {
    const reg = this.registrationOf(fn, 'api.invalidateCacheAll(fn)');
    reg.core.clear();
    await this.bus.publish({ cache: reg.name, all: true });
  }

  registrations(moduleName: string): CacheDescription[] {
    const out: CacheDescription[] = [];
    for (const reg of this.byName.values()) {
      if (reg.module !== moduleName) continue;
      const { core } = reg;
      out.push({
        name: reg.name,
        maxEntries: core.maxEntries,
        tree: core.tree,
        ...(core.ttl > 0 ? { ttl: core.ttl } : {}),
      });
    }
    return out;
  }

  /** The registered cached function by name (`module.method`). */
  get(name: string): CachedFunction | undefined {
    return this.byName.get(name)?.fn;
  }

  clearAll(): void {
    for (const core of this.byCore.keys()) core.clear();
  }

  stop(): void {
    for (const core of this.byCore.keys()) core.dispose();
    this.stopMetrics();
  }

  // ---- internals -------------------------------------------------------------------------

  private createCore(
    name: string,
    options: CachedMetadata['options'],
    declaredParams: number,
    paramsExact: boolean,
  ): CacheCore {
    const settings = resolveOptions(name, options, declaredParams, paramsExact);
    const core = new CacheCore(settings, this.options.clock, (cache, err) =>
      this.logger.warn(
        { err, cache },
        `an invalidation callback of cache ${cache} threw; the others still ran`,
      ),
    );
    core.resize(scaledMaxEntries(settings.maxEntries, this.factorFor(name)));
    return core;
  }

  private factorFor(name: string): number {
    const { global_factor, per_cache_factors } = this.options.caches;
    return per_cache_factors?.[name] ?? global_factor ?? 1;
  }

  private add(owner: ModuleIdentity, name: string, fn: CachedFunction, core: CacheCore): void {
    const taken = this.byName.get(name);
    if (taken !== undefined) throw nameTaken(name, taken.module);
    core.name = name;
    const reg: CacheRegistration = { name, module: owner.name, fn, core };
    this.byName.set(name, reg);
    this.byCore.set(core, reg);
    core.setBypass(!this.connected);
  }

  private registrationOf(fn: unknown, where: string): CacheRegistration {
    const core = coreOf(fn);
    if (core !== undefined) {
      const reg = this.byCore.get(core);
      if (reg === undefined) throw unregisteredFunction(where, core.name);
      return reg;
    }
    if (typeof fn === 'function') {
      const wired = this.wiredOriginals.get(fn);
      if (wired !== undefined && wired !== AMBIGUOUS) return wired;
    }
    throw notCachedFunction(where, fn);
  }

  private receive(message: InvalidationMessage): void {
    const reg = this.byName.get(message.cache);
    if (reg === undefined) {
      this.logger.debug(
        { cache: message.cache },
        'invalidation for a cache this instance does not have; ignored',
      );
      return;
    }
    if (message.all) {
      reg.core.clear();
      return;
    }
    const depth = reg.core.keyParts;
    for (const parts of message.keys ?? []) {
      try {
        if (!Array.isArray(parts))
          throw notCachedFunction(`invalidation message for ${reg.name}`, parts);
        if (depth === undefined) continue; // nothing was ever stored here
        checkKeyLength(reg.name, parts, depth, reg.core.tree);
        checkKeyParts(reg.name, parts, parts.length, 'invalidate');
        reg.core.invalidateParts(parts);
      } catch (err) {
        this.logger.warn(
          { err, cache: reg.name },
          'malformed key in an invalidation message; ignored',
        );
      }
    }
  }

  private busStateChanged(state: BusState): void {
    const connected = state === 'connected';
    this.connected = connected;
    // Either way (and on every reconnect), what is stored may have missed an invalidation.
    for (const core of this.byCore.keys()) {
      core.setBypass(!connected);
      core.clear();
    }
    // The bus logs the transition itself; this only adds what happened to the caches.
    this.logger.debug(
      { caches: this.byCore.size },
      connected
        ? 'invalidation bus connected: caches cleared and caching resumed'
        : 'invalidation bus disconnected: caches cleared, values are not cached until it reconnects',
    );
  }
}

/**
 * How many parameters the method declares, defaulted ones included (Synapse keys on all named
 * parameters): tsc's `design:paramtypes` counts them, whereas `Function.length` stops at the
 * first parameter with a default value.
 */
function declaredParameters(
  instance: object,
  member: string | symbol,
  method: Function,
): [count: number, exact: boolean] {
  const read = (
    Reflect as { getMetadata?: (key: string, target: object, member: string | symbol) => unknown }
  ).getMetadata;
  const types = read?.('design:paramtypes', Object.getPrototypeOf(instance) as object, member);
  return Array.isArray(types)
    ? [Math.max(types.length, method.length), true]
    : [method.length, false];
}
