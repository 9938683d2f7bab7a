/**
 * The object each module receives (Synapse's ModuleApi): its identity, a logger, and the ways
 * to register callbacks, web resources and caches and to run background work. One per module.
 */
import type { CallbackCategories } from '../../decorators/callback-types.js';
import type { WebResourceOptions } from '../../decorators/metadata.js';
import type { CategoryArg, HostCategory } from '../categories/names.js';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../logging/logger.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration } from '../config/units.js';
import { ErrorCode } from '../errors/codes.js';
import { timerDurationTooLongMessage } from '../errors/config-messages.js';
import { ModhostError } from '../errors/modhost-error.js';
import { brandClass } from '../injection/tokens.js';
import type { HttpClient } from './http-client.js';
import type { RouteParams } from '../web/route-pattern.js';
import type { ScheduleTaskOptions, ScheduledFn } from '../scheduler/schedule-options.js';
import type { TaskHandle } from '../scheduler/scheduler.js';
import type { ModuleDatabase } from '../database/types.js';
import type {
  AccountDataCallbacks,
  AccountValidityCallbacks,
  AddExtraFieldsToUnsignedCallbacks,
  BackgroundUpdateControllerCallbacks,
  MediaRepositoryCallbacks,
  PasswordAuthProviderCallbacks,
  PresenceRouterCallbacks,
  RatelimitCallbacks,
  SpamCheckerCallbacks,
  ThirdPartyRulesCallbacks,
} from '../categories/synapse/signatures.js';
import type {
  BackgroundTasks,
  CacheRegistrar,
  CallbackRegistrar,
  DelayedCallHandle,
  LoopHandle,
  LoopingCallOptions,
  ModuleIdentity,
  TaskScheduling,
  WebHandler,
  WebRegistrar,
} from './services.js';

export interface ModuleApiContext {
  identity: ModuleIdentity;
  instanceName: string;
  publicBaseUrl: string;
  logger: Logger;
  clock: Clock;
  callbacks: CallbackRegistrar;
  web: WebRegistrar;
  caches: CacheRegistrar;
  tasks: BackgroundTasks;
  http: HttpClient;
  /** Absent in hosts built without a scheduler: scheduleTask then says so. */
  scheduler?: TaskScheduling;
  /** Hands out the module's SQL namespace (the engine opens on its first statement). */
  databases?: { forModule(moduleName: string): ModuleDatabase };
}

export class ModuleApi {
  // Recognised across copies of modhost (a module package's own installation).
  static {
    brandClass(this, 'ModuleApi');
  }

  readonly moduleName: string;
  readonly instanceName: string;
  readonly publicBaseUrl: string;
  /** A child logger carrying the module's name. */
  readonly logger: Logger;
  /** An HTTP client with timeouts, JSON helpers and errors carrying status and body. */
  readonly http: HttpClient;

  constructor(private readonly ctx: ModuleApiContext) {
    this.moduleName = ctx.identity.name;
    this.instanceName = ctx.instanceName;
    this.publicBaseUrl = ctx.publicBaseUrl;
    this.logger = ctx.logger;
    this.http = ctx.http;
  }

  private db?: ModuleDatabase;

  /**
   * The module's own SQL namespace (schema `mod_<name>`): `query`, `transaction`, `migrate`.
   * Also injectable by type: `constructor(private readonly db: ModuleDatabase)`.
   */
  get database(): ModuleDatabase {
    if (this.db) return this.db;
    if (!this.ctx.databases)
      throw new Error(`module ${this.moduleName}: this host has no database`);
    this.db = this.ctx.databases.forModule(this.moduleName);
    return this.db;
  }

  /**
   * Registers callbacks of `category` by name, as Synapse's `register_<category>_callbacks`.
   * Names and signatures of declared categories are checked at compile time; a host-defined
   * category takes `hostCategory('name')` (or its definition's `name`).
   */
  registerCallbacks<const C extends string>(
    category: CategoryArg<C, keyof CallbackCategories & string>,
    callbacks: C extends HostCategory
      ? Record<string, unknown>
      : C extends keyof CallbackCategories
        ? Partial<CallbackCategories[C]>
        : Record<string, unknown>,
  ): void {
    this.ctx.callbacks.register(this.ctx.identity, category, callbacks);
  }

  /**
   * Serves `handler` at `path`; only while the module is being constructed. `context.params` is
   * typed from the path (`'/rooms/:room_id'` → `{ room_id: string }`).
   */
  registerWebResource<const P extends string>(
    path: P,
    handler: WebHandler<RouteParams<P>>,
    options?: WebResourceOptions,
  ): void {
    this.ctx.web.register(this.ctx.identity, path, handler as WebHandler, options);
  }

  /** Makes a cached function reachable by name for cluster-wide invalidation. */
  registerCachedFunction(fn: unknown): void {
    this.ctx.caches.register(this.ctx.identity, fn);
  }

  /** Invalidates `key` of `fn`'s cache here at once and on every other instance. */
  invalidateCache(fn: unknown, key: readonly unknown[] | unknown): Promise<void> {
    return this.ctx.caches.invalidate(fn, key);
  }

  /** Clears `fn`'s whole cache here and on every other instance. */
  invalidateCacheAll(fn: unknown): Promise<void> {
    return this.ctx.caches.invalidateAll(fn);
  }

  /**
   * Runs `fn` every `interval` (ms or '5m'), the next run after the previous finished. Only on
   * the instance that runs background tasks unless `runOnAllInstances`. Stopped with the host.
   */
  loopingCall(
    fn: () => unknown,
    interval: number | string,
    options?: LoopingCallOptions,
  ): LoopHandle {
    const ms = this.timerMs(
      interval,
      'loopingCall',
      `loopingCall interval of module ${this.moduleName}`,
    );
    return this.ctx.tasks.loopingCall(this.ctx.identity, fn, ms, options);
  }

  /** Runs `fn` once after `delay`; errors are logged. The handle cancels it. */
  delayedCall(delay: number | string, fn: () => unknown): DelayedCallHandle {
    const ms = this.timerMs(delay, 'delayedCall', `delayedCall delay of module ${this.moduleName}`);
    return this.ctx.tasks.delayedCall(this.ctx.identity, ms, fn);
  }

  /** Runs `fn` detached; an error is logged with `description` and the result is null. */
  runInBackground<T>(description: string, fn: () => T | Promise<T>): Promise<T | null> {
    return this.ctx.tasks.runInBackground(this.ctx.identity, description, fn);
  }

  /**
   * Whether this instance runs background tasks now (`instance.run_background_tasks`; with
   * `auto`, whether it holds the Redis lease, which can change at any time).
   */
  shouldRunBackgroundTasks(): boolean {
    return this.ctx.tasks.shouldRunBackgroundTasks();
  }

  /**
   * Calls `handler(runs)` whenever `shouldRunBackgroundTasks()` changes (with `auto`: on
   * gaining and losing the lease), so a module can start and stop work of its own. Returns a
   * function that unsubscribes. Never called for a fixed `true`/`false`.
   */
  onBackgroundTasksChange(handler: (runs: boolean) => void): () => void {
    return this.ctx.tasks.onBackgroundTasksChange(handler);
  }

  /**
   * Runs `fn` once per period across the whole deployment (`every: '10m'` or `cron: '0 3 * * *'`,
   * UTC), on one instance at a time, never two runs at once; `fn({ signal })` is aborted at
   * `timeout`. Without Redis it runs locally. The handle's `stop()` ends it on this instance.
   */
  scheduleTask(options: ScheduleTaskOptions, fn: ScheduledFn): TaskHandle {
    if (!this.ctx.scheduler) {
      throw new ModhostError(
        ErrorCode.SCHEDULE_INVALID,
        `module ${this.moduleName}: api.scheduleTask is not available in this host`,
      );
    }
    return this.ctx.scheduler.schedule(this.ctx.identity, options, fn);
  }

  sleep(ms: number | string): Promise<void> {
    return this.ctx.clock.sleep(this.timerMs(ms, 'sleep', 'sleep duration'));
  }

  /**
   * A duration for a timer: longer than Node.js timers accept would silently fire after 1 ms,
   * so it is refused with an error naming the call.
   */
  private timerMs(value: number | string, call: string, what: string): number {
    const ms = parseDuration(value, what);
    if (ms > MAX_TIMER_MS)
      throw new ModhostError(
        ErrorCode.DURATION_TOO_LONG,
        timerDurationTooLongMessage(this.moduleName, call, value, MAX_TIMER_TEXT),
      );
    return ms;
  }

  /** Milliseconds since the epoch, on the host's (fakeable) clock. */
  now(): number {
    return this.ctx.clock.now();
  }

  // Synapse-named registration helpers, so Synapse modules port line by line.

  /** Synapse's `register_spam_checker_callbacks`. */
  registerSpamCheckerCallbacks(callbacks: SpamCheckerCallbacks): void {
    this.registerCallbacks('spam_checker', { ...callbacks });
  }

  /** Synapse's `register_third_party_rules_callbacks`. */
  registerThirdPartyRulesCallbacks(callbacks: ThirdPartyRulesCallbacks): void {
    this.registerCallbacks('third_party_rules', { ...callbacks });
  }

  /** Synapse's `register_account_validity_callbacks`. */
  registerAccountValidityCallbacks(callbacks: AccountValidityCallbacks): void {
    this.registerCallbacks('account_validity', { ...callbacks });
  }

  /**
   * Synapse's `register_password_auth_provider_callbacks`. `auth_checkers` maps a login type to
   * `{ fields, check }` (Synapse: a dict keyed by `(login_type, fields)`).
   */
  registerPasswordAuthProviderCallbacks(callbacks: PasswordAuthProviderCallbacks): void {
    this.registerCallbacks('password_auth_provider', { ...callbacks });
  }

  /** Synapse's `register_presence_router_callbacks`; both callbacks go together. */
  registerPresenceRouterCallbacks(callbacks: PresenceRouterCallbacks): void {
    this.registerCallbacks('presence_router', { ...callbacks });
  }

  /** Synapse's `register_background_update_controller_callbacks`; one module only. */
  registerBackgroundUpdateControllerCallbacks(
    callbacks: BackgroundUpdateControllerCallbacks,
  ): void {
    this.registerCallbacks('background_update_controller', { ...callbacks });
  }

  /** Synapse's `register_account_data_callbacks`. */
  registerAccountDataCallbacks(callbacks: AccountDataCallbacks): void {
    this.registerCallbacks('account_data', { ...callbacks });
  }

  /** Synapse's `register_add_extra_fields_to_unsigned_client_event_callbacks`. */
  registerAddExtraFieldsToUnsignedCallbacks(callbacks: AddExtraFieldsToUnsignedCallbacks): void {
    this.registerCallbacks('add_extra_fields_to_unsigned', { ...callbacks });
  }

  /** Synapse's `register_media_repository_callbacks`. */
  registerMediaRepositoryCallbacks(callbacks: MediaRepositoryCallbacks): void {
    this.registerCallbacks('media_repository', { ...callbacks });
  }

  /** Synapse's `register_ratelimit_callbacks`. */
  registerRatelimitCallbacks(callbacks: RatelimitCallbacks): void {
    this.registerCallbacks('ratelimit', { ...callbacks });
  }
}
