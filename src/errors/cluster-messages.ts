/**
 * Messages for errors raised by the cluster area: background tasks and the invalidation bus.
 * Each names the module or cache at fault and says what to do instead.
 */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

export function taskNotAFunction(moduleName: string, what: string, fn: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.BACKGROUND_TASK_INVALID,
    `module ${moduleName}: ${what} needs a function to run, got ${describeValue(fn)}; ` +
      `pass the function itself, e.g. api.${what}(() => this.refresh(), ...)`,
  );
}

export function loopIntervalInvalid(
  moduleName: string,
  fnName: string,
  interval: unknown,
): ModhostError {
  return new ModhostError(
    ErrorCode.BACKGROUND_TASK_INVALID,
    `module ${moduleName}: loopingCall ${fnName} has interval ${describeValue(interval)}; ` +
      `the interval must be a positive number of milliseconds or a duration such as '30s'`,
  );
}

export function delayInvalid(moduleName: string, fnName: string, delay: unknown): ModhostError {
  return new ModhostError(
    ErrorCode.BACKGROUND_TASK_INVALID,
    `module ${moduleName}: delayedCall ${fnName} has delay ${describeValue(delay)}; ` +
      `the delay must be zero or a positive number of milliseconds, or a duration such as '5s'`,
  );
}

export function invalidationKeyPartUnsendable(
  cache: string,
  keyIndex: number,
  partIndex: number,
  part: unknown,
): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `cache ${cache}: key ${keyIndex} part ${partIndex} is ${describeValue(part)}, which cannot ` +
      `be sent to other instances; cluster-wide invalidation supports keys made of strings, ` +
      `numbers, bigints, booleans, null, undefined and arrays of those`,
  );
}

export function invalidationMessageInvalid(problem: string): ModhostError {
  return new ModhostError(
    ErrorCode.CACHE_KEY_INVALID,
    `invalidation message rejected: ${problem}; publish { cache: 'module.method', keys: [[...parts]] } ` +
      `or { cache: 'module.method', all: true }`,
  );
}

export function redisUrlInvalid(url: string, problem: string): ModhostError {
  return new ModhostError(
    ErrorCode.CONFIG_INVALID,
    `cluster.redis_url ${JSON.stringify(url)} cannot be used: ${problem}; ` +
      `write it as redis://host:6379 (or rediss://, with user:password@ and /db when needed)`,
  );
}
