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
  /** Path prefixes modules may not claim. */
  reserved_prefixes: string[];
}

export interface InstanceConfig {
  name: string;
  run_background_tasks: boolean;
}

export interface ClusterConfig {
  redis_url: string;
  /** Channel prefix, so several deployments can share one Redis. */
  channel: string;
}

export interface MetricsConfig {
  bind: string;
  port: number;
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
