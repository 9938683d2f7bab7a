/** Messages of the cache subsystem: each names the cache and says how to fix the problem. */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

const SUPPORTED = 'string, number, bigint, boolean, null or undefined';

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    return ctor && ctor !== 'Object' ? `an object (${ctor})` : 'an object';
  }
  return `a ${typeof value}`;
}

/**
 * Where key parts came from, which decides what the message points at and the fix it suggests:
 * the call's own arguments, the `key` option's result, or the key given to invalidate/prefill.
 */
export type KeySource = 'call' | 'key-option' | 'invalidate' | 'prefill' | 'api.invalidateCache';

export function unsupportedKeyPart(
  cache: string,
  index: number,
  value: unknown,
  source: KeySource = 'call',
): ModhostError {
  const what = `${describeValue(value)}; key parts must be a ${SUPPORTED} (they are compared by type and value and must cross instances)`;
  let message: string;
  if (source === 'call') {
    message =
      `cache ${cache}: key part ${index} (the argument at index ${index} of the call) is ${what}. ` +
      `Pass a \`key\` option, e.g. @Cached({ key: (user) => [user.id] }), to derive primitive key parts from such arguments.`;
  } else if (source === 'key-option') {
    message =
      `cache ${cache}: the \`key\` option returned ${describeValue(value)} as key part ${index} (index ${index} of its result); ` +
      `key parts must be a ${SUPPORTED}; make the key function return primitives, e.g. key: (user) => [user.id]`;
  } else {
    const call =
      source === 'api.invalidateCache' ? 'api.invalidateCache(fn, key)' : `${source}(key)`;
    message =
      `cache ${cache}: ${call}: key part ${index} (index ${index} of the key) is ${what}. ` +
      'Pass the key parts the cache is keyed by (the primitive arguments, or what its `key` option returns), e.g. [userId]';
  }
  return new ModhostError(ErrorCode.CACHE_KEY_INVALID, message);
}

export function keyFunctionResult(cache: string, result: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: the \`key\` option must return an array of key parts, got ${describeValue(result)}`,
  );
}

export function keyLength(
  cache: string,
  got: number,
  expected: number,
  tree: boolean,
): ModhostError {
  const prefix = tree
    ? `between 1 and ${expected} parts (a shorter key invalidates a prefix)`
    : `exactly ${expected} part${expected === 1 ? '' : 's'}${expected >= 2 ? '; invalidating by prefix needs the option tree: true' : ''}`;
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: key has ${got} part${got === 1 ? '' : 's'} but must have ${prefix}`,
  );
}

export function bareKeyAmbiguous(cache: string, depth: number, value: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: the key ${describeValue(value)} is not an array of key parts; only a cache ` +
      `keyed by one argument accepts a bare value. This cache has ${depth} key parts: pass them as an array, e.g. [a, b]`,
  );
}

export function keyFunctionLength(cache: string, got: number, expected: number): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: the \`key\` option returned ${got} key parts, but earlier calls returned ${expected}; it must always return the same number`,
  );
}

export function invalidOption(cache: string, option: string, problem: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_OPTIONS_INVALID,
    `cache ${cache}: option ${option} ${problem}`,
  );
}

export function notCachedFunction(where: string, value: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_NOT_REGISTERED,
    `${where}: expected a cached function (a @Cached method read from the module instance after ` +
      `construction, e.g. this.getUser, or the result of cachedFunction(fn, options)), got ${describeValue(value)}`,
  );
}

export function unregisteredFunction(where: string, cache: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_NOT_REGISTERED,
    `${where}: cache ${cache} is not registered, so other instances could not invalidate it; ` +
      `call api.registerCachedFunction(fn) first (decorated @Cached methods are registered automatically)`,
  );
}

export function nameTaken(name: string, owner: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_NAME_TAKEN,
    `cache name ${name} is already registered${owner ? ` by module ${owner}` : ''}; give one of them another name with the option name`,
  );
}

export function unmatchedOriginal(module: string, fnName: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_NOT_REGISTERED,
    `module ${module} registered the plain method ${fnName || '(anonymous)'} with api.registerCachedFunction, ` +
      `but it is not a @Cached method of the module; decorate it with @Cached or pass cachedFunction(fn, options)`,
  );
}

export function noCacheContext(): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_OPTIONS_INVALID,
    'cacheContext() was called outside a cached computation; call it synchronously at the start of a ' +
      '@Cached method (before the first await) and keep the result',
  );
}

export function memberNotMethod(cache: string, member: string, value: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_OPTIONS_INVALID,
    `cache ${cache}: @Cached member ${member} is not a method of the instance (it is ${describeValue(value)}); ` +
      'the constructor must not overwrite a @Cached method',
  );
}

export function callbackNotFunction(cache: string, value: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_OPTIONS_INVALID,
    `cache ${cache}: withOnInvalidate(onInvalidate, ...args) needs a function as onInvalidate, got ${describeValue(value)}`,
  );
}

export function selfRecursion(cache: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: the computation called itself with the same key before returning, so it would ` +
      'wait for its own result forever; compute the inner value without the cache or with another key',
  );
}
