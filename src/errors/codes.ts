/**
 * Stable error codes. Every error modhost throws carries one of these as `code`; the codes
 * never change meaning, so users may match on them. Grouped by the stage that raises them.
 */
export const ErrorCode = {
  // config
  CONFIG_INVALID: 'MODHOST_CONFIG_INVALID',
  CONFIG_FILE_UNREADABLE: 'MODHOST_CONFIG_FILE_UNREADABLE',
  // loading and scanning
  MODULE_NOT_FOUND: 'MODHOST_MODULE_NOT_FOUND',
  MODULE_EXPORT_MISSING: 'MODHOST_MODULE_EXPORT_MISSING',
  MODULE_NOT_DECORATED: 'MODHOST_MODULE_NOT_DECORATED',
  MODULE_IMPORT_FAILED: 'MODHOST_MODULE_IMPORT_FAILED',
  MODULE_AMBIGUOUS: 'MODHOST_MODULE_AMBIGUOUS',
  MODULE_DUPLICATE_NAME: 'MODHOST_MODULE_DUPLICATE_NAME',
  DECORATOR_MISUSE: 'MODHOST_DECORATOR_MISUSE',
  NO_DECORATOR_METADATA: 'MODHOST_NO_DECORATOR_METADATA',
  /** A module imports another installation of modhost whose version is incompatible. */
  INCOMPATIBLE_MODHOST_COPY: 'MODHOST_INCOMPATIBLE_COPY',
  // injection and construction
  INJECTION_FAILED: 'MODHOST_INJECTION_FAILED',
  MODULE_CONSTRUCTOR_FAILED: 'MODHOST_MODULE_CONSTRUCTOR_FAILED',
  /** A `@Module({ providers, exports })` entry is malformed, or names what it does not provide. */
  PROVIDER_INVALID: 'MODHOST_PROVIDER_INVALID',
  /** Providers that need each other, or modules that need each other's exports. */
  PROVIDER_CYCLE: 'MODHOST_PROVIDER_CYCLE',
  /** A module needs a service exported by a module listed after it. */
  PROVIDER_IMPORT_ORDER: 'MODHOST_PROVIDER_IMPORT_ORDER',
  /** `createTestHost({ overrides })` names a module the host does not have. */
  OVERRIDE_INVALID: 'MODHOST_OVERRIDE_INVALID',
  // lifecycle
  MODULE_START_FAILED: 'MODHOST_MODULE_START_FAILED',
  MODULE_START_TIMEOUT: 'MODHOST_MODULE_START_TIMEOUT',
  HOST_STATE: 'MODHOST_HOST_STATE',
  LISTEN_FAILED: 'MODHOST_LISTEN_FAILED',
  // callbacks
  UNKNOWN_CATEGORY: 'MODHOST_UNKNOWN_CATEGORY',
  UNKNOWN_CALLBACK: 'MODHOST_UNKNOWN_CALLBACK',
  CALLBACK_NOT_FUNCTION: 'MODHOST_CALLBACK_NOT_FUNCTION',
  CALLBACK_ONCE_VIOLATED: 'MODHOST_CALLBACK_ONCE_VIOLATED',
  CALLBACK_PAIR_INCOMPLETE: 'MODHOST_CALLBACK_PAIR_INCOMPLETE',
  CALLBACK_CONFLICT: 'MODHOST_CALLBACK_CONFLICT',
  CALLBACK_TIMEOUT: 'MODHOST_CALLBACK_TIMEOUT',
  MODULE_FAILED: 'MODHOST_MODULE_FAILED',
  CALLBACK_BAD_RESULT: 'MODHOST_CALLBACK_BAD_RESULT',
  CATEGORY_INVALID: 'MODHOST_CATEGORY_INVALID',
  // web
  WEB_PATH_INVALID: 'MODHOST_WEB_PATH_INVALID',
  WEB_PATH_RESERVED: 'MODHOST_WEB_PATH_RESERVED',
  WEB_REGISTRATION_CLOSED: 'MODHOST_WEB_REGISTRATION_CLOSED',
  WEB_HANDLER_INVALID: 'MODHOST_WEB_HANDLER_INVALID',
  WEB_BAD_JSON: 'MODHOST_WEB_BAD_JSON',
  WEB_BODY_TOO_LARGE: 'MODHOST_WEB_BODY_TOO_LARGE',
  WEB_CLIENT_CLOSED: 'MODHOST_WEB_CLIENT_CLOSED',
  WEB_HANDLER_TIMEOUT: 'MODHOST_WEB_HANDLER_TIMEOUT',
  WEB_ROUTE_CONFLICT: 'MODHOST_WEB_ROUTE_CONFLICT',
  // cache
  CACHE_KEY_INVALID: 'MODHOST_CACHE_KEY_INVALID',
  CACHE_OPTIONS_INVALID: 'MODHOST_CACHE_OPTIONS_INVALID',
  CACHE_NOT_REGISTERED: 'MODHOST_CACHE_NOT_REGISTERED',
  CACHE_NAME_TAKEN: 'MODHOST_CACHE_NAME_TAKEN',
  // cluster
  BACKGROUND_TASK_INVALID: 'MODHOST_BACKGROUND_TASK_INVALID',
  /** A duration passed to a ModuleApi timer (loopingCall, delayedCall, sleep) exceeds ~24.8 days. */
  DURATION_TOO_LONG: 'MODHOST_DURATION_TOO_LONG',
  /** Redis did not confirm an invalidation's PUBLISH in time; applied on this instance only. */
  INVALIDATION_NOT_PUBLISHED: 'MODHOST_INVALIDATION_NOT_PUBLISHED',
  /** Published, but live instances did not confirm applying it within the publish timeout. */
  INVALIDATION_NOT_ACKNOWLEDGED: 'MODHOST_INVALIDATION_NOT_ACKNOWLEDGED',
  /** A bad `api.scheduleTask` call: options, cron expression, duplicate id. */
  SCHEDULE_INVALID: 'MODHOST_SCHEDULE_INVALID',
  // module http client
  HTTP_REQUEST_FAILED: 'MODHOST_HTTP_REQUEST_FAILED',
  HTTP_TIMEOUT: 'MODHOST_HTTP_TIMEOUT',
  // isolation (worker threads)
  /** A value (argument, result, provider) that cannot be copied into or out of a worker. */
  VALUE_CANNOT_CROSS: 'MODHOST_VALUE_CANNOT_CROSS',
  /** An isolated module's worker is restarting or stayed down after too many restarts. */
  MODULE_UNAVAILABLE: 'MODHOST_MODULE_UNAVAILABLE',
  /** An isolated module's worker ended (crashed, out of memory, terminated while stuck). */
  WORKER_EXITED: 'MODHOST_WORKER_EXITED',
  // database
  /** A statement failed in the database (its SQLSTATE is on the error as `sqlState`). */
  DATABASE_QUERY_FAILED: 'MODHOST_DATABASE_QUERY_FAILED',
  /** The database could not be reached, or the connection broke. */
  DATABASE_UNAVAILABLE: 'MODHOST_DATABASE_UNAVAILABLE',
  /** A statement, or the wait for a connection, took longer than `database.query_timeout`. */
  DATABASE_TIMEOUT: 'MODHOST_DATABASE_TIMEOUT',
  /** A module's migration failed at start; nothing of the batch was applied. */
  DATABASE_MIGRATION_FAILED: 'MODHOST_DATABASE_MIGRATION_FAILED',
  /** The embedded engine's data directory is held by another live process. */
  DATABASE_IN_USE: 'MODHOST_DATABASE_IN_USE',
  /** The database was used the wrong way (a statement after its transaction ended, …). */
  DATABASE_MISUSE: 'MODHOST_DATABASE_MISUSE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
