/**
 * The callback registry: modules register functions per category and callback name (through
 * `@Callback` or `ModuleApi.registerCallbacks`); the host runs them with `run`, which applies the
 * category's combination and error policies, timeouts and metrics.
 */
import type { CallbackRegistrar, ModuleIdentity } from '../api/services.js';
import { categoryProblems } from '../categories/define.js';
import type { AcceptedEntry, CallContext, CategoryDefinition } from '../categories/types.js';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import * as msg from '../errors/callback-messages.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { CallbackEntry } from './entry.js';
import { CallbackMetrics } from './metrics.js';
import { Slot } from './slot.js';

export interface CallbackRegistryOptions {
  categories: readonly CategoryDefinition[];
  logger: Logger;
  metrics: MetricsRegistry;
  /** ms, host-wide; a callback's own timeout and then a module's `callback_timeout` override it. */
  callbackTimeout?: number;
}

interface Category {
  definition: CategoryDefinition;
  slots: Map<string, Slot>;
  /** For exclusive categories: the module that provides it. */
  holder?: string;
}

interface Planned {
  slot: Slot;
  registeredAs: string;
  accepted: AcceptedEntry;
}

export class CallbackRegistry implements CallbackRegistrar {
  private readonly categories = new Map<string, Category>();
  private readonly byModule = new Map<string, Array<{ category: string; name: string }>>();
  private readonly logger: Logger;
  private readonly metrics: CallbackMetrics;
  private readonly callbackTimeout: number;
  private sealed = false;

  constructor(options: CallbackRegistryOptions) {
    this.logger = options.logger;
    this.callbackTimeout = options.callbackTimeout ?? 0;
    for (const definition of options.categories) this.addCategory(definition);
    this.metrics = new CallbackMetrics(options.metrics, () => this.allEntries());
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
          this.run(definition.name, callback, ...args),
        ),
      );
    this.categories.set(definition.name, { definition, slots });
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

    const planned = this.plan(owner, cat, callbacks);
    if (planned.length === 0) return;
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
    this.commit(owner, category, planned);
  }

  /** Validates every name and value and works out the entries, before changing anything. */
  private plan(
    owner: ModuleIdentity,
    cat: Category,
    callbacks: Record<string, unknown>,
  ): Planned[] {
    const category = cat.definition.name;
    const planned: Planned[] = [];
    for (const [name, value] of Object.entries(callbacks)) {
      const spec = cat.definition.callbacks[name];
      if (spec === undefined || spec.internal)
        throw new ModhostError(
          ErrorCode.UNKNOWN_CALLBACK,
          msg.unknownCallbackMessage(owner.name, category, name, this.registrableNames(cat)),
        );
      // Synapse's register_* functions take None for "not provided"; so does modhost.
      if (value === undefined || value === null) continue;
      const accepted = this.accept(owner, category, name, value);
      for (const a of accepted) {
        const slot = cat.slots.get(a.callback);
        if (slot === undefined)
          throw new ModhostError(
            ErrorCode.CATEGORY_INVALID,
            msg.invalidCategoryMessage(category, [
              `callbacks.${name}.accept produced an entry for unknown callback "${a.callback}"`,
            ]),
          );
        planned.push({ slot, registeredAs: name, accepted: a });
      }
    }
    return this.checkPlanned(owner, category, planned);
  }

  private accept(
    owner: ModuleIdentity,
    category: string,
    name: string,
    value: unknown,
  ): AcceptedEntry[] {
    const spec = this.categories.get(category)!.definition.callbacks[name]!;
    if (spec.accept === undefined) {
      if (typeof value !== 'function')
        throw new ModhostError(
          ErrorCode.CALLBACK_NOT_FUNCTION,
          msg.callbackNotFunctionMessage(owner.name, category, name, msg.describeValue(value)),
        );
      return [{ callback: name, fn: value }];
    }
    const reject = (problem: string): never => {
      throw new ModhostError(
        ErrorCode.CALLBACK_NOT_FUNCTION,
        msg.callbackValueRejectedMessage(owner.name, category, name, problem),
      );
    };
    return spec.accept(value, reject);
  }

  /** Once and conflict rules; returns the entries that survive (warn-and-ignore drops some). */
  private checkPlanned(owner: ModuleIdentity, category: string, planned: Planned[]): Planned[] {
    const kept: Planned[] = [];
    for (const p of planned) {
      const { slot } = p;
      const spec = slot.spec;
      if (spec.combine.kind === 'once') {
        const holder =
          slot.entries[0]?.module ?? (kept.some((k) => k.slot === slot) ? owner.name : undefined);
        if (holder !== undefined) {
          if (spec.combine.duplicate === 'error')
            throw new ModhostError(
              ErrorCode.CALLBACK_ONCE_VIOLATED,
              msg.onceViolatedMessage(owner.name, category, slot.name, holder),
            );
          this.logger.warn(
            { module: owner.name, category, callback: slot.name },
            msg.onceIgnoredMessage(category, slot.name, holder),
          );
          continue;
        }
      }
      if (spec.conflict !== undefined) {
        const others = [
          ...slot.entries.map((e) => ({ module: e.module, data: e.data })),
          ...kept
            .filter((k) => k.slot === slot)
            .map((k) => ({ module: owner.name, data: k.accepted.data })),
        ];
        for (const other of others) {
          const reason = spec.conflict(other.data, p.accepted.data);
          if (reason !== undefined)
            throw new ModhostError(
              ErrorCode.CALLBACK_CONFLICT,
              msg.conflictMessage(owner.name, category, p.registeredAs, other.module, reason),
            );
        }
      }
      kept.push(p);
    }
    return kept;
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
        this.metrics.observe,
      );
      slot.add([entry]);
      const named = this.categories.get(category)!.slots.get(registeredAs)!;
      if (!named.registeredBy.includes(owner.name)) named.registeredBy.push(owner.name);
      if (!list.some((r) => r.category === category && r.name === registeredAs))
        list.push({ category, name: registeredAs });
    }
  }

  /** Ends registration: checks paired callbacks per module. Later `register` calls throw. */
  seal(): void {
    for (const cat of this.categories.values()) {
      for (const group of cat.definition.paired ?? []) {
        const modules = new Set(group.flatMap((name) => cat.slots.get(name)!.registeredBy));
        for (const module of modules) {
          const registered = group.filter((n) => cat.slots.get(n)!.registeredBy.includes(module));
          if (registered.length !== group.length)
            throw new ModhostError(
              ErrorCode.CALLBACK_PAIR_INCOMPLETE,
              msg.pairIncompleteMessage(
                module,
                cat.definition.name,
                registered,
                group.filter((n) => !registered.includes(n)),
              ),
            );
        }
      }
    }
    this.sealed = true;
  }

  get isSealed(): boolean {
    return this.sealed;
  }

  /**
   * Runs `category.name` over every registration in config order and returns the combined
   * result of its policy. Unknown names reject with UNKNOWN_CALLBACK.
   */
  run(category: string, name: string, ...args: unknown[]): Promise<unknown> {
    const slot = this.categories.get(category)?.slots.get(name);
    if (slot === undefined) return Promise.reject(this.unknownTarget(category, name));
    return slot.run(args);
  }

  /** Whether any module registered `category.name` (hosts skip building arguments otherwise). */
  has(category: string, name: string): boolean {
    const slot = this.categories.get(category)?.slots.get(name);
    if (slot === undefined) throw this.unknownTarget(category, name);
    return slot.entries.length > 0 || slot.registeredBy.length > 0;
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

  private registrableNames(cat: Category): string[] {
    return Object.entries(cat.definition.callbacks)
      .filter(([, spec]) => !spec.internal)
      .map(([name]) => name);
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
