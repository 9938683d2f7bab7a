/** modhost: the host, the module API and the constants modules use. */
import './deps/reflect-metadata.js';

export { ModuleHost } from './host/module-host.js';
export type { HostOptions, ModuleEntryOptions } from './host/host-options.js';
export type { HostDescription, ModuleDescription } from './host/inspect.js';
export { ModuleApi } from './api/module-api.js';
export { HttpClient, HttpResponseError, type HttpRequestOptions } from './api/http-client.js';
export type {
  WebHandler,
  FetchHandler,
  WebRequestContext,
  LoopHandle,
  DelayedCallHandle,
  LoopingCallOptions,
} from './api/services.js';
export type { RouteParams } from './web/route-pattern.js';
export { MODULE_CONFIG, MODULE_LOGGER, CLOCK } from './injection/tokens.js';
export type { Provider } from './injection/providers.js';
export type { ModuleProvider } from './injection/module-providers.js';
export type { Clock, TimerHandle } from './clock/clock.js';
export type { HostConfig, OnError } from './config/types.js';
export { parseDuration, parseSize } from './config/units.js';
export type { Logger, LogRecord } from './logging/logger.js';
export * from './categories/index.js';
export {
  HttpError,
  ModuleFailedError,
  CallbackTimeoutError,
  carriesHttpStatus,
  clientErrorBody,
  freezeDeep,
  type HttpStatusCarrier,
} from './callbacks/index.js';
export type { CallbackRegistry } from './callbacks/index.js';
export {
  cachedFunction,
  asCached,
  cacheContext,
  type CachedFunction,
  type CachedFunctionOptions,
  type CacheStats,
  type CacheContext,
} from './cache/index.js';
export {
  readJson,
  jsonResponse,
  textResponse,
  bytesResponse,
  installFastResponseJson,
  parseRequestTarget,
  RequestProblem,
  listenFailedError,
  installFastGlobals,
  ConnectionDrain,
  type DrainOptions,
} from './web/index.js';
export {
  ErrorCode,
  ModhostError,
  ConfigError,
  ConfigValidationError,
  type ConfigProblem,
} from './errors/index.js';
export * from './database/index.js';
