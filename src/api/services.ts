/**
 * What a ModuleApi needs from the host, one narrow interface per subsystem. The host passes the
 * concrete registries; ModuleApi never reaches further into the host than this.
 */
import type { WebResourceOptions } from '../../decorators/metadata.js';

/** Who is registering: the module's name and its per-module overrides from config. */
export interface ModuleIdentity {
  name: string;
  /** Position in config order. */
  index: number;
  on_error?: 'fail_closed' | 'fail_open';
  /** ms */
  callback_timeout?: number;
}

export interface CallbackRegistrar {
  /** Appends `callbacks` of `category` for `owner`; unknown category or name throws. */
  register(owner: ModuleIdentity, category: string, callbacks: Record<string, unknown>): void;
}

export type FetchHandler<Params extends Readonly<Record<string, string>> = RouteParamsAny> = (
  request: Request,
  context: WebRequestContext<Params>,
) => Response | Promise<Response>;
/** A function, or an object with one function per method (`{ GET, POST }`). */
export type WebHandler<Params extends Readonly<Record<string, string>> = RouteParamsAny> =
  FetchHandler<Params> | Partial<Record<string, FetchHandler<Params>>>;

type RouteParamsAny = Readonly<Record<string, string>>;

/** `Params` is derived from the registered path: `RouteParams<'/rooms/:room_id'>`. */
export interface WebRequestContext<
  Params extends Readonly<Record<string, string>> = RouteParamsAny,
> {
  /**
   * Decoded values of the path's `:name` segments (`/rooms/:room_id` → `{ room_id }`); `{}` for
   * exact and prefix resources.
   */
  params: Params;
  /** The module serving the request. */
  module: string;
  /** The registered path. */
  path: string;
  /** For prefix resources: the part of the path below the registered one ('' at the root). */
  subpath: string;
  /** The request's URL, parsed. */
  url: URL;
}

export interface WebRegistrar {
  /** Throws after the host started; a path already taken is logged and ignored. */
  register(
    owner: ModuleIdentity,
    path: string,
    handler: WebHandler,
    options?: WebResourceOptions,
  ): void;
}

export interface CacheRegistrar {
  /** Makes a cached function reachable by `<module>.<name>` for cluster-wide invalidation. */
  register(owner: ModuleIdentity, fn: unknown): void;
  /** Invalidates `key` here at once and on every other instance. */
  invalidate(fn: unknown, key: readonly unknown[] | unknown): Promise<void>;
  invalidateAll(fn: unknown): Promise<void>;
}

export interface LoopingCallOptions {
  runOnAllInstances?: boolean;
}

export interface LoopHandle {
  stop(): void;
  readonly running: boolean;
}

export interface DelayedCallHandle {
  cancel(): void;
}

export interface BackgroundTasks {
  loopingCall(
    owner: ModuleIdentity,
    fn: () => unknown,
    intervalMs: number,
    options?: LoopingCallOptions,
  ): LoopHandle;
  delayedCall(owner: ModuleIdentity, delayMs: number, fn: () => unknown): DelayedCallHandle;
  runInBackground<T>(
    owner: ModuleIdentity,
    description: string,
    fn: () => T | Promise<T>,
  ): Promise<T | null>;
  shouldRunBackgroundTasks(): boolean;
}
