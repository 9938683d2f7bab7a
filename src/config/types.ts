/**
 * The validated shape of a host configuration, produced from YAML (`fromConfigFile`) or from
 * objects (`ModuleHost.create`). Durations are milliseconds, sizes bytes, after validation.
 */
import type { Class } from '../../decorators/metadata.js';

export type OnError = 'fail_closed' | 'fail_open';

export interface ServerConfig {
  bind: string;
  /** 0 binds an ephemeral port. */
  port: number;
  /** Whether the host listens at all (`createTestHost` and `check` do not). */
  listen: boolean;
  public_baseurl: string;
  max_request_size: number;
  /** Time allowed to receive a request's headers, ms. */
  headers_timeout: number;
  /** Time allowed for a whole request, ms. */
  request_timeout: number;
  /** Idle keep-alive connections are closed after this, ms. */
  keep_alive_timeout: number;
  /** On stop, in-flight requests get this long to finish, ms. */
  drain_timeout: number;
  /** A web handler that has not answered by then gets 503 and an aborted signal, ms; 0 = none. */
  handler_timeout: number;
  /** Path prefixes modules may not claim. */
  reserved_prefixes: string[];
  /** Install the lightweight global Response/Request/fetch while listening (fast-globals.ts). */
  fast_globals: boolean;
}

export interface InstanceConfig {
  name: string;
  /** `auto`: elected through a Redis lease (the default with `cluster.redis_url`). */
  run_background_tasks: boolean | 'auto';
}

export interface ClusterConfig {
  redis_url: string;
  /** Channel prefix, so several deployments can share one Redis. */
  channel: string;
  /** The background-task lease's time to live, ms (default 5000). */
  lease_ttl: number;
  /** A Redis silent this long is treated as down (caches bypassed), ms (default 500). */
  stall_timeout: number;
}

export interface MetricsConfig {
  bind: string;
  port: number;
}

export interface WatchdogConfig {
  /** Whether a listening host watches its event loop from a thread of its own. */
  enabled: boolean;
  /** A loop blocked longer than this is reported (naming the module), ms. */
  blocked_timeout: number;
  /** After reporting, end the process (non-zero) so a supervisor restarts it. */
  exit: boolean;
}

export interface CachesConfig {
  global_factor: number;
  /** Per-cache factors by cache name (`module.method`), overriding the global one. */
  per_cache_factors: Record<string, number>;
}

/** Where modules' tables live: the embedded engine under `path`, or PostgreSQL at `url`. */
export interface DatabaseConfig {
  /** The embedded engine's data directory; `:memory:` keeps it in memory (createTestHost). */
  path: string;
  /** `postgres://...`: every instance shares this PostgreSQL; `path` is then unused. */
  url?: string;
  /** Connections per namespace (PostgreSQL). */
  pool_size: number;
  /** ms a query may take (PostgreSQL: server `statement_timeout` and client-side). */
  query_timeout: number;
  /** ms to wait for a connection (PostgreSQL). */
  connect_timeout: number;
}

export interface ModuleEntry {
  /** Position in `modules:`, for messages (`modules[2]`). */
  index: number;
  /** A class, or a spec `./file.js#Class`, `package#Class`, `package`. */
  module: Class | string;
  /** The raw `config:` mapping (`{}` when missing or null). */
  config: unknown;
  on_error?: OnError;
  /** ms */
  callback_timeout?: number;
  /** ms; overrides the top-level start_timeout for this module's onStart. */
  start_timeout?: number;
  /** Present when `isolation: worker`: the module runs in its own worker thread. */
  worker?: WorkerSettings;
}

/** How an isolated module's worker is limited and supervised (`isolation: worker`). */
export interface WorkerSettings {
  /** Heap limit of the worker, bytes (Worker `resourceLimits.maxOldGenerationSizeMb`). */
  max_heap?: number;
  /** ms a request to this module may take before it gets 503 (overrides the server's). */
  handler_timeout?: number;
  /** Restarts allowed within `restart_window` before the module stays down. */
  max_restarts: number;
  /** ms */
  restart_window: number;
  /** ms before the first restart; doubles with each restart in the window. */
  restart_backoff: number;
  /** ms the worker's event loop may go without answering a liveness ping. */
  blocked_timeout: number;
  /**
   * µs each side of a sequential call may poll for the other's message instead of sleeping
   * (adaptive, at most this; 0 off). See src/isolation/halt-poll.ts and docs/isolation.md.
   */
  call_polling: number;
}

export interface HostConfig {
  /** The YAML file this came from, if any; module specs resolve relative to it. */
  file?: string;
  server: ServerConfig;
  instance: InstanceConfig;
  cluster?: ClusterConfig;
  metrics?: MetricsConfig;
  caches: CachesConfig;
  database: DatabaseConfig;
  /** ms; absent means no timeout (as Synapse). */
  callback_timeout?: number;
  /** ms; every module's onStart must settle within it (a module entry may override it). */
  start_timeout: number;
  watchdog: WatchdogConfig;
  log_level: string;
  modules: ModuleEntry[];
}

/** Which part of a mapping entry to point at: its value (default) or its key. */
export type LocateTarget = 'value' | 'key';

/**
 * Finds the line and column of a key path in the source YAML (1-based), when there is one.
 * For a path that does not exist, the position of the nearest existing parent.
 */
export type Locator = (
  path: readonly (string | number)[],
  target?: LocateTarget,
) => { line: number; column: number } | undefined;
