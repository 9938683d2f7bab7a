/** The cache subsystem: cached functions, the cache context and the host's registry. */
export { CacheRegistry, type CacheRegistryOptions, type CacheDescription } from './registry.js';
export {
  cachedFunction,
  asCached,
  type CachedFunction,
  type CachedFunctionOptions,
  type CacheStats,
} from './cached-function.js';
export { cacheContext, type CacheContext } from './cache-context.js';
