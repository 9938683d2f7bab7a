/**
 * The callback registry: modules register functions per category and callback name (through
 * `@Callback` or `ModuleApi.registerCallbacks`); the host runs them with `run`, which applies the
 * category's combination and error policies, timeouts and metrics.
 */
import type { CallbackRegistrar, ModuleIdentity } from '../api/services.js';
import { categoryProblems } from '../categories/define.js';
import type { CallContext, CategoryDefinition } from '../categories/types.js';
import type { SynapseRunArgs, SynapseRunResults } from '../categories/synapse/signatures.js';
import {
  type CallbackNameArg,
  type CategoryArg,
  type HostCategory,
  hostCategory,
} from '../categories/names.js';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import * as msg from '../errors/callback-messages.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { Deadlines } from './deadlines.js';
import { CallbackEntry } from './entry.js';
import { registerCallbackMetrics } from './metrics.js';
import {
  applyRegistrationRules,
  type Category,
  type Planned,
  planRegistration,
} from './registration.js';
import { Slot } from './slot.js';

type RunNameArg<C extends string, N extends string> = C extends keyof SynapseRunResults
  ? CallbackNameArg<C, N, keyof SynapseRunResults[C] & string>
  : N;
/** Exact for the Synapse pack; anything for a HostCategory (the explicit escape hatch). */
type RunArgs<C extends string, N extends string> = C extends HostCategory
  ? unknown[]
  : C extends keyof SynapseRunResults
    ? N extends keyof SynapseRunResults[C]
      ? SynapseRunArgs<C, N>
      : never
    : never;
type RunResult<C extends string, N extends string> = C extends HostCategory
  ? unknown
  : C extends keyof SynapseRunResults
    ? N extends keyof SynapseRunResults[C]
      ? SynapseRunResults[C][N]
      : never
    : never;

export interface CallbackRegistryOptions {
  categories: readonly CategoryDefinition[];
  logger: Logger;
  metrics: MetricsRegistry;
  /** ms, host-wide; a callback's own timeout and then a module's `callback_timeout` override it. */
  callbackTimeout?: number;
}

export class CallbackRegistry implements CallbackRegistrar {
  private readonly categories = new Map<string, Category>();
  private readonly byModule = new Map<string, Array<{ category: string; name: string }>>();
  private readonly logger: Logger;
  private readonly callbackTimeout: number;
  private readonly deadlines = new Deadlines();
  private sealed = false;
  private lastSlot: Slot | undefined;

  constructor(options: CallbackRegistryOptions) {
    this.logger = options.logger;
    this.callbackTimeout = options.callbackTimeout ?? 0;
    for (const definition of options.categories) this.addCategory(definition);
    registerCallbackMetrics(options.metrics, () => this.allEntries());
  }

  private addCategory(definition: CategoryDefinition): void {
    const problems = categoryProblems(definition);
    if (problems.length > 0)
      throw new ModhostError(
        ErrorCode.CATEGORY_INVALID,
        msg.invalidCategoryMessage(String(definition?.name), problems),
      );
    if (this.categories.has(definition.name))
      throw new ModhostError(
        ErrorCode.CATEGORY_INVALID,
        msg.duplicateCategoryMessage(definition.name),
      );
    const slots = new Map<string, Slot>();
    for (const [name, spec] of Object.entries(definition.callbacks))
      slots.set(
        name,
        new Slot(definition.name, name, spec, this.logger, (callback, args) =>
          this.run(hostCategory(definition.name), callback, ...args),
        ),
      );
    this.categories.set(definition.name, { definition, slots });
  }

  /**
   * Clears the timers behind callback timeouts, so that nothing of the registry keeps the process
   * alive after the host stops. Idempotent; a later `run` restarts them on demand.
   */
  stop(): void {
    this.deadlines.stop();
  }

  /** Whether a callback-timeout timer is running (for diagnostics and tests). */
  get timersRunning(): boolean {
    return this.deadlines.running;
  }

  /** The category definitions this registry knows, in the order given. */
  categoryDefinitions(): CategoryDefinition[] {
    return [...this.categories.values()].map((c) => c.definition);
  }

  register(owner: ModuleIdentity, category: string, callbacks: Record<string, unknown>): void {
    if (this.sealed)
      throw new ModhostError(
        ErrorCode.HOST_STATE,
        msg.registrationClosedMessage(owner.name, category),
      );
    const cat = this.categories.get(category);
    if (cat === undefined)
      throw new ModhostError(
        ErrorCode.UNKNOWN_CATEGORY,
        msg.unknownCategoryMessage(owner.name, category, this.categories.keys()),
      );
    if (callbacks === null || typeof callbacks !== 'object' || Array.isArray(callbacks))
      throw new ModhostError(
        ErrorCode.CALLBACK_NOT_FUNCTION,
        msg.callbacksNotObjectMessage(owner.name, category, msg.describeValue(callbacks)),
      );

    const accepted = planRegistration(owner, cat, callbacks);
    if (accepted.length === 0) return;
    if (cat.definition.exclusive !== undefined) {
      if (cat.holder !== undefined && cat.holder !== owner.name) {
        if (cat.definition.exclusive === 'error')
          throw new ModhostError(
            ErrorCode.CALLBACK_ONCE_VIOLATED,
            msg.exclusiveViolatedMessage(owner.name, category, cat.holder),
          );
        this.logger.warn(
          { module: owner.name, category },
          msg.exclusiveIgnoredMessage(category, cat.holder),
        );
        return;
      }
      cat.holder = owner.name;
    }
    this.commit(owner, category, applyRegistrationRules(owner, category, accepted, this.logger));
  }

  private commit(owner: ModuleIdentity, category: string, planned: Planned[]): void {
    const list = this.byModule.get(owner.name) ?? [];
    this.byModule.set(owner.name, list);
    for (const { slot, registeredAs, accepted } of planned) {
      const timeoutMs = owner.callback_timeout ?? slot.spec.timeout ?? this.callbackTimeout;
      const entry = new CallbackEntry(
        accepted.fn,
        owner,
        category,
        slot.name,
        registeredAs,
        accepted.data,
        timeoutMs,
        this.logger,
        timeoutMs > 0 ? this.deadlines.queue(timeoutMs) : undefined,
      );
      slot.add([entry]);
      const named = this.categories.get(category)!.slots.get(registeredAs)!;
      named.registeredBy.add(owner.name);
      if (!list.some((r) => r.category === category && r.name === registeredAs))
        list.push({ category, name: registeredAs });
    }
  }

  /** Ends registration: checks paired callbacks per module. Later `register` calls throw. */
  seal(): void {
    const problem = this.pairProblems()[0];
    if (problem !== undefined) throw problem.error;
    this.sealed = true;
  }

  /** Every module that registered only part of a paired group (all of them, for one report). */
  pairProblems(): { module: string; error: ModhostError }[] {
    const out: { module: string; error: ModhostError }[] = [];
    for (const cat of this.categories.values()) {
      for (const group of cat.definition.paired ?? []) {
        const modules = new Set(group.flatMap((name) => [...cat.slots.get(name)!.registeredBy]));
        for (const module of modules) {
          const registered = group.filter((n) => cat.slots.get(n)!.registeredBy.has(module));
          if (registered.length !== group.length)
            out.push({
              module,
              error: new ModhostError(
                ErrorCode.CALLBACK_PAIR_INCOMPLETE,
                msg.pairIncompleteMessage(
                  module,
                  cat.definition.name,
                  registered,
                  group.filter((n) => !registered.includes(n)),
                ),
              ),
            });
        }
      }
    }
    return out;
  }

  get isSealed(): boolean {
    return this.sealed;
  }

  /**
   * Runs `category.name` over every registration in config order and returns the combined
   * result of its policy. Unknown names reject with UNKNOWN_CALLBACK.
   */
  run<const C extends string, const N extends string>(
    category: CategoryArg<C, keyof SynapseRunResults & string>,
    name: RunNameArg<C, N>,
    ...args: NoInfer<RunArgs<C, N>>
  ): Promise<RunResult<C, N>>;
  run(category: string, name: string, ...args: unknown[]): Promise<unknown> {
    // A one-entry cache in front of the two map lookups: hosts often run one callback in a row.
    let slot = this.lastSlot;
    if (slot === undefined || slot.category !== category || slot.name !== name) {
      slot = this.categories.get(category)?.slots.get(name);
      if (slot === undefined) return Promise.reject(this.unknownTarget(category, name));
      this.lastSlot = slot;
    }
    if (slot.entries.length === 0 && slot.emptyResult !== undefined) return slot.emptyResult;
    return slot.run(args);
  }

  /** Whether any module registered `category.name` (hosts skip building arguments otherwise). */
  has(category: string, name: string): boolean {
    const slot = this.categories.get(category)?.slots.get(name);
    if (slot === undefined) throw this.unknownTarget(category, name);
    return slot.entries.length > 0 || slot.registeredBy.size > 0;
  }

  /** The registrations of `category.name`, in config order, for introspection. */
  entries(category: string, name: string): readonly CallContext[] {
    const slot = this.categories.get(category)?.slots.get(name);
    if (slot === undefined) throw this.unknownTarget(category, name);
    return slot.entries;
  }

  /** What a module registered, by the names it used. */
  registrations(moduleName: string): Array<{ category: string; name: string }> {
    return [...(this.byModule.get(moduleName) ?? [])];
  }

  private unknownTarget(category: string, name: string): ModhostError {
    const cat = this.categories.get(category);
    if (cat === undefined)
      return new ModhostError(
        ErrorCode.UNKNOWN_CATEGORY,
        msg.unknownRunTargetMessage(category, name, this.allNames()),
      );
    return new ModhostError(
      ErrorCode.UNKNOWN_CALLBACK,
      msg.unknownRunTargetMessage(category, name, this.allNames()),
    );
  }

  private allNames(): string[] {
    return [...this.categories.values()].flatMap((c) =>
      [...c.slots.keys()].map((n) => `${c.definition.name}.${n}`),
    );
  }

  private *allEntries(): Iterable<CallbackEntry> {
    for (const cat of this.categories.values())
      for (const slot of cat.slots.values()) yield* slot.entries;
  }
}
